//! The vitality of catalog entries as stored: the index, the daily scores of its window, the
//! window's last day and the facts it was computed from, all in `software` columns.
//!
//! Owns the encoding of those columns (the series as comma-separated integers oldest first, the
//! form of the Developers Italia API's `vitality` field; the facts as a small JSON object) and
//! the one write that sets them together. It computes nothing: the crawler does
//! (`crawl::vitality`) and hands over a [`VitalityRecord`]. Readers use the accessors on
//! [`software::Model`], which never fail on bad data: a column that does not parse reads as
//! absent.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, DatabaseConnection, DbErr};
use serde::{Deserialize, Serialize};

use super::entities::software;

/// What the index was computed from, kept as `software.vitality_facts` so the web page can
/// explain the number and the crawler can tell whether anything changed since.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VitalityFacts {
    /// The commit `HEAD` pointed at (40 hex digits): the same commit on the same day gives the
    /// same index, so the crawler skips the computation.
    pub commit: Option<String>,
    /// Commits in the window (a merge counts once here).
    pub commits: u32,
    /// Merge commits in the window.
    pub merges: u32,
    /// Distinct authors in the window.
    pub authors: u32,
    /// Tags on commits of the window.
    pub tags: u32,
    /// The day (UTC) of the oldest commit; `None` for a repository without commits.
    pub first_commit: Option<NaiveDate>,
    /// Whole days from the first commit to the computation.
    pub age_days: Option<i64>,
}

/// One computation of the vitality of an entry, as [`record`] stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VitalityRecord {
    /// The index, 0–100.
    pub index: u8,
    /// The daily scores of the window, 0–100 each, oldest first.
    pub series: Vec<u8>,
    /// The last day of the window (UTC).
    pub window_end: NaiveDate,
    /// What it was computed from.
    pub facts: VitalityFacts,
}

/// Stores `vitality` on `entry`, replacing the previous computation. The search
/// index sorts on the index, so the entry's change stamp moves only when the index does.
///
/// # Errors
///
/// Fails on a database error.
pub async fn record(
    db: &DatabaseConnection,
    entry: &software::Model,
    vitality: &VitalityRecord,
) -> Result<(), DbErr> {
    let index = f64::from(vitality.index);
    let mut update = software::ActiveModel {
        id: Set(entry.id),
        vitality: Set(Some(index)),
        vitality_series: Set(Some(encode_series(&vitality.series))),
        vitality_window_end: Set(Some(vitality.window_end)),
        vitality_facts: Set(serde_json::to_string(&vitality.facts).ok()),
        ..Default::default()
    };
    if entry.vitality != Some(index) {
        update.changed_at_us = Set(super::change_stamp());
    }
    update.update(db).await.map(|_| ())
}

impl software::Model {
    /// The daily scores of the vitality window, oldest first, each 0–100. Empty when the
    /// vitality was never computed, or when the stored series is not a list of such numbers (a
    /// partial series would put the scores on the wrong days).
    #[must_use]
    pub fn vitality_series(&self) -> Vec<u8> {
        self.vitality_series
            .as_deref()
            .map(parse_series)
            .unwrap_or_default()
    }

    /// What the vitality index was computed from; `None` when it never was, or the stored
    /// facts do not parse.
    #[must_use]
    pub fn vitality_facts(&self) -> Option<VitalityFacts> {
        self.vitality_facts
            .as_deref()
            .and_then(|facts| serde_json::from_str(facts).ok())
    }

    /// Whether the vitality index was computed on `today` (its window ends then): a repository
    /// whose history did not move needs no new computation until the window moves.
    #[must_use]
    pub fn vitality_fresh(&self, today: NaiveDate) -> bool {
        self.vitality_window_end == Some(today)
    }
}

fn encode_series(series: &[u8]) -> String {
    series
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// `87,87,61` → `[87, 87, 61]`; anything but comma-separated integers 0–100 → empty.
fn parse_series(text: &str) -> Vec<u8> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',')
        .map(|score| score.trim().parse::<u8>().ok().filter(|s| *s <= 100))
        .collect::<Option<Vec<u8>>>()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_round_trips() {
        let series = vec![0, 46, 100, 61];
        assert_eq!(encode_series(&series), "0,46,100,61");
        assert_eq!(parse_series(&encode_series(&series)), series);
        assert_eq!(parse_series(" 1, 2 ,3 "), vec![1, 2, 3]);
    }

    #[test]
    fn bad_series_read_as_empty() {
        for bad in ["", " ", "1,,2", "1,x", "101", "-1", "1;2", "1.5", "256"] {
            assert_eq!(parse_series(bad), Vec::<u8>::new(), "{bad:?}");
        }
    }
}
