//! What an entry's owners are told by e-mail about its review: the outcome a reviewer recorded
//! ([`outcome`], in the transaction that appends it), and, [`REMIND_DAYS`] days before the
//! deadline of a non-compliant outcome, that the fixes are due ([`remind`], once per outcome:
//! the `review_reminders` table remembers it).
//!
//! The owners are the verified members of the administration that owns the entry: its
//! publisher, when the source it was crawled from confirmed it (as for reuse declarations; a
//! file that only names an administration mails nobody there). Each gets the message in the
//! language of their account; the texts are `mail.review_outcome` and `mail.review_deadline` of
//! the locale files. The messages go through the outbox (`mail::enqueue`).

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _, SqlErr, Statement,
};

use super::ComplianceError;
use super::entities::{review_events, review_reminders};
use super::review::{Event, Finding, Outcome, State, Subject, Transition};
use crate::catalog::reuse;
use crate::community::entities::users;
use crate::community::memberships;
use crate::i18n::Lang;
use crate::mail::{self, MailError, Message};

/// How many days before the deadline of a non-compliant outcome its owners are reminded.
pub const REMIND_DAYS: u64 = 7;

/// An entry as its owners' messages name it.
struct Owned {
    name: String,
    slug: String,
    owners: Vec<users::Model>,
}

/// Entry `software_id` with the verified members of its owner; `None` when it has no owner
/// (or no such entry).
async fn owned(db: &impl ConnectionTrait, software_id: i64) -> Result<Option<Owned>, DbErr> {
    let Some(entry) = reuse::entries(db, [software_id])
        .await?
        .remove(&software_id)
    else {
        return Ok(None);
    };
    let Some(owner) = entry.owner_id else {
        return Ok(None);
    };
    Ok(Some(Owned {
        name: entry.name,
        slug: entry.slug,
        owners: memberships::verified_members(db, owner).await?,
    }))
}

/// Queues `write`'s message to each owner in `entry` that has an address; how many were queued.
async fn send_all(
    db: &impl ConnectionTrait,
    entry: &Owned,
    write: impl Fn(Lang, &str) -> Message,
) -> Result<usize, DbErr> {
    let mut sent = 0;
    for person in &entry.owners {
        let Some(email) = &person.email else { continue };
        let lang = Lang::from_tag(&person.lang).unwrap_or_default();
        match mail::enqueue(db, &write(lang, email)).await {
            Ok(_) => sent += 1,
            // One member's unusable address does not keep the others uninformed.
            Err(MailError::Build(_)) => {
                tracing::warn!(
                    user.id = person.id,
                    "an owner member's address cannot be mailed"
                );
            }
            Err(MailError::Db(e)) => return Err(e),
            Err(e) => return Err(DbErr::Custom(e.to_string())),
        }
    }
    Ok(sent)
}

/// The address of entry `slug`'s compliance section.
fn link(public_url: &str, slug: &str) -> String {
    format!(
        "{}/software/{slug}#compliance",
        public_url.trim_end_matches('/')
    )
}

/// Queues, on `db` (the transaction that appends `event`), the message that tells each owner
/// of entry `software_id` the outcome `event` records, linking to `public_url`; nothing for
/// another move or an entry without an owner. Answers how many messages were queued.
///
/// # Errors
///
/// Fails on a database error.
pub async fn outcome(
    db: &impl ConnectionTrait,
    software_id: i64,
    event: &Event,
    public_url: &str,
) -> Result<usize, DbErr> {
    let Transition::Record {
        outcome,
        findings,
        deadline,
        ..
    } = &event.evidence
    else {
        return Ok(0);
    };
    let Some(entry) = owned(db, software_id).await? else {
        return Ok(0);
    };
    let link = link(public_url, &entry.slug);
    send_all(db, &entry, |lang, to| {
        outcome_message(lang, to, &entry.name, *outcome, findings, *deadline, &link)
    })
    .await
}

/// A non-compliant outcome whose deadline may need a reminder.
struct Pending {
    event: i64,
    software: i64,
    recorded: NaiveDate,
    deadline: NaiveDate,
    findings: Vec<Finding>,
}

impl Pending {
    /// Whether its owners are reminded on `today`: the deadline is [`REMIND_DAYS`] days away or
    /// less and not past, and the outcome was recorded before the reminder's day (else its own
    /// message named the deadline already).
    fn due(&self, today: NaiveDate) -> bool {
        let from = self
            .deadline
            .checked_sub_days(Days::new(REMIND_DAYS))
            .unwrap_or(NaiveDate::MIN);
        from <= today && today <= self.deadline && self.recorded < from
    }
}

/// The entries whose review ends, for now, in a non-compliant outcome with a deadline that has
/// not been reminded, with that outcome; active entries only.
async fn pending(db: &DatabaseConnection) -> Result<Vec<Pending>, ComplianceError> {
    let backend = db.get_database_backend();
    let sql = crate::db::numbered(
        backend,
        "SELECT e.id AS id FROM review_events e JOIN software s ON s.id = e.software_id \
         WHERE e.to_state = ? AND s.active = ? \
         AND e.id = (SELECT MAX(x.id) FROM review_events x WHERE x.software_id = e.software_id) \
         AND NOT EXISTS (SELECT 1 FROM review_reminders r WHERE r.event_id = e.id) \
         ORDER BY e.id",
    );
    let ids: Vec<i64> = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [State::NonCompliant.as_str().into(), true.into()],
        ))
        .await?
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = review_events::Entity::find()
        .filter(review_events::Column::Id.is_in(ids))
        .order_by_asc(review_events::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let evidence: Transition =
            serde_json::from_str(&row.evidence).map_err(|e| ComplianceError::Unreadable {
                id: row.id,
                message: e.to_string(),
            })?;
        if let Transition::Record {
            deadline: Some(deadline),
            findings,
            ..
        } = evidence
        {
            out.push(Pending {
                event: row.id,
                software: row.software_id,
                recorded: row.at.with_timezone(&Utc).date_naive(),
                deadline,
                findings,
            });
        }
    }
    Ok(out)
}

/// Reminds the owners of every active entry whose non-compliant outcome has its deadline
/// [`REMIND_DAYS`] days after `today` or sooner, once per outcome, linking to `public_url`;
/// answers how many entries were reminded. An entry without an owner to tell is looked at again
/// next time (its owner may be confirmed meanwhile).
///
/// # Errors
///
/// Fails on a database error or an unreadable review event.
pub async fn remind(
    db: &DatabaseConnection,
    today: NaiveDate,
    now: DateTime<Utc>,
    public_url: &str,
) -> Result<usize, ComplianceError> {
    let mut reminded = 0;
    for due in pending(db).await?.into_iter().filter(|p| p.due(today)) {
        let txn = crate::db::begin_write(db).await?;
        // The outcome still stands (a reviewer may have claimed the entry since).
        let latest = review_events::Entity::find()
            .filter(review_events::Column::SoftwareId.eq(due.software))
            .order_by_desc(review_events::Column::Id)
            .one(&txn)
            .await?
            .map(|e| e.id);
        if latest != Some(due.event) {
            continue;
        }
        // The reminder's row first: its event is unique, so of two servers reminding at once
        // one writes it and mails, the other finds it taken and rolls back.
        let row = review_reminders::ActiveModel {
            event_id: Set(due.event),
            software_id: Set(due.software),
            deadline: Set(due.deadline),
            sent_at: Set(now.fixed_offset()),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        match row {
            Ok(_) => {}
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => continue,
            Err(e) => return Err(e.into()),
        }
        let Some(entry) = owned(&txn, due.software).await? else {
            continue;
        };
        let link = link(public_url, &entry.slug);
        let sent = send_all(&txn, &entry, |lang, to| {
            reminder_message(lang, to, &entry.name, due.deadline, &due.findings, &link)
        })
        .await?;
        if sent == 0 {
            continue;
        }
        txn.commit().await?;
        tracing::info!(
            software.id = due.software,
            review.deadline = %due.deadline,
            mail.queued = sent,
            "owners reminded of a review's deadline"
        );
        reminded += 1;
    }
    Ok(reminded)
}

/// What a finding is about, in `lang`: a rule's description with its id, or a checklist
/// item's label.
fn subject(lang: Lang, subject: Subject) -> String {
    match subject {
        Subject::Rule(rule) => {
            let what = lang
                .lookup(&format!("rule_what.{}", rule.as_str()))
                .unwrap_or(rule.describe());
            format!("{what} ({rule})")
        }
        Subject::Checklist(item) => lang
            .t(&format!("review.checklist.{}", item.as_str()))
            .to_owned(),
    }
}

/// The findings as a plain-text list in `lang`, under its heading; empty without findings.
fn findings_text(lang: Lang, findings: &[Finding]) -> String {
    if findings.is_empty() {
        return String::new();
    }
    let mut out = format!("{}\n\n", lang.t("mail.review.findings"));
    for f in findings {
        out.push_str(&format!("- {} ({}", subject(lang, f.subject), f.section));
        if !f.key_path.is_empty() {
            out.push_str(&format!(", {}", f.key_path));
        }
        out.push_str(")\n");
        if !f.message.is_empty() {
            out.push_str(&format!("  {}\n", f.message));
        }
        if !f.fix.is_empty() {
            out.push_str(&format!(
                "  {}\n",
                lang.tf("mail.review.fix", &[("fix", &f.fix)])
            ));
        }
    }
    out
}

/// The message telling owner `to` the outcome of the review of `software`, in `lang`.
#[must_use]
pub fn outcome_message(
    lang: Lang,
    to: &str,
    software: &str,
    outcome: Outcome,
    findings: &[Finding],
    deadline: Option<NaiveDate>,
    link: &str,
) -> Message {
    let label = lang
        .t(&format!("review.outcome.{}", outcome.state().as_str()))
        .to_owned();
    let deadline = deadline
        .map(|d| format!("{}\n\n", lang.tf("mail.review.deadline", &[("date", &d)])))
        .unwrap_or_default();
    let findings = match findings_text(lang, findings) {
        f if f.is_empty() => f,
        f => format!("{f}\n"),
    };
    let args: [(&str, &dyn std::fmt::Display); 5] = [
        ("software", &software),
        ("outcome", &label),
        ("findings", &findings),
        ("deadline", &deadline),
        ("link", &link),
    ];
    Message {
        to: to.to_owned(),
        subject: lang.tf("mail.review_outcome.subject", &args),
        text: lang.tf("mail.review_outcome.body", &args),
        html: None,
    }
}

/// The message reminding owner `to` that the fixes requested for `software` are due by
/// `deadline`, in `lang`.
#[must_use]
pub fn reminder_message(
    lang: Lang,
    to: &str,
    software: &str,
    deadline: NaiveDate,
    findings: &[Finding],
    link: &str,
) -> Message {
    let findings = match findings_text(lang, findings) {
        f if f.is_empty() => f,
        f => format!("{f}\n"),
    };
    let args: [(&str, &dyn std::fmt::Display); 4] = [
        ("software", &software),
        ("date", &deadline),
        ("findings", &findings),
        ("link", &link),
    ];
    Message {
        to: to.to_owned(),
        subject: lang.tf("mail.review_deadline.subject", &args),
        text: lang.tf("mail.review_deadline.body", &args),
        html: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::review::ChecklistItem;
    use crate::compliance::rules::RuleId;

    fn findings() -> Vec<Finding> {
        vec![
            Finding {
                subject: Subject::Rule(RuleId::LicenceFile),
                section: RuleId::LicenceFile.section().to_owned(),
                key_path: "files:LICENSE".to_owned(),
                message: "the LICENSE file is a link".to_owned(),
                fix: "put the licence's full text in LICENSE".to_owned(),
            },
            Finding {
                subject: Subject::Checklist(ChecklistItem::Ownership),
                section: ChecklistItem::Ownership.section().to_owned(),
                key_path: String::new(),
                message: "no contract clause".to_owned(),
                fix: String::new(),
            },
        ]
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_message_is_written_in_both_languages_with_its_findings_and_link() {
        let link = "https://x/software/app#compliance";
        for lang in Lang::ALL {
            let deadline = Some(date("2027-01-31"));
            for m in [
                outcome_message(
                    lang,
                    "a@example.org",
                    "App",
                    Outcome::NonCompliant,
                    &findings(),
                    deadline,
                    link,
                ),
                reminder_message(
                    lang,
                    "a@example.org",
                    "App",
                    date("2027-01-31"),
                    &findings(),
                    link,
                ),
            ] {
                for text in [&m.subject, &m.text] {
                    assert!(
                        !text.contains('{') && !text.contains("mail."),
                        "{lang:?}: {text}"
                    );
                }
                assert!(m.subject.contains("App"), "{m:?}");
                assert!(m.text.contains(link), "{m:?}");
                assert!(m.text.contains("2027-01-31"), "{m:?}");
                assert!(m.text.contains("files:LICENSE"), "{m:?}");
                assert!(
                    m.text.contains("put the licence's full text in LICENSE"),
                    "{m:?}"
                );
                assert!(m.text.contains("no contract clause"), "{m:?}");
            }
        }
        let it = outcome_message(
            Lang::It,
            "a@example.org",
            "App",
            Outcome::Compliant,
            &[],
            None,
            link,
        );
        let en = outcome_message(
            Lang::En,
            "a@example.org",
            "App",
            Outcome::Compliant,
            &[],
            None,
            link,
        );
        assert!(it.subject.contains("Conforme"), "{it:?}");
        assert!(en.subject.contains("Compliant"), "{en:?}");
        assert_ne!(it.text, en.text);
    }

    #[test]
    fn a_deadline_is_reminded_in_its_last_week_when_the_outcome_came_before() {
        let pending = |recorded: &str| Pending {
            event: 1,
            software: 1,
            recorded: date(recorded),
            deadline: date("2027-01-31"),
            findings: vec![],
        };
        let early = pending("2027-01-01");
        assert!(!early.due(date("2027-01-23")));
        assert!(early.due(date("2027-01-24")));
        assert!(early.due(date("2027-01-31")));
        assert!(
            !early.due(date("2027-02-01")),
            "a past deadline is not nearing"
        );
        // Recorded within the last week: the outcome's own message named the deadline.
        let late = pending("2027-01-25");
        assert!(!late.due(date("2027-01-26")));
    }
}
