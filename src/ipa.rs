//! The registry of Italian public administrations (IPA): the official name and registered
//! e-mail address of each administration, by IPA code, read from a file at start-up.
//!
//! The file is the open data of the IPA ("Enti", CSV, from indicepa.gov.it) or any CSV/TSV with
//! a header naming the columns: the code (`Codice_IPA` or `code`), the name
//! (`Denominazione_ente` or `name`) and the e-mail (`Mail1`, `email` or `pec`); other columns are
//! ignored and the delimiter (comma, semicolon or tab) is taken from the header line. The
//! embedded code list of the validator says whether a code exists; this registry adds what is
//! known about it. Pure: no I/O but [`Registry::load`].

use std::collections::HashMap;
use std::path::Path;

/// One administration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// IPA code, lower case.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Registered e-mail (often a PEC), when given.
    pub email: Option<String>,
}

/// Why a registry file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The file could not be read.
    #[error("cannot read the IPA registry {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The header names no code or no name column.
    #[error(
        "the IPA registry's header needs a code column (Codice_IPA or code) and a name column (Denominazione_ente or name); it has {0}"
    )]
    Header(String),
    /// A line is not CSV.
    #[error("the IPA registry is not valid CSV at line {line}: {message}")]
    Csv {
        /// The line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Administrations by IPA code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    entries: HashMap<String, Entry>,
}

impl Registry {
    /// Reads the registry at `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not a registry.
    pub fn load(path: &Path) -> Result<Self, RegistryError> {
        let bytes = std::fs::read(path).map_err(|source| RegistryError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&bytes)
    }

    /// Reads a registry from the bytes of a file.
    ///
    /// # Errors
    ///
    /// When the header lacks a column or a line is not CSV.
    pub fn parse(bytes: &[u8]) -> Result<Self, RegistryError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
        let delimiter = [b'\t', b';', b',']
            .into_iter()
            .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(bytes);
        let csv_error = |e: csv::Error| RegistryError::Csv {
            line: e.position().map_or(0, csv::Position::line),
            message: e.to_string(),
        };
        let headers = reader.headers().map_err(csv_error)?.clone();
        let column = |names: &[&str]| {
            headers
                .iter()
                .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
        };
        let (Some(code), Some(name)) = (
            column(&["Codice_IPA", "code", "codice"]),
            column(&["Denominazione_ente", "name", "denominazione"]),
        ) else {
            return Err(RegistryError::Header(
                headers.iter().collect::<Vec<_>>().join(", "),
            ));
        };
        let email = column(&["Mail1", "email", "pec", "mail"]);
        let mut entries = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let field = |i: usize| record.get(i).map(str::trim).filter(|v| !v.is_empty());
            let (Some(c), Some(n)) = (field(code), field(name)) else {
                continue;
            };
            let entry = Entry {
                code: c.to_ascii_lowercase(),
                name: n.to_owned(),
                email: email.and_then(field).map(str::to_owned),
            };
            entries.insert(entry.code.clone(), entry);
        }
        Ok(Self { entries })
    }

    /// The administration with IPA code `code` (any case).
    #[must_use]
    pub fn get(&self, code: &str) -> Option<&Entry> {
        self.entries.get(&code.to_ascii_lowercase())
    }

    /// How many administrations it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_open_data_layout_and_a_plain_tsv() {
        let open_data = "\u{feff}Codice_IPA;Denominazione_ente;Codice_fiscale_ente;Mail1\n\
                         c_F205;\"Comune di Milano\";01199250158;protocollo@pec.example.invalid\n\
                         ;no code;;\n";
        let r = Registry::parse(open_data.as_bytes()).unwrap();
        assert_eq!(r.len(), 1);
        let milano = r.get("C_F205").unwrap();
        assert_eq!(milano.name, "Comune di Milano");
        assert_eq!(
            milano.email.as_deref(),
            Some("protocollo@pec.example.invalid")
        );

        let tsv = "code\tname\nc_a944\tComune di Bologna\n";
        let r = Registry::parse(tsv.as_bytes()).unwrap();
        assert_eq!(r.get("c_a944").unwrap().email, None);
    }

    #[test]
    fn a_file_without_the_columns_is_refused_naming_them() {
        let err = Registry::parse(b"a,b\n1,2\n").unwrap_err();
        assert!(err.to_string().contains("Codice_IPA"), "{err}");
    }
}
