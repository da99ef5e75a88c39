//! `GET /badges/{slug}/{valid,review,vitality,reuse}.svg`: badges for a repository's README,
//! in the flat style people know from shields.io: a grey label on the left, a coloured value on
//! the right, each as wide as its text.
//!
//! Text widths come from a table of advance widths of Verdana at 11 px (the font the style
//! uses; a viewer without it substitutes one of similar width), so no font is read at run time.
//! Every text is XML-escaped. A badge is the same for everyone: no session, a few minutes of
//! caching and an `ETag` (`web::middleware::etag`). An unknown entry gets a grey "not found"
//! badge with 404, so a README shows something readable rather than a broken image.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};

use crate::app::AppState;
use crate::catalog::read;
use crate::compliance::queue;
use crate::compliance::review::State;
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::extract::{Key, Path};

/// How long caches may keep a badge without asking again.
const CACHE_CONTROL: &str = "public, max-age=300";

/// The colours of values.
mod colour {
    pub const GREEN: &str = "#44cc11";
    pub const YELLOW_GREEN: &str = "#a4a61d";
    pub const YELLOW: &str = "#dfb317";
    pub const ORANGE: &str = "#fe7d37";
    pub const RED: &str = "#e05d44";
    pub const BLUE: &str = "#007ec6";
    pub const GREY: &str = "#9f9f9f";
    pub const LABEL: &str = "#555555";
}

/// Advance width, in pixels, of a character of Verdana at 11 px; characters outside the table
/// count as a wide lower-case letter.
fn char_width(c: char) -> f64 {
    // Accented Latin letters are as wide as their base letter.
    let base = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'À' | 'Á' | 'Â' | 'Ä' => 'A',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'Ì' | 'Í' => 'I',
        'Ò' | 'Ó' => 'O',
        'Ù' | 'Ú' => 'U',
        other => other,
    };
    match base {
        ' ' => 3.9,
        '!' | '|' => 4.3,
        '"' => 5.0,
        '#' => 9.0,
        '$' | '0'..='9' => 7.0,
        '%' => 11.9,
        '&' => 8.0,
        '\'' => 2.7,
        '(' | ')' | '[' | ']' => 5.0,
        '*' | '^' => 7.0,
        '+' | '<' | '=' | '>' | '~' => 9.0,
        ',' | '.' => 4.0,
        '-' => 5.0,
        '/' | '\\' => 5.0,
        ':' | ';' => 5.0,
        '?' => 6.0,
        '@' => 11.0,
        '_' => 7.0,
        '`' => 7.0,
        '{' | '}' => 7.0,
        'A' | 'S' | 'V' | 'X' => 7.5,
        'B' | 'C' | 'K' | 'R' => 7.6,
        'D' | 'G' | 'H' | 'N' | 'U' => 8.4,
        'O' | 'Q' => 8.7,
        'E' => 7.0,
        'F' | 'T' | 'Y' | 'Z' => 6.8,
        'I' => 4.6,
        'J' => 5.0,
        'L' => 6.1,
        'M' => 9.3,
        'P' => 6.6,
        'W' => 11.0,
        'a' | 'c' | 'e' | 'k' | 's' | 'v' | 'x' | 'y' => 6.3,
        'b' | 'd' | 'g' | 'h' | 'n' | 'o' | 'p' | 'q' | 'u' => 6.9,
        'f' => 3.9,
        'i' | 'l' => 3.0,
        'j' => 3.3,
        'm' => 10.7,
        'r' => 4.7,
        't' => 4.3,
        'w' => 9.0,
        'z' => 5.8,
        _ => 7.0,
    }
}

/// The width of `text` in Verdana at 11 px, rounded up.
fn text_width(text: &str) -> u32 {
    let w: f64 = text.chars().map(char_width).sum();
    // Widths are at most a few thousand pixels: the cast cannot truncate.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive width far below u32::MAX"
    )]
    let rounded = w.ceil() as u32;
    rounded
}

/// `text` escaped for XML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A flat badge: `label` on grey, `value` on `colour`.
#[must_use]
pub fn svg(label: &str, value: &str, colour: &str) -> String {
    const PAD: u32 = 10;
    let left = text_width(label) + PAD;
    let right = text_width(value) + PAD;
    let width = left + right;
    // Texts are drawn at ten times their size and scaled down, for sub-pixel placement.
    let label_x = left * 5;
    let value_x = left * 10 + right * 5;
    let label_len = (left - PAD) * 10;
    let value_len = (right - PAD) * 10;
    let (label, value) = (escape(label), escape(value));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}: {value}"><title>{label}: {value}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{left}" height="20" fill="{label_colour}"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/><rect width="{width}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110"><text aria-hidden="true" x="{label_x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{label_len}">{label}</text><text x="{label_x}" y="140" transform="scale(.1)" fill="#fff" textLength="{label_len}">{label}</text><text aria-hidden="true" x="{value_x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="{value_len}">{value}</text><text x="{value_x}" y="140" transform="scale(.1)" fill="#fff" textLength="{value_len}">{value}</text></g></svg>"##,
        label_colour = colour::LABEL,
    )
}

/// The badges there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Valid,
    Review,
    Vitality,
    Reuse,
}

impl Kind {
    fn of(file: &str) -> Option<Self> {
        match file {
            "valid.svg" => Some(Self::Valid),
            "review.svg" => Some(Self::Review),
            "vitality.svg" => Some(Self::Vitality),
            "reuse.svg" => Some(Self::Reuse),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Valid => "badge.valid",
            Self::Review => "badge.review",
            Self::Vitality => "badge.vitality",
            Self::Reuse => "badge.reuse",
        }
    }
}

/// The colour of a review state.
fn state_colour(state: State) -> &'static str {
    match state {
        State::Compliant => colour::GREEN,
        State::CompliantWithRemarks => colour::YELLOW_GREEN,
        State::NonCompliant => colour::RED,
        State::UnderReview => colour::BLUE,
        State::Discovered | State::AutoChecked | State::Deactivated => colour::GREY,
    }
}

/// The colour of a vitality index (0–100).
fn vitality_colour(v: u8) -> &'static str {
    match v {
        80.. => colour::GREEN,
        60..=79 => colour::YELLOW_GREEN,
        40..=59 => colour::YELLOW,
        20..=39 => colour::ORANGE,
        _ => colour::RED,
    }
}

/// An SVG answer with `status`.
fn answer(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    response
}

/// `GET /badges/{slug}/{file}`: the badge `file` (`valid.svg`, `review.svg`, `vitality.svg`,
/// `reuse.svg`) of entry `slug`, in Italian (`?lang=en` for English).
///
/// # Errors
///
/// A database error; an unknown badge is a 404 page.
pub async fn show(
    state: AppState,
    uri: axum::http::Uri,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let kind = Kind::of(&file).ok_or(AppError::NotFound)?;
    let lang = Lang::from_query(uri.query()).unwrap_or(Lang::It);
    let label = lang.t(kind.label());
    // A slug that cannot exist is not looked up, and gets the same badge as an unknown one.
    let detail = match Key::try_from(slug) {
        Ok(key) => read::software(&state.db, key.as_str()).await?,
        Err(_) => None,
    };
    let Some(detail) = detail.filter(|d| d.software.active) else {
        return Ok(answer(
            StatusCode::NOT_FOUND,
            svg(label, lang.t("badge.not_found"), colour::GREY),
        ));
    };
    let (value, colour) = match kind {
        Kind::Valid => match detail.current.as_ref().map(|c| c.snapshot.valid) {
            Some(true) => (lang.t("badge.valid_yes").to_owned(), colour::GREEN),
            Some(false) => (lang.t("badge.valid_no").to_owned(), colour::RED),
            None => (lang.t("badge.not_found").to_owned(), colour::GREY),
        },
        Kind::Review => {
            let summary = queue::summaries(&state.db, &[detail.software.id]).await?;
            let state = summary
                .get(&detail.software.id)
                .map_or(State::Discovered, |s| s.state);
            (
                lang.t(&format!("review.state.{}", state.as_str()))
                    .to_owned(),
                state_colour(state),
            )
        }
        Kind::Vitality => match detail.software.vitality {
            Some(v) => {
                let points = super::pages::search::vitality_points(v);
                (format!("{points}/100"), vitality_colour(points))
            }
            None => (lang.t("badge.not_computed").to_owned(), colour::GREY),
        },
        Kind::Reuse => {
            let n = crate::community::declarations::of_software(&state.db, detail.software.id)
                .await?
                .len();
            let n = u64::try_from(n).unwrap_or(u64::MAX);
            let colour = if n == 0 { colour::GREY } else { colour::BLUE };
            (lang.count("badge.reuse_value", n), colour)
        }
    };
    Ok(answer(StatusCode::OK, svg(label, &value, colour)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_grow_with_the_text_and_wide_letters_weigh_more() {
        assert_eq!(text_width(""), 0);
        assert!(text_width("mmm") > text_width("iii"));
        assert_eq!(text_width("è"), text_width("e"));
        assert!(text_width("publiccode.yml") > 70 && text_width("publiccode.yml") < 100);
    }

    #[test]
    fn the_badge_is_as_wide_as_its_texts_and_escapes_them() {
        let badge = svg("a<b", "x&\"y'", colour::RED);
        assert!(badge.contains("a&lt;b: x&amp;&quot;y&apos;"), "{badge}");
        assert!(!badge.contains("a<b"));
        let width = text_width("a<b") + 10 + text_width("x&\"y'") + 10;
        assert!(badge.contains(&format!("width=\"{width}\"")), "{badge}");
        assert!(badge.contains(colour::RED) && badge.contains(colour::LABEL));
    }
}
