//! The external URLs a publiccode.yml points at, for optional network checks by the caller.

use super::check::{index, is_http_url, join};
use super::raw::RawPublicCode;
use super::yaml::{Node, Pos, Value};

/// What a linked URL should turn out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// A page that must answer (`url`, `landingURL`, `roadmap`, documentation, videos).
    Page,
    /// An image (`logo`, `screenshots`): must answer with image bytes.
    Image,
}

/// One http(s) URL found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Key path, e.g. `description.en.documentation`.
    pub key: String,
    /// Where it is.
    pub pos: Pos,
    /// The URL.
    pub url: String,
    /// What it should be.
    pub kind: LinkKind,
}

/// Lists the http(s) URLs of `raw` that network checks should fetch, in source order.
#[must_use]
pub fn links(raw: &RawPublicCode) -> Vec<Link> {
    let mut out = Vec::new();
    let root = &raw.document.root;
    for (key, kind) in [
        ("url", LinkKind::Page),
        ("landingURL", LinkKind::Page),
        ("roadmap", LinkKind::Page),
        ("logo", LinkKind::Image),
        ("monochromeLogo", LinkKind::Image),
    ] {
        if let Some(entry) = root.get(key) {
            push(&mut out, key.to_owned(), &entry.value, entry.key_pos, kind);
        }
    }
    if let Some(Value::Map(languages)) = root.get("description").map(|e| &e.value.value) {
        for lang in languages {
            let path = join("description", &lang.key);
            for (key, kind) in [
                ("documentation", LinkKind::Page),
                ("apiDocumentation", LinkKind::Page),
            ] {
                if let Some(entry) = lang.value.get(key) {
                    push(
                        &mut out,
                        join(&path, key),
                        &entry.value,
                        entry.key_pos,
                        kind,
                    );
                }
            }
            for (key, kind) in [("screenshots", LinkKind::Image), ("videos", LinkKind::Page)] {
                if let Some(Value::Seq(items)) = lang.value.get(key).map(|e| &e.value.value) {
                    for (i, item) in items.iter().enumerate() {
                        push(&mut out, index(&join(&path, key), i), item, item.pos, kind);
                    }
                }
            }
        }
    }
    out.sort_by_key(|l| l.pos);
    out
}

fn push(out: &mut Vec<Link>, key: String, node: &Node, pos: Pos, kind: LinkKind) {
    if let Some(s) = node.as_scalar().filter(|s| is_http_url(&s.text)) {
        out.push(Link {
            key,
            pos,
            url: s.text.clone(),
            kind,
        });
    }
}
