//! The one place that decides which addresses from crawled or user data may become links.
//!
//! A publiccode.yml, a forge's answer or a form can hold any string where an address is expected:
//! `javascript:`, `data:`, `vbscript:`, `file://` paths of the server, protocol-relative
//! `//host`, relative paths, addresses with user-info, or with spaces and control characters that
//! browsers silently drop. Pages, feeds and exports only turn a value into an `href`, a `src` or
//! an IRI through [`SafeHref`]; anything it refuses is shown as text. Pure: no I/O, no HTTP
//! types, usable by the web pages, the feeds and the exports alike.

use std::fmt;

/// An address that may be written in an `href`: an absolute `http`/`https` URL with a host and
/// no user-info, or a `mailto:` of one plain e-mail address.
///
/// Only the constructors below make one, so a template field of this type cannot carry a
/// dangerous scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeHref(String);

impl SafeHref {
    /// `url` when it is an absolute `http://` or `https://` address that browsers read as
    /// written: a host, no user-info (`https://bank@evil.example`), no whitespace, control,
    /// invisible formatting character or backslash anywhere in it.
    #[must_use]
    pub fn web(url: &str) -> Option<Self> {
        Self::with_schemes(url, &["http", "https"])
    }

    /// `url` when it is a [`web`](Self::web) address over `https` only, as images embedded in a
    /// page must be (a plain-http image would be mixed content).
    #[must_use]
    pub fn image(url: &str) -> Option<Self> {
        Self::with_schemes(url, &["https"])
    }

    /// `mailto:` + `address` when `address` is one plain e-mail address: a local part and a
    /// domain, nothing a mail client would read as headers or a second recipient.
    #[must_use]
    pub fn mailto(address: &str) -> Option<Self> {
        let (local, domain) = address.rsplit_once('@')?;
        let plain = |part: &str| {
            !part.is_empty()
                && part.chars().all(|c| {
                    c.is_alphanumeric() && !invisible(c) || matches!(c, '.' | '-' | '_' | '+')
                })
        };
        let dotted = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.');
        (plain(local) && plain(domain) && dotted).then(|| Self(format!("mailto:{address}")))
    }

    /// `tel:` + the digits of `phone` (a leading `+` kept) when it reads as one telephone
    /// number: digits with spaces, dots, dashes, slashes or brackets between them, six to
    /// fifteen digits in all (ITU-T E.164), and nothing else.
    #[must_use]
    pub fn tel(phone: &str) -> Option<Self> {
        let phone = phone.trim();
        let (plus, rest) = match phone.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", phone),
        };
        let plain = rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '/' | '(' | ')'));
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        (plain && (6..=15).contains(&digits.len())).then(|| Self(format!("tel:{plus}{digits}")))
    }

    fn with_schemes(url: &str, schemes: &[&str]) -> Option<Self> {
        if url.is_empty() || url.len() > MAX_LEN || url.chars().any(unsafe_char) {
            return None;
        }
        // The scheme as written, not as a parser would repair it: `https:evil.example` or
        // `https:/x` are read differently by different readers.
        let (scheme, rest) = url.split_once("://")?;
        if !schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)) || rest.starts_with('/') {
            return None;
        }
        let parsed = url::Url::parse(url).ok()?;
        let host = parsed.host_str()?;
        if host.is_empty() || !parsed.username().is_empty() || parsed.password().is_some() {
            return None;
        }
        Some(Self(url.to_owned()))
    }

    /// The address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SafeHref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest address turned into a link; longer ones are shown as text.
const MAX_LEN: usize = 2048;

/// The characters an address may not hold as written: whitespace and controls (browsers drop
/// some of them, so `java\tscript:` runs), backslashes (read as `/` by some readers only), and
/// invisible formatting characters that make an address look like another.
fn unsafe_char(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\\' || invisible(c)
}

/// Bidirectional overrides and isolates and zero-width characters: invisible, and able to make
/// one text look like another.
#[must_use]
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
    )
}

/// A value shown where a link may be: its text, and the address when [`SafeHref`] accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What the reader sees (the value as given, for the reader to judge).
    pub text: String,
    /// The address, when it is safe to follow.
    pub href: Option<SafeHref>,
}

impl Link {
    /// A web address: a link when it is a safe http(s) URL, text otherwise.
    #[must_use]
    pub fn web(url: &str) -> Self {
        Self {
            text: url.to_owned(),
            href: SafeHref::web(url),
        }
    }

    /// An e-mail address: a `mailto:` link when it is a plain address, text otherwise.
    #[must_use]
    pub fn mailto(address: &str) -> Self {
        Self {
            text: address.to_owned(),
            href: SafeHref::mailto(address),
        }
    }

    /// A telephone number: a `tel:` link when it reads as one, text otherwise.
    #[must_use]
    pub fn tel(phone: &str) -> Self {
        Self {
            text: phone.to_owned(),
            href: SafeHref::tel(phone),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telephone_numbers_become_tel_links() {
        assert_eq!(
            SafeHref::tel("+39 06 1234 5678").map(|h| h.0),
            Some("tel:+390612345678".to_owned())
        );
        assert_eq!(
            SafeHref::tel("(071) 222-333").map(|h| h.0),
            Some("tel:071222333".to_owned())
        );
        for bad in [
            "",
            "12",
            "call me",
            "+39 06 1234;ext=2",
            "tel:+3906",
            "0612345678901234567",
        ] {
            assert!(SafeHref::tel(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn only_plain_web_addresses_become_links() {
        for good in [
            "https://example.org",
            "http://example.org/a?b=c#d",
            "HTTPS://Example.org/x",
            "https://example.org:8443/path",
            "https://[::1]/x",
        ] {
            assert!(SafeHref::web(good).is_some(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "javascript://example.org/%0aalert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "/etc/passwd",
            "relative/path",
            "//evil.example/x",
            "https:evil.example",
            "https:/evil.example",
            "https:///evil.example",
            "https:\\\\evil.example",
            "https://user:pass@example.org/",
            "https://bank.example@evil.example/",
            "https://example.org/a b",
            "https://example.org/\u{0}",
            "https://example.org/\u{1b}[31m",
            "https://exa\u{202e}mple.org/",
            "https://exa\u{200b}mple.org/",
            "\u{feff}https://example.org/",
            "https://example.org/\n",
            "ftp://example.org/",
            "mailto:a@example.org",
            "",
        ] {
            assert!(SafeHref::web(bad).is_none(), "{bad:?}");
        }
        assert!(SafeHref::image("http://example.org/a.png").is_none());
        assert!(SafeHref::image("https://example.org/a.png").is_some());
    }

    #[test]
    fn mailto_takes_one_plain_address() {
        assert_eq!(
            SafeHref::mailto("info@comune.example.it").map(|h| h.to_string()),
            Some("mailto:info@comune.example.it".to_owned())
        );
        for bad in [
            "a@b",
            "a@example.org?bcc=x@evil.example",
            "a@example.org,b@evil.example",
            "a b@example.org",
            "a@example.org\r\nBcc: x@evil.example",
            "javascript:alert(1)//@example.org",
            "@example.org",
            "a@",
            "a@exa\u{200b}mple.org",
        ] {
            assert!(SafeHref::mailto(bad).is_none(), "{bad:?}");
        }
    }
}
