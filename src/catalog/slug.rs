//! Stable, readable identifiers of catalog entries, derived from the repository URL (names
//! change; repositories rarely move).

/// A slug for the repository at `url`: its path, lower-cased, with runs of other characters
/// turned into single dashes (`https://github.com/italia/design-scuole` → `italia-design-scuole`).
#[must_use]
pub fn from_repository_url(url: &str) -> String {
    let path = match url::Url::parse(url) {
        Ok(parsed) if parsed.scheme() == "file" => {
            // A local file or directory: its own name, without extension, says it best.
            let last = parsed
                .path_segments()
                .and_then(|mut s| s.rfind(|p| !p.is_empty()).map(str::to_owned))
                .unwrap_or_default();
            last.trim_end_matches(".yml")
                .trim_end_matches(".yaml")
                .to_owned()
        }
        Ok(parsed) => parsed.path().to_owned(),
        Err(_) => url.to_owned(),
    };
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    // Percent-escapes (`%20`) separate words like any other punctuation.
    let mut unescaped = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(i) = rest.find('%') {
        unescaped.push_str(&rest[..i]);
        let escape = rest
            .get(i + 1..i + 3)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        unescaped.push('-');
        rest = &rest[i + 1 + escape.map_or(0, str::len)..];
    }
    unescaped.push_str(rest);
    let mut slug = String::with_capacity(unescaped.len());
    for c in unescaped.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "software".to_owned()
    } else {
        slug.chars()
            .take(100)
            .collect::<String>()
            .trim_end_matches('-')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::from_repository_url;

    #[test]
    fn slugs() {
        assert_eq!(
            from_repository_url("https://github.com/italia/developers.italia.it.git"),
            "italia-developers-italia-it"
        );
        assert_eq!(
            from_repository_url("https://gitlab.example.org/Comune/Sub/Group/App/"),
            "comune-sub-group-app"
        );
        assert_eq!(
            from_repository_url("file:///srv/demo/Comune-Milano__wemi.yml"),
            "comune-milano-wemi"
        );
        assert_eq!(
            from_repository_url("file:///home/me/projects/My%20App/"),
            "my-app"
        );
        assert_eq!(from_repository_url("https://x.example/"), "software");
    }
}
