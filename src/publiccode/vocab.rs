//! The closed vocabularies of the standard, embedded from `publiccode-schemas/vocabularies/`.
//!
//! Each list is parsed once, on first use, into a structure fit for fast membership tests.

use std::sync::LazyLock;

fn lines(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

macro_rules! vocabulary {
    ($name:ident, $file:literal, $doc:literal) => {
        #[doc = $doc]
        pub static $name: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
            lines(include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/publiccode-schemas/vocabularies/",
                $file
            )))
        });
    };
}

vocabulary!(
    CATEGORIES,
    "categories.txt",
    "Values allowed in `categories`."
);
vocabulary!(
    SCOPES,
    "scopes.txt",
    "Values allowed in `intendedAudience.scope`."
);
vocabulary!(
    SUPPORT_ALIASES,
    "support-aliases.txt",
    "Names allowed after `alias:` in `supports[].id`."
);
vocabulary!(
    COUNTRIES,
    "countries.txt",
    "ISO 3166-1 alpha-2 country codes, upper case."
);
vocabulary!(
    SOFTWARE_TYPES,
    "software-types.txt",
    "Values of `softwareType`."
);
vocabulary!(
    DEVELOPMENT_STATUSES,
    "development-statuses.txt",
    "Values of `developmentStatus`."
);
vocabulary!(
    MAINTENANCE_TYPES,
    "maintenance-types.txt",
    "Values of `maintenance.type`."
);
vocabulary!(
    VERSIONS,
    "versions.txt",
    "Accepted `publiccodeYmlVersion` strings, in the order messages list them."
);

/// IPA codes, in the order of their upper-case forms (`LC_ALL=C sort -f`, a test checks it), so
/// a case-insensitive lookup is a binary search. No set is built: `riuso validate` runs once per
/// file, and hashing 24,000 codes would cost it more than the check of the file.
static IPA_CODES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    lines(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/publiccode-schemas/vocabularies/ipa-codes.txt"
    )))
});

/// `a` and `b` compared as their upper-case forms.
fn cmp_folded(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_uppercase())
        .cmp(b.bytes().map(|c| c.to_ascii_uppercase()))
}

/// oEmbed provider URL schemes (`*` is a wildcard), split at the wildcards.
static OEMBED_SCHEMES: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    let raw: Vec<String> = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/publiccode-schemas/vocabularies/oembed-schemes.json"
    )))
    .expect("the embedded oEmbed scheme list is a JSON array of strings");
    raw.iter()
        .map(|s| s.split('*').map(str::to_owned).collect())
        .collect()
});

/// Whether `code` (without the `urn:x-italian-pa:` prefix) is a known IPA code, ignoring case.
#[must_use]
pub fn is_ipa_code(code: &str) -> bool {
    IPA_CODES
        .binary_search_by(|probe| cmp_folded(probe, code))
        .is_ok()
}

/// Whether `url` matches the URL scheme of a known oEmbed provider.
#[must_use]
pub fn is_oembed_url(url: &str) -> bool {
    OEMBED_SCHEMES.iter().any(|parts| glob_match(parts, url))
}

/// Matches `text` against a pattern already split at its `*` wildcards.
fn glob_match(parts: &[String], text: &str) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    let Some(mut remaining) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part.as_str()) {
            Some(i) => remaining = &remaining[i + part.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last.as_str())
}

/// The closest word of `choices` to `word`, if it is close enough to be a likely typo.
#[must_use]
pub fn suggest<'a>(word: &str, choices: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    choices
        .into_iter()
        .map(|c| (levenshtein(&word_lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let old = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = old;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_are_loaded() {
        assert_eq!(CATEGORIES.len(), 106);
        assert_eq!(SCOPES.len(), 24);
        assert!(COUNTRIES.contains(&"IT"));
        assert!(VERSIONS.contains(&"0.7"));
    }

    #[test]
    fn ipa_codes_ignore_case() {
        assert!(is_ipa_code("c_h501"));
        assert!(is_ipa_code("C_H501"));
        assert!(is_ipa_code("pcm"));
        assert!(!is_ipa_code("not_a_real_code"));
        // Every code of the list is found, in any case: the list is in the search's order.
        assert!(
            IPA_CODES.windows(2).all(|w| cmp_folded(w[0], w[1]).is_le()),
            "ipa-codes.txt must be sorted with LC_ALL=C sort -f"
        );
        for code in IPA_CODES.iter() {
            assert!(
                is_ipa_code(code) && is_ipa_code(&code.to_ascii_lowercase()),
                "{code}"
            );
        }
        assert!(!is_ipa_code(""));
    }

    #[test]
    fn oembed_wildcards() {
        assert!(is_oembed_url("https://www.youtube.com/watch?v=RaHmGbBOP84"));
        assert!(is_oembed_url("https://vimeo.com/123456"));
        assert!(!is_oembed_url("https://google.com"));
        assert!(!is_oembed_url("ABC"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("stabel", DEVELOPMENT_STATUSES.iter().copied()),
            Some("stable")
        );
        assert_eq!(suggest("xyzzy", DEVELOPMENT_STATUSES.iter().copied()), None);
    }
}
