//! The owners' e-mail about reviews, read from a real SMTP sink on both databases: an outcome
//! recorded on the reviewers' page is mailed to each verified member of the owning
//! administration in the language of their account (not to a member still waiting, nor for an
//! entry whose publisher is only claimed); a week before the deadline of a non-compliant
//! outcome they are reminded once, by the periodic job.

use std::time::Duration;

use axum::http::StatusCode;
use chrono::{Days, Utc};
use riuso::catalog::entities::software;
use riuso::community::accounts::SiteRole;
use riuso::community::entities::{memberships, users};
use riuso::compliance::notify;
use riuso::compliance::review::{
    Actor, Checked, ChecklistItem, Finding, Outcome, State, Subject, Transition, Verdict,
};
use riuso::compliance::store;
use riuso::crawl::http::{self, Polite};
use riuso::mail;
use riuso::worker::{self, remind_deadlines::RemindDeadlines};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection,
    EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
};

use crate::community::{decoded, deliver, slug_of};
use crate::support::crawl::test_worker;
use crate::support::db::BACKENDS;
use crate::support::review::{check_all, member_of, person, signed_in};
use crate::support::smtp::{Received, SmtpSink};
use crate::support::test_app::TestApp;

const URL: &str = "https://riuso.example.org";

/// The fields of the record form: every checklist item confirmed, `outcome`, a remark with its
/// fix, and `extra`.
fn record_form(snapshot: &str, outcome: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = ChecklistItem::ALL
        .iter()
        .flat_map(|item| {
            [
                (format!("verdict.{}", item.as_str()), "confirmed".to_owned()),
                (format!("note.{}", item.as_str()), "looked at".to_owned()),
            ]
        })
        .collect();
    fields.push(("snapshot".to_owned(), snapshot.to_owned()));
    fields.push(("outcome".to_owned(), outcome.to_owned()));
    fields.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    fields
}

async fn outbox_count(db: &DatabaseConnection) -> u64 {
    mail::outbox::Entity::find().count(db).await.unwrap()
}

/// The messages to `to` among `got`, decoded.
fn to(got: &[Received], to: &str) -> Vec<String> {
    got.iter()
        .filter(|m| m.to.iter().any(|t| t == to))
        .map(|m| decoded(&m.data))
        .collect()
}

fn client() -> Polite {
    Polite::new(http::Options {
        timeout: Duration::from_secs(5),
        ..http::Options::default()
    })
    .unwrap()
}

#[tokio::test]
async fn owners_are_mailed_outcomes_and_reminded_of_a_deadline_once_on_both_databases() {
    for backend in BACKENDS {
        let app = TestApp::new().backend(backend).demo().build().await;
        check_all(&app).await;
        let db = &app.db.conn;
        let sink = SmtpSink::start().await;
        // Montesilvano owns its two entries: the source they came from confirmed it.
        let owner = riuso::catalog::organisations::for_ipa(db, "c_f646", "Comune di Montesilvano")
            .await
            .unwrap();
        for row in software::Entity::find()
            .filter(software::Column::OrganisationId.eq(owner.id))
            .all(db)
            .await
            .unwrap()
        {
            let mut verified: software::ActiveModel = row.into();
            verified.publisher_verified = Set(true);
            verified.update(db).await.unwrap();
        }
        let english = person(&app.db, "en@montesilvano.example", None).await;
        member_of(&app.db, &english, owner.id).await;
        let italian = person(&app.db, "it@montesilvano.example", None).await;
        member_of(&app.db, &italian, owner.id).await;
        let mut in_italian: users::ActiveModel = italian.clone().into();
        in_italian.lang = Set("it".to_owned());
        in_italian.update(db).await.unwrap();
        let waiting = person(&app.db, "waiting@montesilvano.example", None).await;
        memberships::ActiveModel {
            user_id: Set(waiting.id),
            organisation_id: Set(owner.id),
            role: Set("member".to_owned()),
            status: Set("pending".to_owned()),
            requested_at: Set(Utc::now().fixed_offset()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        let reviewer = person(&app.db, "rev@example.org", Some(SiteRole::Reviewer)).await;
        // Everything the sign-ups sent is out of the way.
        deliver(&app.db, &sink).await;
        let before = sink.received().len();

        // Not compliant, with a deadline in ten days, recorded on the reviewers' page.
        let slug = slug_of(&app.db, "ComunicaPA").await;
        let mut rev = signed_in(&app, &reviewer).await;
        let claimed = rev.post_form(&format!("/review/{slug}/claim"), &[]).await;
        assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.body);
        let page = rev.get(&format!("/review/{slug}?lang=en")).await;
        let snapshot = page.all("input[name=snapshot]")[0]
            .value()
            .attr("value")
            .unwrap()
            .to_owned();
        let today = Utc::now().date_naive();
        let deadline = (today + Days::new(10)).to_string();
        let fields = record_form(
            &snapshot,
            "non-compliant",
            &[
                ("remark", "The README names no maintainer"),
                ("remark_item", "copyright-holder"),
                ("remark_fix", "Add a Maintainers section"),
                ("deadline", &deadline),
            ],
        );
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let recorded = rev
            .post_form(&format!("/review/{slug}/record"), &refs)
            .await;
        assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
        deliver(&app.db, &sink).await;
        let got = sink.wait_for(before + 2, Duration::from_secs(5)).await[before..].to_vec();
        assert_eq!(
            got.len(),
            2,
            "{backend:?}: one message a verified member: {got:#?}"
        );
        let en = to(&got, "en@montesilvano.example");
        let it = to(&got, "it@montesilvano.example");
        assert_eq!((en.len(), it.len()), (1, 1), "{backend:?}");
        let link = format!("{URL}/software/{slug}#compliance");
        for (text, words) in [
            (
                &en[0],
                ["Not compliant", "Findings and fixes requested", "due by"],
            ),
            (
                &it[0],
                ["Non conforme", "Rilievi e correzioni richieste", "entro il"],
            ),
        ] {
            for w in words {
                assert!(text.contains(w), "{backend:?}: no {w:?} in {text}");
            }
            assert!(text.contains(&link), "{text}");
            assert!(text.contains(&deadline), "{text}");
            assert!(text.contains("The README names no maintainer"), "{text}");
            assert!(text.contains("Add a Maintainers section"), "{text}");
            assert!(text.contains("ComunicaPA"), "{text}");
        }

        // Ten days away: no reminder yet. Seven days away: one, once, in each language.
        assert_eq!(notify::remind(db, today, Utc::now(), URL).await.unwrap(), 0);
        let in_three = today + Days::new(3);
        assert_eq!(
            notify::remind(db, in_three, Utc::now(), URL).await.unwrap(),
            1
        );
        assert_eq!(
            notify::remind(db, in_three, Utc::now(), URL).await.unwrap(),
            0
        );
        let next_day = today + Days::new(4);
        assert_eq!(
            notify::remind(db, next_day, Utc::now(), URL).await.unwrap(),
            0
        );
        let sent = sink.received().len();
        deliver(&app.db, &sink).await;
        let got = sink.wait_for(sent + 2, Duration::from_secs(5)).await[sent..].to_vec();
        assert_eq!(got.len(), 2, "{backend:?}: {got:#?}");
        let en = to(&got, "en@montesilvano.example");
        let it = to(&got, "it@montesilvano.example");
        assert!(en[0].contains("a week away or less"), "{}", en[0]);
        assert!(it[0].contains("una settimana o meno"), "{}", it[0]);
        assert!(en[0].contains(&link) && en[0].contains(&deadline));

        // The same entry, claimed again and found compliant: the owners hear it.
        let claimed = rev.post_form(&format!("/review/{slug}/claim"), &[]).await;
        assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.body);
        let fields = record_form(&snapshot, "compliant", &[]);
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let recorded = rev
            .post_form(&format!("/review/{slug}/record"), &refs)
            .await;
        assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
        let sent = sink.received().len();
        deliver(&app.db, &sink).await;
        let got = sink.wait_for(sent + 2, Duration::from_secs(5)).await[sent..].to_vec();
        assert_eq!(got.len(), 2, "{backend:?}");
        assert!(to(&got, "it@montesilvano.example")[0].contains("Conforme"));
        // A compliant outcome leaves nothing to remind.
        let in_nine = today + Days::new(9);
        assert_eq!(
            notify::remind(db, in_nine, Utc::now(), URL).await.unwrap(),
            0
        );

        // An entry whose publisher is only claimed by its file: nobody is mailed.
        let milano = slug_of(&app.db, "WeMi").await;
        let mailed = outbox_count(db).await;
        let loaded = store::load(
            db,
            software::Entity::find()
                .filter(software::Column::Slug.eq(&milano))
                .one(db)
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()
        .unwrap();
        let me = Actor::reviewer(reviewer.id);
        let id = loaded.software.id;
        store::transition(db, id, me, Transition::Claim, Utc::now(), URL)
            .await
            .unwrap();
        let compliant = record(loaded.snapshot.id, Outcome::Compliant, None);
        store::transition(db, id, me, compliant, Utc::now(), URL)
            .await
            .unwrap();
        assert_eq!(outbox_count(db).await, mailed, "{backend:?}");

        // The periodic job reminds an outcome recorded weeks ago whose deadline is in five days.
        let other = store::load(
            db,
            software::Entity::find()
                .filter(software::Column::Name.eq("GovPay Interaction Layer"))
                .one(db)
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()
        .unwrap();
        let weeks_ago = Utc::now() - chrono::Duration::days(20);
        let id = other.software.id;
        store::transition(db, id, me, Transition::Claim, weeks_ago, URL)
            .await
            .unwrap();
        let due = today + Days::new(5);
        let event = store::transition(
            db,
            id,
            me,
            record(other.snapshot.id, Outcome::NonCompliant, Some(due)),
            weeks_ago,
            URL,
        )
        .await
        .unwrap();
        assert_eq!(event.to, State::NonCompliant);
        let job = RemindDeadlines {
            public_url: URL.to_owned(),
        };
        worker::enqueue(db, &job, None).await.unwrap();
        let worker = test_worker(db, client(), "test", riuso::crawl::Options::default());
        while worker.step().await.unwrap() {}
        let sent = sink.received().len();
        deliver(&app.db, &sink).await;
        let got = sink.wait_for(sent + 4, Duration::from_secs(5)).await[sent..].to_vec();
        let reminders: Vec<String> = to(&got, "en@montesilvano.example")
            .into_iter()
            .filter(|m| m.contains("a week away or less"))
            .collect();
        assert_eq!(reminders.len(), 1, "{backend:?}: {got:#?}");
        assert!(reminders[0].contains("GovPay Interaction Layer"));
        assert!(reminders[0].contains(&due.to_string()));
        // Run again: nothing more.
        worker::enqueue(db, &job, None).await.unwrap();
        let mailed = outbox_count(db).await;
        while worker.step().await.unwrap() {}
        assert_eq!(outbox_count(db).await, mailed, "{backend:?}");
        app.close().await;
    }
}

/// An outcome on `snapshot` with a complete checklist and, unless compliant, one finding.
fn record(snapshot: i64, outcome: Outcome, deadline: Option<chrono::NaiveDate>) -> Transition {
    let findings = match outcome {
        Outcome::Compliant => vec![],
        _ => vec![Finding {
            subject: Subject::Checklist(ChecklistItem::Ownership),
            section: ChecklistItem::Ownership.section().to_owned(),
            key_path: String::new(),
            message: "no contract clause on ownership".to_owned(),
            fix: "publish the contract clause".to_owned(),
        }],
    };
    Transition::Record {
        outcome,
        snapshot,
        checklist: ChecklistItem::ALL
            .into_iter()
            .map(|item| Checked {
                item,
                verdict: Verdict::Confirmed,
                note: "seen".to_owned(),
            })
            .collect(),
        findings,
        deadline,
    }
}
