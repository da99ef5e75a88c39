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

/// IPA codes, one a line, in the order of their upper-case forms (`LC_ALL=C sort -f`, a test
/// checks it), so a case-insensitive lookup is a binary search over the text itself. Nothing is
/// built from it: `riuso validate` runs once per file, and even splitting the 24,000 lines into a
/// list cost it more than the check of the file.
const IPA_CODES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/publiccode-schemas/vocabularies/ipa-codes.txt"
));

/// `a` and `b` compared as their upper-case forms.
fn cmp_folded(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.iter()
        .map(u8::to_ascii_uppercase)
        .cmp(b.iter().map(u8::to_ascii_uppercase))
}

/// Whether the sorted lines of `text` hold `code`, ignoring case and blanks around lines.
fn sorted_lines_hold(text: &[u8], code: &[u8]) -> bool {
    // `lo..hi` always spans whole lines: `lo` starts one, `hi` ends one (or the text).
    let (mut lo, mut hi) = (0, text.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = text[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |p| lo + p + 1);
        let end = text[mid..hi]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(hi, |p| mid + p);
        let line = text[start..end].trim_ascii();
        match cmp_folded(line, code) {
            std::cmp::Ordering::Equal => return !line.is_empty(),
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
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
    !code.is_empty() && sorted_lines_hold(IPA_CODES.as_bytes(), code.as_bytes())
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
        let codes = lines(IPA_CODES);
        assert!(codes.len() > 20_000);
        assert!(
            codes
                .windows(2)
                .all(|w| cmp_folded(w[0].as_bytes(), w[1].as_bytes()).is_le()),
            "ipa-codes.txt must be sorted with LC_ALL=C sort -f"
        );
        for code in &codes {
            assert!(
                is_ipa_code(code) && is_ipa_code(&code.to_ascii_lowercase()),
                "{code}"
            );
        }
        assert!(!is_ipa_code(""));
        // Neighbours of the first and last codes, and text that is not a line of the list.
        assert!(!is_ipa_code(&format!("{}x", codes[0])));
        assert!(!is_ipa_code(&format!("{}x", codes[codes.len() - 1])));
        assert!(!is_ipa_code("\n"));
    }

    #[test]
    fn sorted_lines_are_searched_whole() {
        let text = b"AA\nab\nB\n\n";
        for code in ["aa", "AB", "b"] {
            assert!(sorted_lines_hold(text, code.as_bytes()), "{code}");
        }
        for code in ["a", "aab", "ba", "", "c"] {
            assert!(!sorted_lines_hold(text, code.as_bytes()), "{code}");
        }
        assert!(!sorted_lines_hold(b"", b"a"));
        assert!(sorted_lines_hold(b"only", b"ONLY"));
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
