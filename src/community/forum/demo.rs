//! The demo's community: `make run` loads it after the demo catalog, so the pages have a
//! solution community with threads and a release matrix to show. Two people of two
//! administrations (Montesilvano, which publishes `ComunicaPA`, and Bologna, which reuses it)
//! discuss a release; Bologna says it upgraded. Loading it again changes nothing. Ada is also a
//! site administrator: the demo catalog is imported from files, so no crawl confirms who
//! publishes what, and only a site administrator opens the community of such an entry.

use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, DatabaseConnection};

use super::communities;
use super::members;
use super::releases::{self, Adoption, Plan, Said};
use super::threads::{self, NewThread, ThreadKind};
use crate::catalog::{organisations, reuse};
use crate::community::accounts::{self, Hashing, SignUp, SiteRole};
use crate::community::authz::Actor;
use crate::community::entities::{memberships, users};
use crate::community::memberships::Status;
use crate::community::{CommunityError, now};
use crate::i18n::Lang;

/// The demo accounts' password, for people trying the demo (never a real server's).
pub const PASSWORD: &str = "demo password 2026";

/// The demo people: (address, name, IPA code, administration).
const PEOPLE: [(&str, &str, &str, &str); 2] = [
    (
        "ada@montesilvano.example.invalid",
        "Ada Rossi",
        "c_f646",
        "Comune di Montesilvano",
    ),
    (
        "bruno@bologna.example.invalid",
        "Bruno Bianchi",
        "c_a944",
        "Comune di Bologna",
    ),
];

/// A verified demo account, member of `code`, made unless it exists.
async fn person(
    db: &DatabaseConnection,
    public_url: &str,
    (email, name, code, org): (&str, &str, &str, &str),
) -> Result<Actor, CommunityError> {
    let user = match accounts::by_email(db, email).await? {
        Some(user) => user,
        None => {
            let made = accounts::sign_up(
                db,
                &Hashing::new(1, std::time::Duration::from_secs(60)),
                public_url,
                &SignUp {
                    email: email.to_owned(),
                    display_name: name.to_owned(),
                    password: PASSWORD.to_owned(),
                    lang: Lang::It,
                },
            )
            .await?
            .ok_or(CommunityError::NotFound)?;
            let mut verified: users::ActiveModel = made.into();
            verified.email_verified_at = Set(Some(now()));
            if code == PEOPLE[0].2 {
                verified.site_role = Set(Some(SiteRole::Admin.as_str().to_owned()));
            }
            let user = verified.update(db).await?;
            let org = organisations::for_ipa(db, code, org).await?;
            memberships::ActiveModel {
                user_id: Set(user.id),
                organisation_id: Set(org.id),
                role: Set("admin".to_owned()),
                status: Set(Status::Verified.as_str().to_owned()),
                requested_at: Set(now()),
                verified_at: Set(Some(now())),
                ..Default::default()
            }
            .insert(db)
            .await?;
            user
        }
    };
    Actor::of(db, &user).await
}

/// Loads the demo community unless the entry named `ComunicaPA` has one already (or is not in
/// the catalog). Answers whether it loaded it.
///
/// # Errors
///
/// On a database error.
pub async fn load(db: &DatabaseConnection, public_url: &str) -> Result<bool, CommunityError> {
    let Some(entry) = reuse::entry_named(db, "ComunicaPA").await? else {
        return Ok(false);
    };
    if communities::of_software(db, entry.id).await?.is_some() {
        return Ok(false);
    }
    let ada = person(db, public_url, PEOPLE[0]).await?;
    let bruno = person(db, public_url, PEOPLE[1]).await?;
    let bologna = bruno
        .organisations
        .first()
        .map(|(id, _)| *id)
        .ok_or(CommunityError::NotFound)?;
    // Bologna may have declared reusing other solutions already (the demo cases do): what
    // matters is a standing declaration of this one.
    let declared = crate::community::declarations::made_by(db, bologna)
        .await?
        .iter()
        .any(|d| {
            d.row.software_id == entry.id
                && d.status != crate::community::declarations::Status::Withdrawn
        });
    if !declared {
        crate::community::declarations::declare(
            db,
            public_url,
            entry.id,
            bruno.user_id,
            &crate::community::declarations::NewDeclaration {
                organisation_id: bologna,
                version: "1.2".to_owned(),
                since: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default(),
                modified: false,
                variant_url: None,
                note: "In uso all'ufficio relazioni con il pubblico.".to_owned(),
                contact: "urp@comune.bologna.example.invalid".to_owned(),
            },
        )
        .await?;
    }
    let community = communities::open_for_software(db, &ada, entry.id).await?;
    let settings = communities::Settings {
        name: community.name.clone(),
        description: "La comunità delle amministrazioni che usano **ComunicaPA**: evoluzioni, \
                      rilasci e chi usa quale versione."
            .to_owned(),
        visibility: super::Visibility::Public,
        join_policy: super::JoinPolicy::Open,
    };
    communities::update(db, &community, &ada, &settings).await?;
    members::join(db, &community, &bruno).await?;
    members::join_organisation(db, &community, &bruno, bologna).await?;
    let planned = releases::plan(
        db,
        &community,
        &ada,
        entry.id,
        &Plan {
            version: "2.0.0".to_owned(),
            target_date: chrono::NaiveDate::from_ymd_opt(2027, 3, 31),
            notes: "- accesso con SPID e CIE\n- notifiche tramite app IO".to_owned(),
        },
    )
    .await?;
    if let Some(thread) = releases::thread_of(db, planned.id).await? {
        threads::reply(
            db,
            thread.id,
            &bruno,
            "@ada a Bologna la proviamo in collaudo a febbraio: ci sono novità sulle notifiche IO?",
        )
        .await?;
        threads::reply(
            db,
            thread.id,
            &ada,
            "Sì, la candidata arriva a gennaio. @c_a944 vi teniamo aggiornati qui.",
        )
        .await?;
    }
    releases::advance(
        db,
        &community,
        &ada,
        planned.id,
        releases::ReleaseStatus::Released,
        "- accesso con SPID e CIE\n- notifiche tramite app IO",
        None,
    )
    .await?;
    releases::adopt(
        db,
        &bruno,
        planned.id,
        bologna,
        &Said {
            adoption: Adoption::Upgraded,
            staying_on: None,
            reason: None,
        },
    )
    .await?;
    threads::start(
        db,
        &community,
        &bruno,
        &NewThread {
            kind: ThreadKind::Question,
            title: "Integrazione con il protocollo informatico".to_owned(),
            body: "Qualcuno ha collegato ComunicaPA al protocollo? Con quale connettore?"
                .to_owned(),
        },
    )
    .await?;
    Ok(true)
}
