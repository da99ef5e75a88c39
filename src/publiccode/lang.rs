//! BCP 47 language tags, checked for form and for known language and region subtags.

use super::vocab;

/// Whether `tag` is a well-formed BCP 47 tag whose language (ISO 639) and region (ISO 3166-1
/// or UN M.49) subtags exist. `en_GB`, POSIX style, is rejected: BCP 47 separates with `-`.
#[must_use]
pub fn is_valid_tag(tag: &str) -> bool {
    let Ok(parsed) = oxilangtag::LanguageTag::parse(tag) else {
        return false;
    };
    let primary = parsed.primary_language().to_ascii_lowercase();
    let language_known = match primary.len() {
        2 => isolang::Language::from_639_1(&primary).is_some(),
        3 => isolang::Language::from_639_3(&primary).is_some(),
        _ => false,
    };
    // Extended language subtags exist only under a few macrolanguages (e.g. `zh-cmn`, `ar-aao`);
    // `sr-lat` is a common mistake for the script subtag `sr-Latn`.
    let extlang_known = parsed.extended_language().is_none_or(|ext| {
        EXTLANG_PREFIXES.contains(&primary.as_str())
            && isolang::Language::from_639_3(&ext.to_ascii_lowercase()).is_some()
    });
    let region_known = parsed.region().is_none_or(|r| {
        if r.len() == 3 {
            r.bytes().all(|b| b.is_ascii_digit())
        } else {
            vocab::COUNTRIES.contains(&r.to_ascii_uppercase().as_str())
        }
    });
    language_known && extlang_known && region_known
}

/// Languages under which the IANA registry defines extended language subtags.
const EXTLANG_PREFIXES: &[&str] = &[
    "ar", "kok", "ms", "sgn", "sw", "uz", "zh", "lv", "et", "mn", "om", "qu", "sq", "fa", "ku",
    "ne", "no", "or", "ps",
];

#[cfg(test)]
mod tests {
    use super::is_valid_tag;

    #[test]
    fn accepts_and_rejects() {
        for ok in [
            "it",
            "en",
            "en-GB",
            "de-AT",
            "fra",
            "sr-Latn-RS",
            "es-419",
            "EN-gb",
            "zh-cmn",
            "sl-IT-nedis",
        ] {
            assert!(is_valid_tag(ok), "{ok}");
        }
        for bad in [
            "en_GB",
            "hr_HR",
            "no such language",
            "xx",
            "en-ZZ",
            "",
            "english",
            "sr-lat",
            "sr-cyr",
        ] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }
}
