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
    render_markdown(&dedent(text), &CLEANER, &|_| None)
}

/// Markdown a person wrote (a post, a community's description) as HTML a page may include as it
/// is: as [`markdown`], cleaned by the same allow-list, with three differences. The text is
/// taken as written (no YAML indentation to undo); bidirectional overrides and invisible
/// characters are dropped from it, so no text can pass for other text; and links carry
/// `rel="nofollow ugc noopener noreferrer"`, the mark of content search engines should not
/// credit to the site. An `@name` outside code for which `mention` gives a path on this site
/// (under `/communities/`) becomes a link there; any other stays text.
#[must_use]
pub fn user_markdown(text: &str, mention: &dyn Fn(&str) -> Option<String>) -> String {
    render_markdown(text, &USER_CLEANER, mention)
}

/// The `@names` of `text` outside code, in order, each once (lower-case).
#[must_use]
pub fn mentions(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};

    let mut names: Vec<String> = Vec::new();
    let mut in_code = false;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) if !in_code => {
                for piece in split_mentions(&t) {
                    if let Piece::Mention(name) = piece {
                        let name = name.to_ascii_lowercase();
                        if !names.contains(&name) {
                            names.push(name);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// A piece of text: plain, or an `@name` (without the `@`).
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Mention(&'a str),
}

/// `text` cut into plain text and mentions: an `@` not preceded by a letter, digit or `@` (so
/// addresses stay text), followed by a letter or digit, then letters, digits, `-` and `_`, at
/// most 40.
fn split_mentions(text: &str) -> Vec<Piece<'_>> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut pieces = Vec::new();
    let mut plain = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let before_ok = i == 0 || {
            let prev = text[..i].chars().next_back().unwrap_or(' ');
            !(prev.is_alphanumeric() || prev == '@' || prev == '.' || prev == '_')
        };
        if bytes[i] == b'@' && before_ok {
            let rest = &text[i + 1..];
            let len = rest
                .char_indices()
                .find(|(_, c)| !name_char(*c))
                .map_or(rest.len(), |(n, _)| n);
            let name = rest[..len].trim_end_matches(['-', '_']);
            if name.len() <= 40 && name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                if plain < i {
                    pieces.push(Piece::Text(&text[plain..i]));
                }
                pieces.push(Piece::Mention(name));
                i += 1 + name.len();
                plain = i;
                continue;
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    if plain < text.len() {
        pieces.push(Piece::Text(&text[plain..]));
    }
    pieces
}

/// Markdown as HTML cleaned by `cleaner` (see [`markdown`]), `@names` linked by `mention`.
fn render_markdown(
    text: &str,
    cleaner: &ammonia::Builder<'static>,
    mention: &dyn Fn(&str) -> Option<String>,
) -> String {
    use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

    let shift = |level: HeadingLevel| match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    };
    let mut in_code = false;
    let mut events = Vec::new();
    for event in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::SoftBreak => events.push(Event::HardBreak),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => events.push(Event::Start(Tag::Heading {
                level: shift(level),
                id,
                classes,
                attrs,
            })),
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(shift(level))));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                events.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                events.push(Event::End(TagEnd::CodeBlock));
            }
            Event::Text(t) if !in_code => {
                let t: String = t.chars().filter(|c| !invisible(*c)).collect();
                for piece in split_mentions(&t) {
                    match piece {
                        Piece::Text(s) => events.push(Event::Text(CowStr::from(s.to_owned()))),
                        Piece::Mention(name) => match mention(&name.to_ascii_lowercase()) {
                            Some(path) if mention_path(&path) => {
                                events.push(Event::Html(CowStr::from(format!(
                                    "<a href=\"{path}\">@{name}</a>"
                                ))));
                            }
                            _ => events.push(Event::Text(CowStr::from(format!("@{name}")))),
                        },
                    }
                }
            }
            Event::Text(t) => {
                events.push(Event::Text(CowStr::from(
                    t.chars().filter(|c| !invisible(*c)).collect::<String>(),
                )));
            }
            Event::Code(t) => events.push(Event::Code(CowStr::from(
                t.chars().filter(|c| !invisible(*c)).collect::<String>(),
            ))),
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    cleaner.clean(&html).to_string()
}

/// Whether `path` is a path on this site a mention may link to: under `/communities/`, of
/// letters, digits, `-`, `_`, `/` and `#` only.
fn mention_path(path: &str) -> bool {
    path.starts_with("/communities/")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '#'))
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
static CLEANER: std::sync::LazyLock<ammonia::Builder<'static>> =
    std::sync::LazyLock::new(|| cleaner("nofollow noopener noreferrer", false));

/// The allow-list [`user_markdown`] cleans with.
static USER_CLEANER: std::sync::LazyLock<ammonia::Builder<'static>> =
    std::sync::LazyLock::new(|| cleaner("nofollow ugc noopener noreferrer", true));

/// An allow-list whose links carry `rel`; `mentions` lets links to the paths [`mention_path`]
/// accepts through.
fn cleaner(rel: &'static str, mentions: bool) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(if mentions {
            ammonia::UrlRelative::PassThrough
        } else {
            ammonia::UrlRelative::Deny
        })
        .link_rel(Some(rel))
        .attribute_filter(move |element, attribute, value| {
            if element == "a" && attribute == "href" {
                let safe = crate::links::SafeHref::web(value).is_some()
                    || value
                        .strip_prefix("mailto:")
                        .is_some_and(|a| crate::links::SafeHref::mailto(a).is_some())
                    || (mentions && mention_path(value));
                return safe.then(|| value.into());
            }
            Some(value.into())
        });
    builder
}

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
    fn user_markdown_links_mentions_and_marks_links_ugc() {
        let known = |name: &str| (name == "ada").then(|| "/communities/x/members#ada".to_owned());
        let html = user_markdown(
            "Ciao @Ada e @nessuno, scrivi a a@b.it [x](https://example.org) `@ada`",
            &known,
        );
        assert!(
            html.contains("<a href=\"/communities/x/members#ada\" rel=\"nofollow ugc noopener noreferrer\">@Ada</a>"),
            "{html}"
        );
        assert!(html.contains("@nessuno"), "{html}");
        assert!(html.contains("a@b.it"), "{html}");
        assert!(html.contains("<code>@ada</code>"), "{html}");
        assert!(html.contains("nofollow ugc"), "{html}");
        let evil = |_: &str| Some("//evil.example/x".to_owned());
        assert!(!user_markdown("@ada", &evil).contains("href"));
        assert!(!user_markdown("[x](//evil.example)", &known).contains("href"));
        assert_eq!(user_markdown("a\u{202e}b", &known), "<p>ab</p>\n");
        assert_eq!(
            mentions("@Ada, @c_a944 e @ada; mail a@b.it\n\n    @code\n\n```\n@x\n```"),
            ["ada", "c_a944"]
        );
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
