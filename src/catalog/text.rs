//! The text that full-text search indexes and queries, prepared the same way for both databases.
//!
//! Words are lower-cased and stripped of accents; each word is indexed with its Italian and
//! English stems, so `comuni` finds `comune`, `servizi` finds `servizio` and `pratiche` finds
//! `pratica`, on SQLite FTS5 and PostgreSQL alike.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::LazyLock;

use crate::links::invisible;

static ITALIAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Italian));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Folds the accents of Latin letters (`è` → `e`), keeping other characters.
#[must_use]
pub fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        other => other,
    }
}

/// The words of `text`: lower-cased, accents folded, split at anything not alphanumeric.
/// Zero-width and bidirectional control characters are dropped without splitting a word, so
/// `Com\u{200b}une` is indexed and found as `comune`.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && !invisible(c))
        .map(|w| {
            w.chars()
                .filter(|c| !invisible(*c))
                .flat_map(char::to_lowercase)
                .map(fold)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
}

/// The distinct search keys of a word: its Italian and English stems (and the word itself).
#[must_use]
pub fn keys(word: &str) -> Vec<String> {
    let mut out = vec![word.to_owned()];
    for stem in [ITALIAN.stem(word), ENGLISH.stem(word)] {
        let stem = stem.chars().map(fold).collect::<String>();
        if stem.chars().count() >= 2 && !out.contains(&stem) {
            out.push(stem);
        }
    }
    out
}

/// The indexed form of `text`: every word followed by its stems, space separated.
#[must_use]
pub fn document(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for word in words(text) {
        for key in keys(&word) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&key);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_neither_split_nor_hide_words() {
        let found: Vec<String> = words("Com\u{200b}une di R\u{202e}oma\u{2066}").collect();
        assert_eq!(found, ["comune", "di", "roma"]);
    }

    #[test]
    fn plurals_and_accents_meet() {
        let doc = document("Gestione delle pratiche dei Comuni e dell'Università");
        for query in ["pratica", "comune", "universita", "università", "gestioni"] {
            let word = words(query).next().unwrap();
            let stems = keys(&word);
            assert!(
                stems.iter().any(|k| doc.split(' ').any(|w| w == k)),
                "{query}: {stems:?} not in {doc}"
            );
        }
    }
}
