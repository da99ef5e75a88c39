//! A `publiccode.yml` as the pages show it: numbered lines, each with the anchor its
//! diagnostics link to, the lines with an error or a warning marked; of a long file, only the
//! lines around the diagnostics. The validator shows the file it checked, a solution's page the
//! invalid file its repository holds and the current one.

use std::collections::{BTreeSet, HashMap};

use crate::i18n::Lang;
use crate::publiccode::{Diagnostic, Severity};

/// Lines of a file listed when it is longer: those around the diagnostics.
pub const MAX_LINES: usize = 1000;

/// Lines shown before and after a diagnostic's line, in a long file.
const CONTEXT: usize = 3;

/// A diagnostic as a page lists it, linking to its line in the file the page shows.
pub struct DiagnosticView {
    pub(super) error: bool,
    pub(super) key: String,
    pub(super) line: u32,
    pub(super) column: u32,
    pub(super) help: String,
    pub(super) message: String,
    pub(super) code: &'static str,
    /// The id of its line in the file the page shows.
    pub(super) anchor: String,
}

impl DiagnosticView {
    /// `d` as a reader of `lang` sees it: what the code means in their language, and the detail;
    /// its line's id in the file is `line_prefix` and the line's number.
    pub fn of(lang: Lang, d: &Diagnostic, line_prefix: &str) -> Self {
        Self {
            error: d.severity == Severity::Error,
            key: d.key.clone(),
            line: d.line,
            column: d.column,
            help: lang.diagnostic_help(d.code).to_owned(),
            message: d.message.clone(),
            code: d.code.as_str(),
            anchor: format!("{line_prefix}{}", d.line),
        }
    }
}

/// A line of the file.
pub struct FileLine {
    pub(super) number: usize,
    /// Whether lines were left out just before this one.
    pub(super) gap_before: bool,
    pub(super) text: String,
    /// `error`, `warning` or empty.
    pub(super) mark: &'static str,
}

/// The lines of a file a page lists.
pub struct Listing {
    /// The lines, in order.
    pub lines: Vec<FileLine>,
    /// How many lines are not listed.
    pub omitted: usize,
}

/// The lines of `text` to list, marked by `diagnostics`: all of them when the file has at most
/// `whole_up_to` lines, else those around the lines of `shown` (the diagnostics the page lists),
/// never more than [`MAX_LINES`]. Linear in the size of the file and the number of diagnostics.
#[must_use]
pub fn listing(
    text: &str,
    diagnostics: &[Diagnostic],
    shown: &[Diagnostic],
    whole_up_to: usize,
) -> Listing {
    // The mark of each line, from every diagnostic, in one pass: an error wins over a warning.
    let mut marks: HashMap<usize, &'static str> = HashMap::new();
    for d in diagnostics {
        let Ok(line) = usize::try_from(d.line) else {
            continue;
        };
        let mark = if d.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        let slot = marks.entry(line).or_insert(mark);
        if mark == "error" {
            *slot = "error";
        }
    }
    let total_lines = text.lines().count();
    let wanted: Option<BTreeSet<usize>> = (total_lines > whole_up_to.min(MAX_LINES)).then(|| {
        shown
            .iter()
            .filter_map(|d| usize::try_from(d.line).ok().filter(|l| *l > 0))
            .flat_map(|l| l.saturating_sub(CONTEXT).max(1)..=l + CONTEXT)
            .take(MAX_LINES)
            .collect()
    });
    let mut lines = Vec::new();
    let mut previous = 0;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if wanted.as_ref().is_some_and(|w| !w.contains(&number)) {
            continue;
        }
        lines.push(FileLine {
            number,
            gap_before: number != previous + 1,
            text: line.to_owned(),
            mark: marks.get(&number).copied().unwrap_or(""),
        });
        previous = number;
        if lines.len() >= MAX_LINES {
            break;
        }
    }
    let omitted = total_lines - lines.len();
    Listing { lines, omitted }
}
