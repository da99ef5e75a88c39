//! Communities, threads and releases through the domain, on both databases: a solution
//! community opened by its owner, members of two administrations, threads and moderation, the
//! release thread that racing openers open once, adoption and the matrix, and the XSS corpus
//! rendered inert.

use riuso::community::CommunityError;
use riuso::community::accounts::SiteRole;
use riuso::community::authz::{Actor, CommunityRole, Denied};
use riuso::community::entities::{releases as release_rows, threads as thread_rows, users};
use riuso::community::forum::communities::{self, Settings};
use riuso::community::forum::members::{self, Joined};
use riuso::community::forum::releases::{self, Adoption, Plan, ReleaseStatus, Said};
use riuso::community::forum::threads::{self, Flag, NewThread, Reported, ThreadKind};
use riuso::community::forum::{JoinPolicy, Visibility};
use riuso::community::memberships as ms;
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};

use super::matrix::{member_of, person};
use super::{demo_app, slug_of};
use crate::support::db::{BACKENDS, TestDb};

/// Payloads that must come out inert wherever user text is shown.
pub const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript&#58;alert(1)\">x</a>",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<div onmouseover=\"alert(1)\">hover</div>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<style>body{display:none}</style>",
    "**unclosed [link](https://example.org \"title\" <b onclick=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;script&#62;",
    "\u{202e}gnp.exe\u{202c} Comune\u{200b}",
    "<form action=https://evil.example><input name=x></form>",
    "![img](https://evil.example/track.png)",
    "<a href=\"//evil.example\">protocol-relative</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
];

/// Whether `html` (a rendered page, a feed, a fragment) carries anything a browser would run,
/// load from elsewhere or use to reorder text: a script of ours only (by `src`), no event
/// handler, no `javascript:`, `data:` or protocol-relative address, no frame, SVG, style or form
/// that is not ours, no image from a post, no right-to-left override.
pub fn inert(html: &str) -> Result<(), String> {
    if html.contains('\u{202e}') {
        return Err(format!("RTL override in {html}"));
    }
    let doc = scraper::Html::parse_document(html);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let v = el.value();
        let name = v.name();
        if name == "script" && (v.attr("src").is_none() || el.text().next().is_some()) {
            return Err(format!("inline script {}", el.html()));
        }
        if matches!(
            name,
            "iframe" | "svg" | "style" | "object" | "embed" | "math" | "img"
        ) {
            return Err(format!("<{name}> in {}", el.html()));
        }
        if name == "form" && v.attr("action").is_some_and(|a| !a.starts_with('/')) {
            return Err(format!("foreign form {}", el.html()));
        }
        for (attr, value) in v.attrs() {
            let value = value.trim().to_ascii_lowercase();
            if attr.starts_with("on") {
                return Err(format!("event handler {}", el.html()));
            }
            if matches!(
                attr,
                "href" | "src" | "action" | "formaction" | "xlink:href"
            ) && (value.starts_with("javascript:")
                || value.starts_with("data:")
                || value.starts_with("//")
                || value.starts_with("vbscript:"))
            {
                return Err(format!("unsafe address {}", el.html()));
            }
        }
    }
    Ok(())
}

/// The people of the demo's `ComunicaPA`: its owner Montesilvano, Bologna that reuses it, Milano.
pub struct Cast {
    pub software_id: i64,
    pub owner: i64,
    pub reuser: i64,
    pub owner_member: users::Model,
    pub reuser_member: users::Model,
    pub other_member: users::Model,
    pub admin: users::Model,
}

impl Cast {
    pub async fn new(db: &TestDb) -> Self {
        let org = |code: &'static str, name: &'static str| async move {
            riuso::catalog::organisations::for_ipa(&db.conn, code, name)
                .await
                .unwrap()
                .id
        };
        let owner = org("c_f646", "Comune di Montesilvano").await;
        let reuser = org("c_a944", "Comune di Bologna").await;
        let other = org("c_f205", "Comune di Milano").await;
        let owner_member = person(db, "ada@montesilvano.example", None).await;
        let reuser_member = person(db, "bruno@bologna.example", None).await;
        let other_member = person(db, "carla@milano.example", None).await;
        let admin = person(db, "admin@riuso.example", Some(SiteRole::Admin)).await;
        member_of(db, &owner_member, owner, ms::OrgRole::Member).await;
        member_of(db, &reuser_member, reuser, ms::OrgRole::Admin).await;
        member_of(db, &other_member, other, ms::OrgRole::Member).await;
        let slug = slug_of(db, "ComunicaPA").await;
        let software_id = riuso::catalog::read::software(&db.conn, &slug)
            .await
            .unwrap()
            .unwrap()
            .software
            .id;
        Self {
            software_id,
            owner,
            reuser,
            owner_member,
            reuser_member,
            other_member,
            admin,
        }
    }

    pub async fn actor(&self, db: &TestDb, user: &users::Model) -> Actor {
        Actor::of(&db.conn, user).await.unwrap()
    }

    /// Bologna declares reusing `ComunicaPA`.
    pub async fn declare(&self, db: &TestDb) {
        riuso::community::declarations::declare(
            &db.conn,
            "https://riuso.example.org",
            self.software_id,
            self.reuser_member.id,
            &riuso::community::declarations::NewDeclaration {
                organisation_id: self.reuser,
                version: "1.0".to_owned(),
                since: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                modified: false,
                variant_url: None,
                note: String::new(),
                contact: "ced@bologna.example".to_owned(),
            },
        )
        .await
        .unwrap();
    }
}

fn denied(e: CommunityError) -> Denied {
    match e {
        CommunityError::Denied(d) => d,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn thread_count(db: &TestDb) -> u64 {
    thread_rows::Entity::find()
        .filter(thread_rows::Column::Kind.eq("release"))
        .count(&db.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_solution_community_from_opening_to_the_matrix() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        let cast = Cast::new(db).await;
        let owner = cast.actor(db, &cast.owner_member).await;
        let reuser = cast.actor(db, &cast.reuser_member).await;
        let other = cast.actor(db, &cast.other_member).await;

        // Only the owner's people open it, once.
        let refused = communities::open_for_software(&db.conn, &reuser, cast.software_id)
            .await
            .unwrap_err();
        assert_eq!(denied(refused), Denied::Forbidden);
        let community = communities::open_for_software(&db.conn, &owner, cast.software_id)
            .await
            .unwrap();
        assert_eq!(community.organisation_id, Some(cast.owner));
        let again = communities::open_for_software(&db.conn, &owner, cast.software_id).await;
        assert!(
            matches!(again, Err(CommunityError::Conflict(_))),
            "{again:?}"
        );
        assert_eq!(
            communities::of_software(&db.conn, cast.software_id)
                .await
                .unwrap()
                .map(|c| c.id),
            Some(community.id)
        );
        // Its current version is its first release, with its thread.
        let first = releases::of_software_releases(&db.conn, cast.software_id)
            .await
            .unwrap();
        assert_eq!(first.len(), 1, "{backend:?}");
        assert_eq!(thread_count(db).await, 1);

        // Bologna's member joins; Milano's joins too. Not members cannot post.
        let refused = threads::start(
            &db.conn,
            &community,
            &reuser,
            &NewThread {
                kind: ThreadKind::Discussion,
                title: "Ciao".into(),
                body: "x".into(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(denied(refused), Denied::Forbidden);
        assert_eq!(
            members::join(&db.conn, &community, &reuser).await.unwrap(),
            Joined::Member
        );
        let reuser = cast.actor(db, &cast.reuser_member).await;
        assert!(matches!(
            members::join(&db.conn, &community, &reuser).await,
            Err(CommunityError::Conflict(_))
        ));
        members::join(&db.conn, &community, &other).await.unwrap();
        let list = members::list(&db.conn, community.id).await.unwrap();
        let handles: Vec<String> = list
            .iter()
            .filter_map(|m| match &m.who {
                members::Who::Person { handle, .. } => Some(handle.clone()),
                members::Who::Organisation { .. } => None,
            })
            .collect();
        assert_eq!(handles, ["ada", "bruno", "carla"], "{backend:?}");

        // A discussion with a mention, a reply, an edit that keeps the history.
        let (thread, first_post) = threads::start(
            &db.conn,
            &community,
            &reuser,
            &NewThread {
                kind: ThreadKind::Question,
                title: "Aggiornamento alla 2.0?".into(),
                body: "@ada quando esce? cc @c_f646 e @nessuno".into(),
            },
        )
        .await
        .unwrap();
        let announcement = threads::start(
            &db.conn,
            &community,
            &reuser,
            &NewThread {
                kind: ThreadKind::Announcement,
                title: "News".into(),
                body: "x".into(),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(denied(announcement), Denied::Forbidden);
        let (_, reply) = threads::reply(&db.conn, thread.id, &owner, "Presto.")
            .await
            .unwrap();
        threads::edit(&db.conn, reply.id, &owner, "Presto, a marzo.")
            .await
            .unwrap();
        let edited_by_other = threads::edit(&db.conn, reply.id, &reuser, "no").await;
        assert_eq!(denied(edited_by_other.unwrap_err()), Denied::Forbidden);
        let (_, _, history) = threads::history(&db.conn, reply.id, &owner).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].body, "Presto.");
        threads::accept(&db.conn, thread.id, reply.id, &reuser)
            .await
            .unwrap();
        let posts = threads::posts(&db.conn, thread.id, threads::Window::First)
            .await
            .unwrap()
            .posts;
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[1].revisions, 1);
        let html = threads::render(&db.conn, &community, &[first_post.body.as_str()])
            .await
            .unwrap();
        let slug = &community.slug;
        assert!(
            html[0].contains(&format!("href=\"/communities/{slug}/members#m-ada\"")),
            "{}",
            html[0]
        );
        assert!(
            html[0].contains(&format!("href=\"/communities/{slug}/members#o-c_f646\"")),
            "{}",
            html[0]
        );
        assert!(!html[0].contains("#m-nessuno"), "{}", html[0]);

        // Moderation: the owner's administration maintains, but its people are members; the
        // coordinator locks, and a locked thread takes no reply but a moderator's.
        let refused = threads::set_flag(&db.conn, thread.id, &reuser, Flag::Locked, true).await;
        assert_eq!(denied(refused.unwrap_err()), Denied::Forbidden);
        threads::set_flag(&db.conn, thread.id, &owner, Flag::Locked, true)
            .await
            .unwrap();
        let locked = threads::reply(&db.conn, thread.id, &reuser, "ancora").await;
        assert!(
            matches!(locked, Err(CommunityError::Conflict(_))),
            "{locked:?}"
        );
        threads::reply(&db.conn, thread.id, &owner, "chiuso")
            .await
            .unwrap();
        // Deleting one's own post keeps it, marked, without text served.
        threads::delete(&db.conn, first_post.id, &reuser)
            .await
            .unwrap();
        let posts = threads::posts(&db.conn, thread.id, threads::Window::First)
            .await
            .unwrap()
            .posts;
        assert!(posts[0].row.deleted_at.is_some());
        let log = threads::moderation_log(&db.conn, &community, Some(&owner))
            .await
            .unwrap();
        assert_eq!(log.first().map(|l| l.row.action.as_str()), Some("lock"));
        assert!(
            threads::moderation_log(&db.conn, &community, Some(&reuser))
                .await
                .is_err()
        );

        // Three reports hide a post until a moderator looks.
        let (_, target) = threads::start(
            &db.conn,
            &community,
            &other,
            &NewThread {
                kind: ThreadKind::Discussion,
                title: "Offerta".into(),
                body: "compra qui".into(),
            },
        )
        .await
        .unwrap();
        let admin = cast.actor(db, &cast.admin).await;
        assert_eq!(
            threads::report(&db.conn, target.id, &reuser, "spam")
                .await
                .unwrap(),
            Reported::Noted
        );
        assert!(matches!(
            threads::report(&db.conn, target.id, &reuser, "spam").await,
            Err(CommunityError::Conflict(_))
        ));
        threads::report(&db.conn, target.id, &owner, "spam")
            .await
            .unwrap();
        assert_eq!(
            threads::report(&db.conn, target.id, &admin, "spam")
                .await
                .unwrap(),
            Reported::Hidden
        );
        let reported = threads::reported(&db.conn, &community, Some(&owner))
            .await
            .unwrap();
        assert_eq!(reported.len(), 1);
        assert_eq!(reported[0].1.len(), 3);
        threads::hide(&db.conn, target.id, &owner, None)
            .await
            .unwrap();
        assert!(
            threads::reported(&db.conn, &community, Some(&owner))
                .await
                .unwrap()
                .is_empty()
        );

        // Releases: the coordinator plans 9.0; Bologna (which declared reuse) says it upgraded;
        // Milano, which did not declare, cannot say anything.
        let planned = releases::plan(
            &db.conn,
            &community,
            &owner,
            cast.software_id,
            &Plan {
                version: "9.0".into(),
                target_date: chrono::NaiveDate::from_ymd_opt(2027, 3, 1),
                notes: "Nuova interfaccia".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(planned.status, "planned");
        assert_eq!(thread_count(db).await, 2);
        let refused = releases::plan(
            &db.conn,
            &community,
            &reuser,
            cast.software_id,
            &Plan {
                version: "9.1".into(),
                target_date: None,
                notes: String::new(),
            },
        )
        .await;
        assert_eq!(denied(refused.unwrap_err()), Denied::Forbidden);
        releases::advance(
            &db.conn,
            &community,
            &owner,
            planned.id,
            ReleaseStatus::Candidate,
            "RC1",
            None,
        )
        .await
        .unwrap();
        let backwards = releases::advance(
            &db.conn,
            &community,
            &owner,
            planned.id,
            ReleaseStatus::Planned,
            "",
            None,
        )
        .await;
        assert!(matches!(backwards, Err(CommunityError::Conflict(_))));
        let said = Said {
            adoption: Adoption::Upgraded,
            staying_on: None,
            reason: None,
        };
        let not_yet = releases::adopt(&db.conn, &reuser, planned.id, cast.reuser, &said).await;
        assert!(
            matches!(not_yet, Err(CommunityError::Invalid(_))),
            "{not_yet:?}"
        );
        cast.declare(db).await;
        releases::adopt(
            &db.conn,
            &reuser,
            planned.id,
            cast.reuser,
            &Said {
                adoption: Adoption::Testing,
                staying_on: None,
                reason: None,
            },
        )
        .await
        .unwrap();
        releases::adopt(&db.conn, &reuser, planned.id, cast.reuser, &said)
            .await
            .unwrap();
        let foreign = releases::adopt(&db.conn, &other, planned.id, cast.reuser, &said).await;
        assert_eq!(denied(foreign.unwrap_err()), Denied::Forbidden);
        let staying = releases::adopt(
            &db.conn,
            &reuser,
            first[0].id,
            cast.reuser,
            &Said {
                adoption: Adoption::Staying,
                staying_on: None,
                reason: Some("in attesa".into()),
            },
        )
        .await;
        assert!(matches!(staying, Err(CommunityError::Invalid(_))));
        let matrix = releases::matrix(&db.conn, cast.software_id).await.unwrap();
        assert_eq!(matrix.releases.len(), 2);
        assert_eq!(matrix.releases[0].version, "9.0");
        assert_eq!(matrix.rows.len(), 1, "{:?}", matrix.rows);
        assert_eq!(matrix.rows[0].code.as_deref(), Some("c_a944"));
        assert_eq!(
            matrix.rows[0].cells[0].as_ref().map(|c| c.adoption),
            Some(Adoption::Upgraded)
        );
        assert!(matrix.rows[0].cells[1].is_none());

        // The crawl sees 9.0 released: the planned release becomes released, no new thread.
        releases::seen(&db.conn, cast.software_id, Some("9.0"), None)
            .await
            .unwrap();
        let released = release_rows::Entity::find_by_id(planned.id)
            .one(&db.conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(released.status, "released");
        assert_eq!(thread_count(db).await, 2);

        // The last coordinator cannot leave; a coordinator can hand over.
        let coordinator = list
            .iter()
            .find(|m| m.role == CommunityRole::Coordinator)
            .unwrap()
            .id;
        assert!(matches!(
            members::leave(&db.conn, &community, &owner).await,
            Err(CommunityError::Conflict(_))
        ));
        let bruno = list
            .iter()
            .find(|m| matches!(&m.who, members::Who::Person { handle, .. } if handle == "bruno"))
            .unwrap()
            .id;
        members::set_role(
            &db.conn,
            &community,
            &owner,
            bruno,
            CommunityRole::Coordinator,
        )
        .await
        .unwrap();
        members::set_role(
            &db.conn,
            &community,
            &owner,
            coordinator,
            CommunityRole::Member,
        )
        .await
        .unwrap();
        members::leave(&db.conn, &community, &owner).await.unwrap();
        app.close().await;
    }
}

#[tokio::test]
async fn members_only_communities_and_approval() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        let cast = Cast::new(db).await;
        let owner = cast.actor(db, &cast.owner_member).await;
        let other = cast.actor(db, &cast.other_member).await;
        let community = communities::start(
            &db.conn,
            &owner,
            &Settings {
                name: "Responsabili della transizione digitale".into(),
                description: "Un gruppo **chiuso**".into(),
                visibility: Visibility::Members,
                join_policy: JoinPolicy::Approval,
            },
        )
        .await
        .unwrap();
        assert_eq!(community.slug, "responsabili-della-transizione-digitale");
        let (thread, _) = threads::start(
            &db.conn,
            &community,
            &owner,
            &NewThread {
                kind: ThreadKind::Announcement,
                title: "Riservato".into(),
                body: "solo membri".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            denied(threads::get(&db.conn, thread.id, None).await.unwrap_err()),
            Denied::SignIn
        );
        assert_eq!(
            denied(
                threads::get(&db.conn, thread.id, Some(&other))
                    .await
                    .unwrap_err()
            ),
            Denied::Forbidden
        );
        assert_eq!(
            members::join(&db.conn, &community, &other).await.unwrap(),
            Joined::Requested
        );
        assert!(
            threads::get(&db.conn, thread.id, Some(&other))
                .await
                .is_err()
        );
        let request = members::list(&db.conn, community.id)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.pending)
            .unwrap();
        let refused = members::approve(&db.conn, &community, &other, request.id).await;
        assert_eq!(denied(refused.unwrap_err()), Denied::Forbidden);
        members::approve(&db.conn, &community, &owner, request.id)
            .await
            .unwrap();
        assert!(
            threads::get(&db.conn, thread.id, Some(&other))
                .await
                .is_ok()
        );
        // An administration joined by its admin makes its verified people members.
        let reuser = cast.actor(db, &cast.reuser_member).await;
        assert!(
            threads::get(&db.conn, thread.id, Some(&reuser))
                .await
                .is_err()
        );
        members::join_organisation(&db.conn, &community, &reuser, cast.reuser)
            .await
            .unwrap();
        let request = members::list(&db.conn, community.id)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.pending)
            .unwrap();
        members::approve(&db.conn, &community, &owner, request.id)
            .await
            .unwrap();
        let t = threads::get(&db.conn, thread.id, Some(&reuser))
            .await
            .unwrap();
        assert_eq!(t.standing.role, Some(CommunityRole::Member));
        // Someone who acts for no administration cannot start a community of practice.
        let nobody = person(db, "nobody@example.org", None).await;
        let nobody = cast.actor(db, &nobody).await;
        let refused = communities::start(
            &db.conn,
            &nobody,
            &Settings {
                name: "X".into(),
                description: String::new(),
                visibility: Visibility::Public,
                join_policy: JoinPolicy::Open,
            },
        )
        .await;
        assert_eq!(denied(refused.unwrap_err()), Denied::Forbidden);
        app.close().await;
    }
}

#[tokio::test]
async fn racing_openers_open_one_release_thread() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        let cast = Cast::new(db).await;
        let owner = cast.actor(db, &cast.owner_member).await;
        communities::open_for_software(&db.conn, &owner, cast.software_id)
            .await
            .unwrap();
        let before = thread_count(db).await;
        // Eight crawls or workers store the same new version at once, each in its own
        // transaction.
        let opener = || async {
            let txn = riuso::db::begin_write(&db.conn).await.unwrap();
            let opened = releases::seen(&txn, cast.software_id, Some("42.0.0"), None)
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            txn.commit().await.unwrap();
            opened
        };
        let results = futures_util::future::join_all((0..8).map(|_| opener())).await;
        assert_eq!(
            results.iter().filter(|r| r.is_some()).count(),
            1,
            "{backend:?}: {results:?}"
        );
        assert_eq!(thread_count(db).await, before + 1, "{backend:?}");
        // Seen again later: nothing new.
        assert_eq!(
            releases::seen(&db.conn, cast.software_id, Some("42.0.0"), None)
                .await
                .unwrap(),
            None
        );
        let versions = release_rows::Entity::find()
            .filter(release_rows::Column::Version.eq("42.0.0"))
            .count(&db.conn)
            .await
            .unwrap();
        assert_eq!(versions, 1);
        app.close().await;
    }
}

#[tokio::test]
async fn the_xss_corpus_renders_inert_in_posts_and_descriptions() {
    let app = demo_app(crate::support::db::Backend::Sqlite).await;
    let db = &app.db;
    let cast = Cast::new(db).await;
    let owner = cast.actor(db, &cast.owner_member).await;
    let community = communities::start(
        &db.conn,
        &owner,
        &Settings {
            name: "Pratiche".into(),
            description: XSS.join("\n\n"),
            visibility: Visibility::Public,
            join_policy: JoinPolicy::Open,
        },
    )
    .await
    .unwrap();
    for payload in XSS {
        let html = threads::render(&db.conn, &community, &[payload])
            .await
            .unwrap();
        inert(&html[0]).unwrap();
    }
    let all = threads::render(&db.conn, &community, &[community.description.as_str()])
        .await
        .unwrap();
    inert(&all[0]).unwrap();
    app.close().await;
}

#[tokio::test]
async fn the_demo_community_loads_once() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        // The demo cases first, as `make test-api` loads them: Bologna's case declares another
        // solution, which must not keep the community from having its own declaration.
        riuso::cases::demo::load(&db.conn, "https://riuso.example.org", chrono::Utc::now())
            .await
            .unwrap();
        assert!(
            riuso::community::forum::demo::load(&db.conn, "https://riuso.example.org")
                .await
                .unwrap(),
            "{backend:?}"
        );
        assert!(
            !riuso::community::forum::demo::load(&db.conn, "https://riuso.example.org")
                .await
                .unwrap()
        );
        let slug = slug_of(db, "ComunicaPA").await;
        let entry = riuso::catalog::read::software(&db.conn, &slug)
            .await
            .unwrap()
            .unwrap();
        let matrix = releases::matrix(&db.conn, entry.software.id).await.unwrap();
        assert_eq!(matrix.releases[0].version, "2.0.0");
        assert_eq!(matrix.rows.len(), 1);
        assert_eq!(
            matrix.rows[0].cells[0].as_ref().map(|c| c.adoption),
            Some(Adoption::Upgraded)
        );
        let community = communities::of_software(&db.conn, entry.software.id)
            .await
            .unwrap()
            .unwrap();
        let (threads, total) = threads::list(&db.conn, community.id, 0, 25).await.unwrap();
        assert_eq!(total, 3, "{threads:?}");
        app.close().await;
    }
}
