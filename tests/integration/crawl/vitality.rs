//! The vitality index on real repositories built with the `git` command, with fixed dates and
//! authors, so every index below is exact.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{DateTime, Duration, TimeZone, Utc};
use riuso::crawl::vitality::{self, VitalityError, Window};

/// The moment every test computes the index at.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn days_ago(days: i64) -> DateTime<Utc> {
    now() - Duration::days(days)
}

/// On each of the window's 60 days, from `hour` o'clock, `per_day` commits a minute apart by
/// `authors` authors in turn (`dev0@example.it`, `dev1@example.it`, ...).
fn every_day(hour: u32, per_day: i64, authors: i64) -> Vec<(DateTime<Utc>, String)> {
    let mut commits = Vec::new();
    for day in (0..60).rev() {
        let start = days_ago(day)
            .date_naive()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
            .and_utc();
        for i in 0..per_day {
            commits.push((
                start + Duration::minutes(i),
                format!("dev{}@example.it", i % authors),
            ));
        }
    }
    commits
}

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Self {
        let repo = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"], &[]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str], env: &[(&str, String)]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// An empty commit authored and committed at `at` by `email`; returns its id.
    fn commit(&self, at: DateTime<Utc>, email: &str) -> String {
        let date = format!("@{} +0000", at.timestamp());
        let env = [
            ("GIT_AUTHOR_NAME", "Dev".to_owned()),
            ("GIT_AUTHOR_EMAIL", email.to_owned()),
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_NAME", "Dev".to_owned()),
            ("GIT_COMMITTER_EMAIL", email.to_owned()),
            ("GIT_COMMITTER_DATE", date),
        ];
        self.git(&["commit", "-q", "--allow-empty", "-m", "change"], &env);
        self.git(&["rev-parse", "HEAD"], &[]).trim().to_owned()
    }

    /// Many commits at once, through `git fast-import`, on top of `main`.
    fn bulk(&self, commits: &[(DateTime<Utc>, String)]) {
        let mut stream = String::new();
        for (i, (at, email)) in commits.iter().enumerate() {
            let t = at.timestamp();
            stream.push_str(&format!(
                "commit refs/heads/main\nauthor Dev <{email}> {t} +0000\ncommitter Dev <{email}> {t} +0000\ndata 6\nchange\n"
            ));
            if i == 0 {
                stream.push_str("from refs/heads/main^0\n");
            }
            stream.push('\n');
        }
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(self.path())
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stream.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
    }

    fn tag(&self, name: &str, rev: &str) {
        self.git(&["tag", name, rev], &[]);
    }

    fn annotated_tag(&self, name: &str, rev: &str, at: DateTime<Utc>) {
        let env = [
            ("GIT_COMMITTER_NAME", "Dev".to_owned()),
            ("GIT_COMMITTER_EMAIL", "dev@example.it".to_owned()),
            ("GIT_COMMITTER_DATE", format!("@{} +0000", at.timestamp())),
        ];
        self.git(&["tag", "-a", name, "-m", "release", rev], &env);
    }

    fn vitality(&self) -> vitality::Vitality {
        vitality::compute(self.path(), now(), Window::DEFAULT).unwrap()
    }
}

#[test]
fn crawl_vitality_empty_window() {
    let repo = Repo::new();
    repo.commit(days_ago(100), "dev@example.it");
    repo.commit(days_ago(90), "dev@example.it");
    let v = repo.vitality();
    // Every day: 0 authors (4) + 0 commits (2) + 0 tags (20) + age under a year (20).
    assert_eq!(v.index, 46);
    assert_eq!((v.commits, v.authors, v.tags), (0, 0, 0));
    assert_eq!(v.age_days, Some(100));
    assert_eq!(v.days.len(), 60);
    assert!(v.days.iter().all(|d| d.commits == 0 && d.score == 46));
    assert_eq!(v.days[0].date, days_ago(59).date_naive());
    assert_eq!(v.days[59].date, now().date_naive());
}

#[test]
fn crawl_vitality_old_quiet_repository() {
    let repo = Repo::new();
    repo.commit(days_ago(800), "dev@example.it");
    repo.commit(days_ago(400), "dev@example.it");
    // 4 + 2 + 20 + 35 (two years or more).
    assert_eq!(repo.vitality().index, 61);
}

#[test]
fn crawl_vitality_longevity_crosses_a_year_inside_the_window() {
    let repo = Repo::new();
    repo.commit(days_ago(400), "dev@example.it");
    let v = repo.vitality();
    // Ages 341..=364 on 24 days (46 each), 365..=400 on 36 days (56 each): 3120 / 60.
    assert_eq!(v.index, 52);
    assert_eq!(v.days[0].score, 46);
    assert_eq!(v.days[59].score, 56);
}

#[test]
fn crawl_vitality_very_active_repository_is_capped() {
    let repo = Repo::new();
    repo.commit(days_ago(800), "founder@example.it");
    repo.bulk(&every_day(1, 36, 30));
    let v = repo.vitality();
    // 30 authors (36) + 36 commits a day (60) + no tags (20) + age (35) = 151, capped at 100.
    assert_eq!(v.index, 100);
    assert_eq!((v.commits, v.authors), (2160, 30));
    assert!(v.days.iter().all(|d| d.commits == 36 && d.score == 100));
}

#[test]
fn crawl_vitality_active_repository() {
    let repo = Repo::new();
    repo.commit(days_ago(800), "founder@example.it");
    repo.bulk(&every_day(2, 10, 5));
    let v = repo.vitality();
    // 5 authors (12) + 10 commits a day (20) + no tags (20) + age (35).
    assert_eq!(v.index, 87);
    assert_eq!((v.commits, v.authors, v.tags), (600, 5, 0));
}

#[test]
fn crawl_vitality_tags_inside_and_outside_the_window() {
    let repo = Repo::new();
    let old = repo.commit(days_ago(800), "dev@example.it");
    let recent = repo.commit(days_ago(10), "dev@example.it");
    repo.tag("v0.1", &old);
    repo.tag("v1.0", &recent);
    // Dated by the commit it points at, not by the tagger date.
    repo.annotated_tag("v1.1", &recent, days_ago(1));
    let v = repo.vitality();
    assert_eq!(v.tags, 2);
    let day = v
        .days
        .iter()
        .find(|d| d.date == days_ago(10).date_naive())
        .unwrap();
    assert_eq!((day.commits, day.tags), (1, 2));
    // 1 author (4) + 1 commit (2) + 2 tags (40) + age (35).
    assert_eq!(day.score, 81);
    assert!(
        v.days
            .iter()
            .filter(|d| d.date != day.date)
            .all(|d| d.score == 61)
    );
    // (59 × 61 + 81) / 60 = 61.33, rounded down.
    assert_eq!(v.index, 61);
}

#[test]
fn crawl_vitality_authors_differing_only_in_case_are_one() {
    let repo = Repo::new();
    repo.commit(days_ago(800), "founder@example.it");
    repo.commit(days_ago(5), "Dev@Example.IT");
    repo.commit(days_ago(4), "dev@example.it");
    let v = repo.vitality();
    assert_eq!(v.authors, 1);
    // One author scores 4; two would have scored 8 and an index of 65.
    assert_eq!(v.index, 61);
}

#[test]
fn crawl_vitality_repository_without_commits_scores_zero() {
    let repo = Repo::new();
    let v = repo.vitality();
    assert_eq!(v.index, 0);
    assert_eq!(v.first_commit, None);
}

#[test]
fn crawl_vitality_not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let err = vitality::compute(dir.path(), now(), Window::DEFAULT).unwrap_err();
    assert!(matches!(err, VitalityError::Open { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("cannot open the git repository at ")
    );
}

#[tokio::test]
async fn crawl_vitality_async_runs_off_the_runtime() {
    let repo = Repo::new();
    repo.commit(days_ago(3), "dev@example.it");
    let v = vitality::compute_async(repo.path().to_path_buf(), now(), Window::DEFAULT)
        .await
        .unwrap();
    // Days before the first commit get no longevity points: 57 × 26 + 3 × 46 = 1620.
    assert_eq!(v.index, 27);
    assert_eq!(v.commits, 1);
}
