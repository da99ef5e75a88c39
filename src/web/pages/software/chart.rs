//! The vitality index as an inline SVG: a gauge of the index on its 0–100 scale and, when the
//! daily series is known, a line of it over the window, with the scale on a vertical axis and the
//! window's first and last days under a horizontal one. Only numbers, dates and our own messages
//! go into the markup, and it uses presentation attributes, never `style`, so the page's CSP
//! holds.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::i18n::Lang;

const WIDTH: u32 = 600;
const HEIGHT: u32 = 170;
const GAUGE: u32 = 24;
/// Room on the left for the vertical axis' labels.
const AXIS: u32 = 40;
/// Room under the line for the horizontal axis' labels.
const FOOT: u32 = 22;

/// The SVG of an index of `index` points with the daily scores `series` (oldest first) of the
/// window that ends on `window_end`.
pub fn vitality(lang: Lang, index: u8, series: &[u8], window_end: Option<NaiveDate>) -> String {
    let label = lang.tf(
        "software.vitality_chart",
        &[("index", &index), ("days", &series.len())],
    );
    let mut svg = String::new();
    let line = series.len() > 1;
    let height = if line { HEIGHT } else { GAUGE + FOOT };
    let _ = write!(
        svg,
        r#"<svg class="vitality-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>"#,
        label = escape(&label)
    );
    let plot = WIDTH - AXIS;
    let filled = u32::from(index.min(100)) * plot / 100;
    let _ = write!(
        svg,
        "<rect x=\"{AXIS}\" y=\"0\" width=\"{plot}\" height=\"{GAUGE}\" fill=\"#e3e4e6\"/>\
         <rect x=\"{AXIS}\" y=\"0\" width=\"{filled}\" height=\"{GAUGE}\" fill=\"#0066cc\"/>\
         <text x=\"{AXIS}\" y=\"{y}\" font-size=\"11\" fill=\"#3d4955\">0</text>\
         <text x=\"{WIDTH}\" y=\"{y}\" font-size=\"11\" fill=\"#3d4955\" text-anchor=\"end\">100</text>",
        y = GAUGE + 13
    );
    if line {
        let top = GAUGE + FOOT;
        let span = HEIGHT - top - FOOT;
        let bottom = top + span;
        let last = series.len() - 1;
        let mut points = String::new();
        for (i, score) in series.iter().enumerate() {
            let x = AXIS
                + u32::try_from(i).unwrap_or(u32::MAX).saturating_mul(plot)
                    / u32::try_from(last).unwrap_or(1).max(1);
            let y = bottom - u32::from((*score).min(100)) * span / 100;
            let _ = write!(points, "{x},{y} ");
        }
        for (value, y) in [(100, top), (50, top + span / 2), (0, bottom)] {
            let _ = write!(
                svg,
                "<line x1=\"{AXIS}\" y1=\"{y}\" x2=\"{WIDTH}\" y2=\"{y}\" stroke=\"#c5c7c9\" stroke-width=\"1\"/>\
                 <text x=\"{lx}\" y=\"{ty}\" font-size=\"11\" fill=\"#3d4955\" text-anchor=\"end\">{value}</text>",
                lx = AXIS - 4,
                ty = y + 4
            );
        }
        let _ = write!(
            svg,
            "<line x1=\"{AXIS}\" y1=\"{top}\" x2=\"{AXIS}\" y2=\"{bottom}\" stroke=\"#5c6f82\" stroke-width=\"1\"/>\
             <line x1=\"{AXIS}\" y1=\"{bottom}\" x2=\"{WIDTH}\" y2=\"{bottom}\" stroke=\"#5c6f82\" stroke-width=\"1\"/>\
             <polyline points=\"{points}\" fill=\"none\" stroke=\"#004d99\" stroke-width=\"2\"/>",
            points = points.trim_end()
        );
        let days = i64::try_from(last).unwrap_or(0);
        let (first, end) = match window_end {
            Some(end) => (
                (end - chrono::Duration::days(days)).to_string(),
                end.to_string(),
            ),
            None => (
                lang.tf("software.vitality_days_ago", &[("n", &days)]),
                lang.t("software.vitality_today").to_owned(),
            ),
        };
        let _ = write!(
            svg,
            "<text x=\"{AXIS}\" y=\"{y}\" font-size=\"11\" fill=\"#3d4955\">{first}</text>\
             <text x=\"{WIDTH}\" y=\"{y}\" font-size=\"11\" fill=\"#3d4955\" text-anchor=\"end\">{end}</text>",
            y = HEIGHT - 6,
            first = escape(&first),
            end = escape(&end)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// `text` safe inside an attribute or element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauge_alone_and_with_a_series_and_its_axes() {
        let gauge = vitality(Lang::En, 50, &[], None);
        assert!(gauge.contains("width=\"280\""), "{gauge}");
        assert!(!gauge.contains("polyline"));
        assert!(gauge.contains(">100</text>"), "the scale's end is labelled");
        let end = NaiveDate::from_ymd_opt(2026, 3, 31);
        let line = vitality(Lang::En, 80, &[0, 100, 50], end);
        assert!(line.contains("points=\"40,148 320,46 600,97\""), "{line}");
        assert!(line.contains(">50</text>"), "the vertical axis is labelled");
        assert!(line.contains(">2026-03-29</text>") && line.contains(">2026-03-31</text>"));
        assert!(!line.contains("style"));
    }
}
