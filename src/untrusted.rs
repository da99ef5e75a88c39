//! Text from crawled files and users, made harmless for each medium that interprets characters:
//! names shown to people, Markdown shown as HTML, XML documents, terminals and the database.
//!
//! Each function answers for one medium, borrows when nothing needs changing, and is used
//! wherever that medium receives untrusted text; addresses are [`crate::links`]' business.
//! Pure: no I/O.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::links::invisible;

/// A name as people are shown it and as search indexes it: without bidirectional overrides,
/// isolates, zero-width characters or control characters, which let one name pass for another
/// (`Comune di Roma\u{202e}` or `Com\u{200b}une`). Pages still isolate names with `<bdi>` so
/// a right-to-left name does not reorder the text around it.
#[must_use]
pub fn name(text: &str) -> Cow<'_, str> {
    if text.chars().any(|c| invisible(c) || c.is_control()) {
        Cow::Owned(
            text.chars()
                .filter(|c| !invisible(*c))
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
                .trim()
                .to_owned(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// Markdown from a crawled file (a `longDescription`) as HTML a page may include as it is.
///
/// `CommonMark` with tables and strikethrough, read by pulldown-cmark; each line break of the
/// source stays a line break (publiccode.yml descriptions are YAML literal blocks whose authors
/// broke their lines on purpose); headings start at `h3`, below the page's own. The HTML is then
/// cleaned by ammonia: no raw HTML element or attribute outside its allow-list survives (no
/// `script`, `style`, `iframe`, `form`, event handler or `style` attribute), no image (a crawled
/// file must not make readers' browsers fetch from anywhere), and a link keeps its address only
/// when [`crate::links::SafeHref`] accepts it (absolute http(s) or a plain `mailto:`), with
/// `rel="nofollow noopener noreferrer"`.
#[must_use]
pub fn markdown(text: &str) -> String {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

    let shift = |level: HeadingLevel| match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    };
    let text = dedent(text);
    let events = Parser::new_ext(
        &text,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::SoftBreak => Event::HardBreak,
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: shift(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
        other => other,
    });
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    CLEANER.clean(&html).to_string()
}

/// `text` with the indentation YAML folding leaves in descriptions taken away, outside fenced
/// code: a line indented four spaces would otherwise become a code block. List items keep up to
/// three spaces, enough to nest under their parent.
fn dedent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        }
        if fenced || trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            out.push_str(line);
        } else {
            let indent = line.len() - trimmed.len();
            let item = trimmed.starts_with(['-', '*', '+'])
                || trimmed
                    .split_once(['.', ')'])
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if item && indent > 0 {
                out.push_str(&" ".repeat(indent.min(3)));
            }
            out.push_str(trimmed);
        }
        out.push('\n');
    }
    out
}

/// The allow-list [`markdown`] cleans with.
static CLEANER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow noopener noreferrer"))
        .attribute_filter(|element, attribute, value| {
            if element == "a" && attribute == "href" {
                let safe = crate::links::SafeHref::web(value).is_some()
                    || value
                        .strip_prefix("mailto:")
                        .is_some_and(|a| crate::links::SafeHref::mailto(a).is_some());
                return safe.then(|| value.into());
            }
            Some(value.into())
        });
    builder
});

/// Whether `c` may appear in an XML 1.0 document (its `Char` production).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` with every character XML 1.0 forbids (C0 controls but TAB, LF and CR; U+FFFE and
/// U+FFFF) replaced by U+FFFD, so an Atom feed or sitemap stays well-formed whatever a name
/// holds. Escaping of `<`, `&` and quotes stays the template's job.
#[must_use]
pub fn xml(text: &str) -> Cow<'_, str> {
    if text.chars().all(xml_char) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if xml_char(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

/// `text` without NUL characters, which PostgreSQL refuses in text and JSON values.
#[must_use]
pub fn storable(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether a terminal could act on `c` or hide text with it: C0 and C1 controls (ESC starts
/// escape sequences, CSI is U+009B), DEL, and the invisible formatting characters.
fn terminal_special(c: char) -> bool {
    c.is_control() || invisible(c)
}

/// One line of untrusted text for a terminal: every control character (line breaks and tabs
/// too) and invisible formatting character written as a visible `\u{..}` escape, so a crawled
/// name can neither move the cursor, recolour, retitle the terminal nor break the line.
#[must_use]
pub fn terminal_line(text: &str) -> Cow<'_, str> {
    escape_for_terminal(text, |_| false)
}

/// Untrusted text that may span lines (an e-mail body) for a terminal: as [`terminal_line`],
/// but line feeds and tabs are kept.
#[must_use]
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    escape_for_terminal(text, |c| matches!(c, '\n' | '\t'))
}

fn escape_for_terminal(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let special = |c: char| terminal_special(c) && !keep(c);
    if !text.chars().any(special) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if special(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_lines_lists_and_safe_links_only() {
        let html = markdown(
            "Prima riga\nseconda riga\n\n- uno\n- due\n\n[sito](https://example.org) [x](javascript:alert(1))",
        );
        assert!(html.contains("Prima riga<br>"), "{html}");
        assert!(html.contains("<li>uno</li>"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(
            html.contains("rel=\"nofollow noopener noreferrer\""),
            "{html}"
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(markdown("# Titolo").starts_with("<h3>"));
        let folded = markdown("Intro.\n\n      Indented by YAML folding.\n\n- a\n    - b\n");
        assert!(!folded.contains("<pre>"), "{folded}");
        assert!(folded.contains("<ul>\n<li>b</li>"), "nested: {folded}");
        assert!(markdown("```\nlet x = 1;\n```").contains("<pre><code>"));
    }

    #[test]
    fn names_lose_what_spoofs_them() {
        assert_eq!(name("Comune di Roma"), "Comune di Roma");
        assert_eq!(name("Com\u{200b}une\u{2060}"), "Comune");
        assert_eq!(name("\u{202e}amoR id enumoC"), "amoR id enumoC");
        assert_eq!(name("a\u{2066}b\u{2069}c\u{feff}"), "abc");
        assert_eq!(name("a\u{0}b\u{1b}[31m"), "a b [31m");
    }

    #[test]
    fn xml_keeps_only_what_xml_allows() {
        assert_eq!(xml("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            xml("a\u{1}b\u{0}\u{1f}\u{fffe}"),
            "a\u{fffd}b\u{fffd}\u{fffd}\u{fffd}"
        );
    }

    #[test]
    fn terminals_see_escapes_not_controls() {
        assert_eq!(terminal_line("plain"), "plain");
        assert_eq!(terminal_line("\u{1b}[2J\u{7}"), "\\u{1b}[2J\\u{7}");
        assert_eq!(terminal_line("a\nb\rc\td"), "a\\u{a}b\\u{d}c\\u{9}d");
        assert_eq!(terminal_line("\u{9b}31m\u{202e}"), "\\u{9b}31m\\u{202e}");
        assert_eq!(
            terminal_text("a\nb\tc\u{1b}]0;x\u{7}"),
            "a\nb\tc\\u{1b}]0;x\\u{7}"
        );
    }

    #[test]
    fn nul_never_reaches_the_database() {
        assert_eq!(storable("a\0b"), "a\u{fffd}b");
        assert!(matches!(storable("ab"), Cow::Borrowed(_)));
    }
}
