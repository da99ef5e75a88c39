//! The vitality index as an inline SVG: a gauge of the index and, when the daily series is
//! known, a line of it over the window. Only numbers and our own messages go into the markup,
//! and it uses presentation attributes, never `style`, so the page's CSP holds.

use std::fmt::Write as _;

use crate::i18n::Lang;

const WIDTH: u32 = 600;
const HEIGHT: u32 = 140;
const GAUGE: u32 = 24;

/// The SVG of an index of `index` points with the daily scores `series` (oldest first).
pub fn vitality(lang: Lang, index: u8, series: &[u8]) -> String {
    let label = lang.tf(
        "software.vitality_chart",
        &[("index", &index), ("days", &series.len())],
    );
    let mut svg = String::new();
    let height = if series.len() > 1 { HEIGHT } else { GAUGE };
    let _ = write!(
        svg,
        r#"<svg class="vitality-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>"#,
        label = escape(&label)
    );
    let filled = u32::from(index.min(100)) * WIDTH / 100;
    let _ = write!(
        svg,
        "<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{GAUGE}\" fill=\"#e3e4e6\"/>\
         <rect x=\"0\" y=\"0\" width=\"{filled}\" height=\"{GAUGE}\" fill=\"#0066cc\"/>"
    );
    if series.len() > 1 {
        let top = GAUGE + 12;
        let span = HEIGHT - top - 2;
        let last = series.len() - 1;
        let mut points = String::new();
        for (i, score) in series.iter().enumerate() {
            let x = u32::try_from(i).unwrap_or(u32::MAX).saturating_mul(WIDTH)
                / u32::try_from(last).unwrap_or(1).max(1);
            let y = top + span - u32::from((*score).min(100)) * span / 100;
            let _ = write!(points, "{x},{y} ");
        }
        let _ = write!(
            svg,
            "<line x1=\"0\" y1=\"{bottom}\" x2=\"{WIDTH}\" y2=\"{bottom}\" stroke=\"#5c6f82\" stroke-width=\"1\"/>\
             <polyline points=\"{points}\" fill=\"none\" stroke=\"#004d99\" stroke-width=\"2\"/>",
            bottom = top + span,
            points = points.trim_end()
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
    fn gauge_alone_and_with_a_series() {
        let gauge = vitality(Lang::En, 50, &[]);
        assert!(gauge.contains("width=\"300\""), "{gauge}");
        assert!(!gauge.contains("polyline"));
        let line = vitality(Lang::En, 80, &[0, 100, 50]);
        assert!(line.contains("points=\"0,138 300,36 600,87\""), "{line}");
        assert!(!line.contains("style"));
    }
}
