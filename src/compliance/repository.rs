//! Heuristics over a repository's files (Annex A): the README's MUST items, found by its
//! headings and a few keywords in Italian and English, and the formats of the documentation.
//!
//! Heuristics, not judgement: they say what is visibly missing; whether what is there is
//! complete and good is the reviewer's call (§5.3 marks both ⚠️).

use super::facts::RepoFiles;

/// A MUST item of Annex A's README list that the heuristics look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadmeItem {
    /// A title (a first heading).
    Title,
    /// Installation, build or deployment instructions.
    Install,
    /// The project's status (alpha, beta, stable, known issues).
    Status,
    /// The maintainers.
    Maintainers,
    /// The copyright holder.
    Copyright,
    /// An e-mail address for security reports.
    SecurityContact,
}

impl ReadmeItem {
    /// Every item, in the order Annex A lists them.
    pub const ALL: [Self; 6] = [
        Self::Title,
        Self::Install,
        Self::Status,
        Self::Copyright,
        Self::Maintainers,
        Self::SecurityContact,
    ];

    /// How a finding names it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Install => "installation instructions",
            Self::Status => "project status",
            Self::Maintainers => "maintainers",
            Self::Copyright => "copyright holder",
            Self::SecurityContact => "security contact e-mail",
        }
    }

    /// Words a heading about this item holds (lower case).
    fn heading_words(self) -> &'static [&'static str] {
        match self {
            Self::Title => &[],
            Self::Install => &[
                "install",
                "setup",
                "set up",
                "getting started",
                "deploy",
                "build",
                "quick start",
                "quickstart",
                "avvio",
                "come iniziare",
                "compila",
                "usage",
                "utilizzo",
                "requisiti",
                "requirements",
            ],
            Self::Status => &["status", "stato", "maturity", "roadmap", "known issues"],
            Self::Maintainers => &[
                "maintainer",
                "manutent",
                "manutenzione",
                "mantenut",
                "maintained by",
                "authors",
                "autori",
                "credits",
                "crediti",
                "team",
                "contatti",
                "contacts",
            ],
            Self::Copyright => &["copyright", "titolar", "license", "licenza", "licence"],
            Self::SecurityContact => &[],
        }
    }
}

/// The Annex A items a README misses; every one when there is no README.
#[must_use]
pub fn readme_missing(files: &RepoFiles) -> Vec<ReadmeItem> {
    let Some(readme) = &files.readme else {
        return ReadmeItem::ALL.to_vec();
    };
    let text = readme.text.to_lowercase();
    let headings = headings(&readme.text);
    let security_text = files
        .security
        .as_ref()
        .map(|s| s.text.to_lowercase())
        .unwrap_or_default();
    ReadmeItem::ALL
        .into_iter()
        .filter(|item| {
            let found = match item {
                ReadmeItem::Title => !headings.is_empty(),
                ReadmeItem::Copyright => {
                    text.contains("copyright")
                        || text.contains('©')
                        || text.contains("titolare")
                        || has_heading(&headings, item.heading_words())
                }
                ReadmeItem::SecurityContact => security_email(&text) || (has_email(&security_text)),
                _ => has_heading(&headings, item.heading_words()),
            };
            !found
        })
        .collect()
}

fn has_heading(headings: &[String], words: &[&str]) -> bool {
    headings.iter().any(|h| words.iter().any(|w| h.contains(w)))
}

/// The headings of a Markdown, reStructuredText or `AsciiDoc` text, lower case: `#` and `=`
/// prefixed lines, and lines underlined with `=`, `-`, `~` or `^`; HTML `<h1>`–`<h6>` too.
fn headings(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let underlined = lines.get(n + 1).is_some_and(|next| {
            let next = next.trim();
            next.len() >= 3
                && next
                    .chars()
                    .all(|c| matches!(c, '=' | '-' | '~' | '^' | '*'))
                && !trimmed.is_empty()
        });
        let lower = trimmed.to_lowercase();
        if let Some(rest) = trimmed.strip_prefix('#').or_else(|| {
            trimmed
                .strip_prefix('=')
                .filter(|r| r.starts_with([' ', '=']))
        }) {
            out.push(rest.trim_start_matches(['#', '=']).trim().to_lowercase());
        } else if underlined
            || (lower.starts_with("<h") && lower.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
        {
            out.push(lower);
        }
    }
    out
}

/// Whether an e-mail address stands within three lines of a word about security.
fn security_email(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().any(|(n, line)| {
        ["security", "sicurezza", "vulnerab"]
            .iter()
            .any(|w| line.contains(w))
            && lines[n.saturating_sub(3)..(n + 4).min(lines.len())]
                .iter()
                .any(|l| has_email(l))
    })
}

/// Whether `text` holds something shaped like an e-mail address (`local@domain.tld`).
fn has_email(text: &str) -> bool {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | ':' | ',')
    })
    .any(|word| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        let Some((local, domain)) = word.split_once('@') else {
            return false;
        };
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-'))
    })
}

/// Documentation files of a tree, by format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocFormats {
    /// Line-diffable text (Markdown, reStructuredText, `AsciiDoc`, HTML, LaTeX, plain text) under
    /// a documentation directory.
    pub text: usize,
    /// DOCX, DOC, ODT, PDF or RTF, at the root or under a documentation directory.
    pub office: usize,
    /// The first office file, for the finding.
    pub first_office: Option<usize>,
}

const TEXT_FORMATS: [&str; 10] = [
    "md", "markdown", "rst", "adoc", "asciidoc", "html", "htm", "tex", "txt", "org",
];
const OFFICE_FORMATS: [&str; 6] = ["docx", "doc", "odt", "pdf", "rtf", "pages"];
const DOC_DIRS: [&str; 10] = [
    "doc",
    "docs",
    "documentation",
    "documentazione",
    "manual",
    "manuale",
    "manuali",
    "guide",
    "guida",
    "wiki",
];

/// Counts the documentation files among `paths`.
#[must_use]
pub fn doc_formats(paths: &[String]) -> DocFormats {
    let mut formats = DocFormats::default();
    for (n, path) in paths.iter().enumerate() {
        let lower = path.to_ascii_lowercase();
        let (dirs, name) = lower.rsplit_once('/').unwrap_or(("", lower.as_str()));
        let ext = name.rsplit_once('.').map_or("", |(_, ext)| ext);
        let in_docs = dirs.split('/').any(|d| DOC_DIRS.contains(&d));
        if OFFICE_FORMATS.contains(&ext) && (in_docs || dirs.is_empty()) {
            formats.office += 1;
            formats.first_office.get_or_insert(n);
        } else if in_docs && TEXT_FORMATS.contains(&ext) {
            formats.text += 1;
        }
    }
    formats
}

/// Whether `url` names a document in an office format (`.pdf`, `.docx`, ...).
#[must_use]
pub fn is_office_url(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| OFFICE_FORMATS.contains(&ext))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::facts::NamedText;

    fn with_readme(text: &str) -> RepoFiles {
        RepoFiles {
            readme: Some(NamedText {
                path: "README.md".to_owned(),
                text: text.to_owned(),
            }),
            ..RepoFiles::default()
        }
    }

    #[test]
    fn a_readme_with_every_item_misses_nothing() {
        let text = "# Protocollo\n\nGestione del protocollo.\n\n## Installazione\n\nmake\n\n\
                    ## Stato del progetto\n\nStabile.\n\n## Manutenzione\n\nACME srl\n\n\
                    ## Copyright\n\nCopyright (c) Comune di Roma\n\n## Sicurezza\n\n\
                    Segnalare le vulnerabilità a security@comune.roma.it, non sul tracker.\n";
        assert_eq!(readme_missing(&with_readme(text)), vec![]);
    }

    #[test]
    fn a_bare_readme_misses_what_it_does_not_say() {
        let missing = readme_missing(&with_readme("My app\n======\n\nIt does things.\n"));
        assert_eq!(
            missing,
            vec![
                ReadmeItem::Install,
                ReadmeItem::Status,
                ReadmeItem::Copyright,
                ReadmeItem::Maintainers,
                ReadmeItem::SecurityContact,
            ]
        );
        assert_eq!(readme_missing(&RepoFiles::default()).len(), 6);
    }

    #[test]
    fn documentation_formats() {
        let paths = |ps: &[&str]| ps.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
        let only_office = doc_formats(&paths(&["README.md", "docs/manuale.docx", "src/a.rs"]));
        assert_eq!((only_office.text, only_office.office), (0, 1));
        let both = doc_formats(&paths(&["docs/index.md", "docs/manuale.pdf"]));
        assert_eq!((both.text, both.office), (1, 1));
        // Test data deep in the sources is no documentation.
        let fixtures = doc_formats(&paths(&["tests/data/sample.pdf"]));
        assert_eq!(fixtures.office, 0);
        assert!(is_office_url("https://example.org/manuale.PDF?x=1"));
        assert!(!is_office_url("https://docs.example.org/"));
    }
}
