//! Checks of the files a publiccode.yml points at (logo, screenshots, authors file).
//!
//! Paths must be relative to the repository root or http(s) URLs. Whether a relative file exists
//! is asked of the caller's [`Assets`] (the CLI reads the file's directory, the crawler the
//! repository); without one, only the form of the path is checked. Remote URLs are left to the
//! optional network checks, which live outside this pure module.

use super::Context;
use super::check::{Checker, Text, is_http_url, leaf};
use super::diagnostic::Code;

/// How many leading bytes of a file the checks need (an image header fits easily).
pub const HEAD_BYTES: usize = 4096;

/// The answer of an [`Assets`] lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asset {
    /// The file exists; its first bytes (at most [`HEAD_BYTES`]).
    Found(Vec<u8>),
    /// No such file; how to name it in a message.
    Missing(String),
}

/// Access to the files next to a publiccode.yml.
pub trait Assets {
    /// Looks up `relative`, a path relative to the publiccode.yml's directory.
    fn lookup(&self, relative: &str) -> Asset;
}

/// What a path is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetKind {
    /// `logo` / `monochromeLogo`: SVG or PNG.
    Logo,
    /// `screenshots`: `.jpg` or `.png`, as the reference validator accepts.
    Screenshot,
    /// Any file (`legal.authorsFile`).
    File,
}

impl AssetKind {
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Logo => &["svg", "svgz", "png"],
            Self::Screenshot => &["jpg", "png"],
            Self::File => &[],
        }
    }
}

/// Checks one path of `kind` found at `text`.
pub(crate) fn check(ck: &mut Checker, text: &Text, kind: AssetKind, ctx: &Context<'_>) {
    let value = text.value.trim();
    let lower = value.to_ascii_lowercase();
    let name = leaf(&text.path);
    if lower.starts_with("file:") {
        ck.error(
            Code::InvalidPath,
            &text.path,
            text.pos,
            format!("{name} is a file:// URL. Only relative paths or HTTP(s) URLs allowed"),
        );
        return;
    }
    if value.starts_with('/') || value.starts_with('\\') || has_drive_letter(value) {
        ck.error(
            Code::InvalidPath,
            &text.path,
            text.pos,
            format!(
                "{name} is an absolute path. Only relative paths (from the repository root) or HTTP(s) URLs allowed"
            ),
        );
        return;
    }
    // Remote files are the business of the network checks, which fetch and inspect them.
    if is_http_url(value) {
        return;
    }
    if value.contains("://") {
        ck.error(
            Code::InvalidPath,
            &text.path,
            text.pos,
            format!("{name} must be a relative path or an HTTP(s) URL"),
        );
        return;
    }
    // Screenshots name the offending value, as there may be several.
    let prefix = match kind {
        AssetKind::Screenshot => format!("'{value}' is not an image: "),
        AssetKind::Logo | AssetKind::File => String::new(),
    };
    let extension = extension(value);
    let allowed = kind.extensions();
    if !allowed.is_empty() && !allowed.contains(&extension.as_str()) {
        ck.error(
            Code::InvalidImage,
            &text.path,
            text.pos,
            format!(
                "{prefix}invalid file extension for: {value} (allowed: {})",
                allowed.join(", ")
            ),
        );
        return;
    }
    let Some(assets) = ctx.assets else {
        return;
    };
    match assets.lookup(value) {
        Asset::Missing(shown) => ck.error(
            Code::FileNotFound,
            &text.path,
            text.pos,
            format!("{prefix}no such file: {shown}"),
        ),
        Asset::Found(head) if kind == AssetKind::Logo && extension == "png" => {
            match png_width(&head) {
                None => ck.error(
                    Code::InvalidImage,
                    &text.path,
                    text.pos,
                    format!("image: unknown format: {value} is not a valid PNG image"),
                ),
                Some(width) if width < MIN_LOGO_WIDTH => ck.error(
                    Code::InvalidImage,
                    &text.path,
                    text.pos,
                    format!(
                        "invalid image size of {width} (min {MIN_LOGO_WIDTH}px of width): {value}"
                    ),
                ),
                Some(_) => {}
            }
        }
        Asset::Found(_) => {}
    }
}

/// Narrowest PNG logo accepted, in pixels.
const MIN_LOGO_WIDTH: u32 = 120;

fn has_drive_letter(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

fn extension(value: &str) -> String {
    let path = value.split(['?', '#']).next().unwrap_or(value);
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

/// The width of the PNG whose first bytes are `head`, if it is one (signature and header chunk).
pub fn png_width(head: &[u8]) -> Option<u32> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(head));
    decoder.read_header_info().ok().map(|info| info.width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_ignore_query_and_case() {
        assert_eq!(extension("img/Logo.PNG?raw=true"), "png");
        assert_eq!(extension("https://x.example/a.b/logo"), "");
    }

    #[test]
    fn png_header() {
        assert_eq!(png_width(b"not a png at all"), None);
        assert_eq!(png_width(b"\x89PNG\r\n\x1a\n"), None);
    }
}
