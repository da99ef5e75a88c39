//! The vitality index: how alive a repository is, from its git history.
//!
//! Owns the Developers Italia formula (user community, code activity, release history and
//! longevity, each scored by ranges, summed per day, capped at 100, averaged over the window)
//! and reading the facts it needs from a local clone with gix. It does not clone or fetch:
//! the crawler hands it a path. gix is blocking, so async callers use [`compute_async`], which
//! runs the work with `spawn_blocking`. The gix repository handle never leaves
//! `read_history`, and no signature names its type, so the `clippy.toml` ban on it needs no
//! exemption here.

use std::collections::{BTreeMap, HashSet};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;

/// How many days back the index looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window(NonZeroU16);

impl Window {
    /// 60 days, as Developers Italia computes it.
    pub const DEFAULT: Window = Window(NonZeroU16::MIN.saturating_add(59));

    /// A window of `days` calendar days ending with today.
    #[must_use]
    pub const fn new(days: NonZeroU16) -> Self {
        Self(days)
    }

    /// Its length in days.
    #[must_use]
    pub const fn days(self) -> u16 {
        self.0.get()
    }
}

impl Default for Window {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One day of the window: what happened, and the score it earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Day {
    /// The calendar day (UTC).
    pub date: NaiveDate,
    /// Commits authored that day.
    pub commits: u32,
    /// Of which merges (commits with more than one parent).
    pub merges: u32,
    /// Tags on commits authored that day.
    pub tags: u32,
    /// The day's score, 0–100.
    pub score: u8,
}

/// The vitality of a repository at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vitality {
    /// The index, 0–100: the mean of the daily scores, rounded down.
    pub index: u8,
    /// Commits in the window (a merge counts once here).
    pub commits: u32,
    /// Merge commits in the window.
    pub merges: u32,
    /// Distinct authors in the window, by e-mail address ignoring case.
    pub authors: u32,
    /// Tags in the window, dated by the commit they point at.
    pub tags: u32,
    /// The oldest commit's author date, `None` for a repository without commits.
    pub first_commit: Option<DateTime<Utc>>,
    /// Whole days from the first commit to `now`.
    pub age_days: Option<i64>,
    /// Every day of the window, oldest first: the series the web page charts.
    pub days: Vec<Day>,
}

/// Why the vitality of a repository could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum VitalityError {
    /// The path is not a git repository gix can open.
    #[error("cannot open the git repository at {}", path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// gix's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The repository opened, but part of its history could not be read.
    #[error("cannot read {what} in the git repository at {}", path.display())]
    Read {
        /// What was being read (`HEAD`, `the history`, `tags`).
        what: &'static str,
        /// The repository.
        path: PathBuf,
        /// gix's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The blocking task did not finish (it panicked or the runtime is shutting down).
    #[error("the vitality task for {} did not finish", path.display())]
    Task {
        /// The repository.
        path: PathBuf,
        /// Tokio's error.
        #[source]
        source: tokio::task::JoinError,
    },
}

/// One `(min inclusive, max exclusive, points)` range of an indicator.
type Range = (i64, i64, u8);

/// Distinct authors in the window.
pub const USER_COMMUNITY: &[Range] = &[
    (0, 2, 4),
    (2, 4, 8),
    (4, 8, 12),
    (8, 12, 16),
    (12, 16, 20),
    (16, 20, 24),
    (20, 24, 28),
    (24, 28, 32),
    (28, 10_000, 36),
];

/// Commits plus merges on the day (a merge counts twice).
pub const CODE_ACTIVITY: &[Range] = &[
    (0, 4, 2),
    (4, 6, 8),
    (6, 9, 14),
    (9, 12, 20),
    (12, 15, 26),
    (15, 18, 32),
    (18, 25, 38),
    (25, 30, 44),
    (30, 35, 50),
    (35, 10_000, 60),
];

/// Tags on the day.
pub const RELEASE_HISTORY: &[Range] = &[(0, 1, 20), (1, 2, 30), (2, 4, 40), (4, 100, 50)];

/// The repository's age on the day, in days since the first commit.
pub const LONGEVITY: &[Range] = &[(0, 365, 20), (365, 730, 30), (730, 10_000, 35)];

/// Points of `value` in `ranges`; 0 when no range holds it.
#[must_use]
pub fn points(ranges: &[Range], value: i64) -> u8 {
    ranges
        .iter()
        .find(|(min, max, _)| (*min..*max).contains(&value))
        .map_or(0, |(_, _, points)| *points)
}

/// The facts read from the history, before scoring.
#[derive(Debug, Default)]
struct History {
    /// Author date (UTC), parent count and lower-cased author e-mail of each commit.
    commits: Vec<(DateTime<Utc>, usize, String)>,
    /// Author date of the commit each tag points at.
    tags: Vec<DateTime<Utc>>,
}

/// Computes the vitality of the repository at `path` as of `now`. Blocking: use
/// [`compute_async`] on the async runtime.
///
/// # Errors
///
/// [`VitalityError`] when the repository cannot be opened or read.
pub fn compute(path: &Path, now: DateTime<Utc>, window: Window) -> Result<Vitality, VitalityError> {
    let history = read_history(path)?;
    Ok(score(&history, now, window))
}

/// [`compute`] on a blocking thread.
///
/// # Errors
///
/// As [`compute`], plus [`VitalityError::Task`] if the blocking task does not finish.
pub async fn compute_async(
    path: PathBuf,
    now: DateTime<Utc>,
    window: Window,
) -> Result<Vitality, VitalityError> {
    let span = tracing::Span::current();
    let for_task = path.clone();
    tokio::task::spawn_blocking(move || span.in_scope(|| compute(&for_task, now, window)))
        .await
        .map_err(|source| VitalityError::Task { path, source })?
}

fn score(history: &History, now: DateTime<Utc>, window: Window) -> Vitality {
    let today = now.date_naive();
    let first_day = today - Days::new(u64::from(window.days().saturating_sub(1)));
    let in_window = |at: &DateTime<Utc>| {
        let date = at.date_naive();
        *at <= now && date >= first_day && date <= today
    };

    let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    let mut date = first_day;
    while date <= today {
        days.insert(
            date,
            Day {
                date,
                commits: 0,
                merges: 0,
                tags: 0,
                score: 0,
            },
        );
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }

    let mut authors = HashSet::new();
    for (at, parents, email) in history.commits.iter().filter(|(at, ..)| in_window(at)) {
        authors.insert(email.as_str());
        if let Some(day) = days.get_mut(&at.date_naive()) {
            day.commits += 1;
            if *parents > 1 {
                day.merges += 1;
            }
        }
    }
    for at in history.tags.iter().filter(|at| in_window(at)) {
        if let Some(day) = days.get_mut(&at.date_naive()) {
            day.tags += 1;
        }
    }

    let first_commit = history.commits.iter().map(|(at, ..)| *at).min();
    let authors = u32::try_from(authors.len()).unwrap_or(u32::MAX);
    let community = points(USER_COMMUNITY, i64::from(authors));
    let mut total: u32 = 0;
    for day in days.values_mut() {
        day.score = match first_commit {
            None => 0,
            Some(first) => {
                let activity = points(
                    CODE_ACTIVITY,
                    i64::from(day.commits) + i64::from(day.merges),
                );
                let releases = points(RELEASE_HISTORY, i64::from(day.tags));
                // Before the first commit the repository did not exist: no longevity points.
                let age = (day.date - first.date_naive()).num_days();
                let longevity = if age < 0 { 0 } else { points(LONGEVITY, age) };
                let sum = u16::from(community)
                    + u16::from(activity)
                    + u16::from(releases)
                    + u16::from(longevity);
                u8::try_from(sum.min(100)).unwrap_or(100)
            }
        };
        total += u32::from(day.score);
    }
    let days: Vec<Day> = days.into_values().collect();
    let index = u8::try_from(total / u32::from(window.days())).unwrap_or(100);
    Vitality {
        index,
        commits: days.iter().map(|d| d.commits).sum(),
        merges: days.iter().map(|d| d.merges).sum(),
        authors,
        tags: days.iter().map(|d| d.tags).sum(),
        first_commit,
        age_days: first_commit.map(|first| (now - first).num_days()),
        days,
    }
}

fn boxed(
    e: impl std::error::Error + Send + Sync + 'static,
) -> Box<dyn std::error::Error + Send + Sync> {
    Box::new(e)
}

fn read_history(path: &Path) -> Result<History, VitalityError> {
    let repo = gix::open(path).map_err(|e| VitalityError::Open {
        path: path.to_path_buf(),
        source: boxed(e),
    })?;
    let read = |what: &'static str| {
        move |source: Box<dyn std::error::Error + Send + Sync>| VitalityError::Read {
            what,
            path: path.to_path_buf(),
            source,
        }
    };
    let head = repo.head().map_err(boxed).map_err(read("HEAD"))?;
    let Some(tip) = head.id() else {
        // An unborn HEAD: a repository without commits.
        return Ok(History::default());
    };
    let mut history = History::default();
    let walk = repo
        .rev_walk([tip.detach()])
        .all()
        .map_err(boxed)
        .map_err(read("the history"))?;
    for info in walk {
        let info = info.map_err(boxed).map_err(read("the history"))?;
        let commit = info.object().map_err(boxed).map_err(read("a commit"))?;
        let author = commit
            .author()
            .map_err(boxed)
            .map_err(read("a commit author"))?;
        let time = author
            .time()
            .map_err(boxed)
            .map_err(read("a commit date"))?;
        let email = if author.email.is_empty() {
            author.name.to_string()
        } else {
            author.email.to_string()
        };
        history.commits.push((
            utc(time.seconds),
            info.parent_ids.len(),
            email.trim().to_lowercase(),
        ));
    }
    let references = repo.references().map_err(boxed).map_err(read("tags"))?;
    for reference in references.tags().map_err(boxed).map_err(read("tags"))? {
        let mut reference = reference.map_err(boxed).map_err(read("tags"))?;
        // Tags on trees or blobs are not releases of the code.
        let Ok(commit) = reference.peel_to_commit() else {
            continue;
        };
        let author = commit
            .author()
            .map_err(boxed)
            .map_err(read("a tagged commit"))?;
        let time = author
            .time()
            .map_err(boxed)
            .map_err(read("a tagged commit"))?;
        history.tags.push(utc(time.seconds));
    }
    Ok(history)
}

fn utc(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_half_open() {
        assert_eq!(points(USER_COMMUNITY, 0), 4);
        assert_eq!(points(USER_COMMUNITY, 2), 8);
        assert_eq!(points(CODE_ACTIVITY, 3), 2);
        assert_eq!(points(CODE_ACTIVITY, 4), 8);
        assert_eq!(points(RELEASE_HISTORY, 4), 50);
        assert_eq!(points(RELEASE_HISTORY, 100), 0);
        assert_eq!(points(LONGEVITY, 364), 20);
        assert_eq!(points(LONGEVITY, 365), 30);
        assert_eq!(points(LONGEVITY, -1), 0);
    }

    #[test]
    fn default_window_is_sixty_days() {
        assert_eq!(Window::default().days(), 60);
    }

    #[test]
    fn no_commits_scores_zero() {
        let now = utc(1_772_366_400);
        let v = score(&History::default(), now, Window::DEFAULT);
        assert_eq!(v.index, 0);
        assert_eq!(v.days.len(), 60);
        assert_eq!(v.first_commit, None);
    }
}
