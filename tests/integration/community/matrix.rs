//! The authorization matrix: every protected route, as every kind of person, answers what
//! `community::authz` says: 401 (or, on the reviewers' pages, a redirect to the sign-in page) to
//! nobody, 403 to whoever may not, anything else (the page, a redirect, or a complaint about the
//! form) to whoever may. Also on PostgreSQL.

use axum::http::StatusCode;
use chrono::Utc;
use riuso::community::accounts::{self, SignUp, SiteRole};
use riuso::community::entities::{memberships, users};
use riuso::community::{memberships as ms, sessions};
use riuso::i18n::Lang;
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set};

use super::{PASSWORD, demo_app, slug_of};
use crate::support::db::{BACKENDS, TestDb};
use crate::support::test_app::{Client, TestApp};

/// What a person should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Allowed: anything but 401 and 403.
    Allow,
    /// Asked to sign in: 401.
    SignIn,
    /// Refused: 403.
    Deny,
}
use Expect::{Allow, Deny, SignIn};

/// A protected route: method, path, form, the member and the admin of the organisation it acts
/// for, and what each of [`ROLES`] should get.
type Route<'a> = (
    &'a str,
    String,
    Vec<(&'a str, &'a str)>,
    [&'a users::Model; 2],
    [Expect; 6],
);

/// What the routes of the reviewers get: sign in, refused unless reviewer or site admin.
const REVIEWERS: [Expect; 6] = [SignIn, Deny, Deny, Deny, Allow, Allow];

/// The people, in the order of each row of expectations.
const ROLES: [&str; 6] = [
    "anonymous",
    "member",
    "org admin",
    "other org's admin",
    "reviewer",
    "site admin",
];

pub(crate) async fn person(db: &TestDb, email: &str, site_role: Option<SiteRole>) -> users::Model {
    let user = accounts::sign_up(
        &db.conn,
        &accounts::Hashing::new(1, std::time::Duration::from_secs(60)),
        "https://riuso.example.org",
        &SignUp {
            email: email.to_owned(),
            display_name: email.split('@').next().unwrap_or_default().to_owned(),
            password: PASSWORD.to_owned(),
            lang: Lang::En,
        },
    )
    .await
    .unwrap()
    .unwrap();
    let mut verified: users::ActiveModel = user.into();
    verified.email_verified_at = Set(Some(Utc::now().fixed_offset()));
    verified.site_role = Set(site_role.map(|r| r.as_str().to_owned()));
    verified.update(&db.conn).await.unwrap()
}

pub(crate) async fn member_of(db: &TestDb, user: &users::Model, org: i64, role: ms::OrgRole) {
    memberships::ActiveModel {
        user_id: Set(user.id),
        organisation_id: Set(org),
        role: Set(role.as_str().to_owned()),
        status: Set("verified".to_owned()),
        requested_at: Set(Utc::now().fixed_offset()),
        verified_at: Set(Some(Utc::now().fixed_offset())),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .unwrap();
}

/// A client signed in as `user` (or nobody), holding a valid CSRF token either way.
pub(crate) async fn client_for(app: &TestApp, user: Option<&users::Model>) -> Client {
    let mut client = app.client();
    match user {
        Some(user) => {
            let (token, session) = sessions::start(&app.db.conn, user, None).await.unwrap();
            client.set_cookie("riuso_session", &token);
            client.set_csrf(session.csrf);
        }
        None => {
            client.get("/account/sign-in").await;
        }
    }
    client
}

#[tokio::test]
async fn every_protected_route_for_every_role() {
    for backend in BACKENDS {
        let app = demo_app(backend).await;
        // Montesilvano (c_f646) publishes ComunicaPA; Bologna (c_a944) reuses it; Milano
        // (c_f205) is another administration.
        let org = |code: &'static str, name: &'static str| {
            let db = &app.db;
            async move {
                riuso::catalog::organisations::for_ipa(&db.conn, code, name)
                    .await
                    .unwrap()
                    .id
            }
        };
        let owner = org("c_f646", "Comune di Montesilvano").await;
        let reuser = org("c_a944", "Comune di Bologna").await;
        let other = org("c_f205", "Comune di Milano").await;
        let owner_member = person(&app.db, "member@montesilvano.example", None).await;
        let owner_admin = person(&app.db, "admin@montesilvano.example", None).await;
        let reuser_member = person(&app.db, "member@bologna.example", None).await;
        let reuser_admin = person(&app.db, "admin@bologna.example", None).await;
        let other_admin = person(&app.db, "admin@milano.example", None).await;
        let reviewer = person(&app.db, "reviewer@riuso.example", Some(SiteRole::Reviewer)).await;
        let site_admin = person(&app.db, "admin@riuso.example", Some(SiteRole::Admin)).await;
        member_of(&app.db, &owner_member, owner, ms::OrgRole::Member).await;
        member_of(&app.db, &owner_admin, owner, ms::OrgRole::Admin).await;
        member_of(&app.db, &reuser_member, reuser, ms::OrgRole::Member).await;
        member_of(&app.db, &reuser_admin, reuser, ms::OrgRole::Admin).await;
        member_of(&app.db, &other_admin, other, ms::OrgRole::Admin).await;

        let slug = slug_of(&app.db, "ComunicaPA").await;
        let software = riuso::catalog::read::software(&app.db.conn, &slug)
            .await
            .unwrap()
            .unwrap();
        let declaration = riuso::community::declarations::declare(
            &app.db.conn,
            "https://riuso.example.org",
            software.software.id,
            reuser_member.id,
            &riuso::community::declarations::NewDeclaration {
                organisation_id: reuser,
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

        // A reuse case of Bologna, not published: its members read it, nobody else.
        let case = riuso::cases::store::open(
            &app.db.conn,
            reuser,
            riuso::cases::Actor::member(reuser_member.id, "c_a944"),
            riuso::cases::Transition::Open {
                title: "Protocollo".to_owned(),
                scope: "Il protocollo".to_owned(),
                officer: "RTD".to_owned(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let evidence = riuso::cases::store::upload(
            &app.db.conn,
            case,
            Some(reuser_member.id),
            "esigenze.pdf",
            "application/pdf",
            b"%PDF-1.7",
            Utc::now(),
        )
        .await
        .unwrap()
        .id;

        // (method, path, form, people acting for the route's organisation, expectations)
        let owner_people = [&owner_member, &owner_admin];
        let reuser_people = [&reuser_member, &reuser_admin];
        let reuser_id = reuser.to_string();
        let routes: Vec<Route<'_>> = vec![
            (
                "GET",
                "/account".into(),
                vec![],
                owner_people,
                [SignIn, Allow, Allow, Allow, Allow, Allow],
            ),
            (
                "GET",
                "/publishers/c_f646/declarations".into(),
                vec![],
                owner_people,
                [SignIn, Allow, Allow, Deny, Allow, Allow],
            ),
            (
                "GET",
                "/publishers/c_f646/members".into(),
                vec![],
                owner_people,
                [SignIn, Deny, Allow, Deny, Deny, Allow],
            ),
            (
                "POST",
                "/publishers/c_f646/members/999999/remove".into(),
                vec![],
                owner_people,
                [SignIn, Deny, Allow, Deny, Deny, Allow],
            ),
            // An empty version: whoever may declare gets a complaint about the form.
            (
                "POST",
                format!("/software/{slug}/declarations"),
                vec![
                    ("organisation", reuser_id.as_str()),
                    ("version", ""),
                    ("since", "2025-01-01"),
                    ("contact", "x"),
                ],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ),
            (
                "POST",
                format!("/declarations/{declaration}/issue"),
                vec![("issue_url", "not a url")],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Allow],
            ),
            (
                "POST",
                format!("/declarations/{declaration}/acknowledge"),
                vec![],
                owner_people,
                [SignIn, Allow, Allow, Deny, Deny, Allow],
            ),
            (
                "POST",
                format!("/declarations/{declaration}/withdraw"),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Allow],
            ),
            // A wrong password, an unknown code: allowed people get a complaint about the form.
            (
                "POST",
                "/account/delete".into(),
                vec![("password", "not the password")],
                owner_people,
                [SignIn, Allow, Allow, Allow, Allow, Allow],
            ),
            (
                "POST",
                "/account/memberships".into(),
                vec![("code", "not_a_code"), ("role", "member")],
                owner_people,
                [SignIn, Allow, Allow, Allow, Allow, Allow],
            ),
            (
                "POST",
                "/account/verification".into(),
                vec![],
                owner_people,
                [SignIn, Allow, Allow, Allow, Allow, Allow],
            ),
            (
                "GET",
                "/admin/users".into(),
                vec![],
                owner_people,
                [SignIn, Deny, Deny, Deny, Deny, Allow],
            ),
            (
                "POST",
                "/admin/users/role".into(),
                vec![("email", "nobody@example.org"), ("role", "reviewer")],
                owner_people,
                [SignIn, Deny, Deny, Deny, Deny, Allow],
            ),
            // Reviews: reviewers and site administrators only; a move the guards refuse (the
            // entry is not checked yet, the form is empty) still answers them.
            ("GET", "/review".into(), vec![], owner_people, REVIEWERS),
            ("GET", "/review.csv".into(), vec![], owner_people, REVIEWERS),
            (
                "GET",
                format!("/review/{slug}"),
                vec![],
                owner_people,
                REVIEWERS,
            ),
            (
                "POST",
                format!("/review/{slug}/claim"),
                vec![],
                owner_people,
                REVIEWERS,
            ),
            (
                "POST",
                format!("/review/{slug}/release"),
                vec![("note", "")],
                owner_people,
                REVIEWERS,
            ),
            (
                "POST",
                format!("/review/{slug}/record"),
                vec![("outcome", "compliant")],
                owner_people,
                REVIEWERS,
            ),
            (
                "POST",
                "/review/assign".into(),
                vec![("reviewer", "999999")],
                owner_people,
                REVIEWERS,
            ),
            (
                "GET",
                "/api/v1/reviews".into(),
                vec![],
                owner_people,
                REVIEWERS,
            ),
            // Reuse cases: the list is public; an unpublished case and its documents are for
            // the members of its administration only (not even site administrators).
            (
                "GET",
                "/cases".into(),
                vec![],
                reuser_people,
                [Allow, Allow, Allow, Allow, Allow, Allow],
            ),
            (
                "GET",
                format!("/cases/{case}"),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ),
            (
                "GET",
                format!("/cases/{case}/document.pdf"),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ),
            (
                "GET",
                format!("/cases/{case}/document.json"),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ),
            (
                "GET",
                format!("/cases/{case}/documents/{evidence}"),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ),
            (
                "GET",
                format!("/api/v1/cases/{case}"),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ),
            (
                "GET",
                "/api/v1/cases".into(),
                vec![],
                reuser_people,
                [Allow, Allow, Allow, Allow, Allow, Allow],
            ),
            // The guided case: any signed-in person sees the opening form (listing their own
            // administrations); opening for, reading and moving a case of Bologna are for its
            // members only. The forms sent are empty or not possible from the opening state, so
            // the members' answers are complaints about the form and the case does not move.
            (
                "GET",
                "/cases/new".into(),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Allow, Allow, Allow],
            ),
            (
                "POST",
                "/cases".into(),
                vec![("organisation", reuser_id.as_str()), ("title", "")],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ),
            (
                "GET",
                format!("/cases/{case}/wizard"),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ),
            // The owner's release checklist: its members, reviewers, site administrators.
            (
                "GET",
                format!("/software/{slug}/release"),
                vec![],
                owner_people,
                [SignIn, Allow, Allow, Deny, Allow, Allow],
            ),
        ];
        let mut routes = routes;
        for step in [
            "needs",
            "start",
            "search",
            "external",
            "shortlist",
            "evaluate",
            "reject",
            "impossibility",
            "alternatives",
            "product",
            "ex-novo",
            "make-or-buy",
            "decide",
            "procure",
            "go-live",
            "declare",
            "modifications",
            "release",
            "close",
            "publish",
            "withdraw",
            "not-applicable",
        ] {
            routes.push((
                "POST",
                format!("/cases/{case}/wizard/{step}"),
                vec![],
                reuser_people,
                [SignIn, Allow, Allow, Deny, Deny, Deny],
            ));
        }
        // The declaration's page is public; its contact and Annex D notice are for the two
        // administrations concerned (and site administrators).
        let seen_by: [(Option<&users::Model>, bool); 7] = [
            (None, false),
            (Some(&reuser_member), true),
            (Some(&owner_member), true),
            (Some(&other_admin), false),
            (Some(&reviewer), false),
            (Some(&site_admin), true),
            (Some(&reuser_admin), true),
        ];
        for (who, sees) in seen_by {
            let mut client = client_for(&app, who).await;
            let page = client.get(&format!("/declarations/{declaration}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert_eq!(
                page.body.contains("ced@bologna.example"),
                sees,
                "{backend:?}: contact shown to {:?}",
                who.map(|u| &u.display_name)
            );
        }
        let mut failures = Vec::new();
        for (method, path, form, [member, admin], expected) in &routes {
            let people: [Option<&users::Model>; 6] = [
                None,
                Some(member),
                Some(admin),
                Some(&other_admin),
                Some(&reviewer),
                Some(&site_admin),
            ];
            for ((who, role), expect) in people.iter().zip(ROLES).zip(expected) {
                let mut client = client_for(&app, *who).await;
                let page = if *method == "GET" {
                    client.get(path).await
                } else {
                    client.post_form(path, form).await
                };
                // The reviewers' pages send whoever is not signed in to the sign-in page.
                let to_sign_in = page.status == StatusCode::SEE_OTHER
                    && page.location().starts_with("/account/sign-in");
                let got = match page.status {
                    StatusCode::UNAUTHORIZED => SignIn,
                    StatusCode::FORBIDDEN => Deny,
                    _ if to_sign_in => SignIn,
                    _ => Allow,
                };
                assert!(
                    page.status != StatusCode::INTERNAL_SERVER_ERROR,
                    "{method} {path} as {role}: {}",
                    page.body
                );
                if got != *expect {
                    failures.push(format!(
                        "{method} {path} as {role}: expected {expect:?}, got {} ({got:?})",
                        page.status
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{backend:?}:\n{}", failures.join("\n"));
        app.close().await;
    }
}

#[tokio::test]
async fn a_member_of_one_administration_cannot_act_for_another() {
    let app = TestApp::new().demo().build().await;
    let bologna =
        riuso::catalog::organisations::for_ipa(&app.db.conn, "c_a944", "Comune di Bologna")
            .await
            .unwrap()
            .id;
    let milano = riuso::catalog::organisations::for_ipa(&app.db.conn, "c_f205", "Comune di Milano")
        .await
        .unwrap()
        .id;
    let ada = person(&app.db, "ada@bologna.example", None).await;
    member_of(&app.db, &ada, bologna, ms::OrgRole::Admin).await;
    let slug = slug_of(&app.db, "ComunicaPA").await;
    let mut client = client_for(&app, Some(&ada)).await;
    let page = client.get(&format!("/software/{slug}")).await;
    let offered: Vec<String> = page
        .all("#declare-form select option")
        .iter()
        .map(|o| o.value().attr("value").unwrap().to_owned())
        .collect();
    assert_eq!(
        offered,
        [bologna.to_string()],
        "only her own administration is offered"
    );
    let milano_id = milano.to_string();
    let form = [
        ("organisation", milano_id.as_str()),
        ("version", "1"),
        ("since", "2025-01-01"),
        ("contact", "x"),
    ];
    let page = client
        .post_form(&format!("/software/{slug}/declarations"), &form)
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        riuso::community::declarations::made_by(&app.db.conn, milano)
            .await
            .unwrap()
            .is_empty(),
        "nothing was declared for Milano"
    );
    let page = client.get("/publishers/c_f205/members").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // For her own administration: once per solution, and never one Bologna publishes itself.
    let bologna_id = bologna.to_string();
    let form = [
        ("organisation", bologna_id.as_str()),
        ("version", "1"),
        ("since", "2025-01-01"),
        ("contact", "x"),
    ];
    let uri = format!("/software/{slug}/declarations");
    assert_eq!(
        client.post_form(&uri, &form).await.status,
        StatusCode::SEE_OTHER
    );
    let again = client.post_form(&uri, &form).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    // A tampered form is refused in the reader's language.
    let tampered = client
        .post_form(&uri, &[("organisation", "abc"), ("version", "1")])
        .await;
    assert_eq!(tampered.status, StatusCode::BAD_REQUEST);
    assert!(tampered.body.contains("modulo"), "{}", tampered.body);
    let own = slug_of(&app.db, "Lavori Asse stradale").await;
    let page = client
        .post_form(&format!("/software/{own}/declarations"), &form)
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    app.close().await;
}

/// A route of the communities: method, path, form, and what each of [`COMMUNITY_ROLES`] gets.
type CommunityRoute<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, [Expect; 7]);

/// The people of the communities' matrix, in the order of each row of expectations.
const COMMUNITY_ROLES: [&str; 7] = [
    "anonymous",
    "signed in",
    "member",
    "coordinator",
    "moderator",
    "site admin",
    "another administration's admin",
];

/// Every route of the communities, as every kind of person: a public solution community
/// (`ComunicaPA`'s, opened by its owner's member, its coordinator) with a member (Bologna's
/// member), a moderator (Bologna's admin, maintainer), and a members-only community of practice
/// with the same people; the signed-in person and Milano's admin are in neither.
#[tokio::test]
async fn every_community_route_for_every_role() {
    use riuso::community::authz::{Actor, CommunityRole};
    use riuso::community::forum::{JoinPolicy, Visibility, communities, members, threads};

    for backend in BACKENDS {
        let app = demo_app(backend).await;
        let db = &app.db;
        let org = |code: &'static str, name: &'static str| async move {
            riuso::catalog::organisations::for_ipa(&db.conn, code, name)
                .await
                .unwrap()
                .id
        };
        let owner = org("c_f646", "Comune di Montesilvano").await;
        let bologna = org("c_a944", "Comune di Bologna").await;
        let milano = org("c_f205", "Comune di Milano").await;
        let coordinator = person(db, "coord@montesilvano.example", None).await;
        let member = person(db, "member@bologna.example", None).await;
        let moderator = person(db, "admin@bologna.example", None).await;
        let signed_in = person(db, "someone@example.org", None).await;
        let other = person(db, "admin@milano.example", None).await;
        let site_admin = person(db, "admin@riuso.example", Some(SiteRole::Admin)).await;
        member_of(db, &coordinator, owner, ms::OrgRole::Member).await;
        member_of(db, &member, bologna, ms::OrgRole::Member).await;
        member_of(db, &moderator, bologna, ms::OrgRole::Admin).await;
        member_of(db, &other, milano, ms::OrgRole::Admin).await;
        let actor = |u: &users::Model| {
            let u = u.clone();
            async move { Actor::of(&db.conn, &u).await.unwrap() }
        };
        let (coord_a, member_a, mod_a) = (
            actor(&coordinator).await,
            actor(&member).await,
            actor(&moderator).await,
        );
        let slug = slug_of(db, "ComunicaPA").await;
        let software = riuso::catalog::read::software(&db.conn, &slug)
            .await
            .unwrap()
            .unwrap()
            .software
            .id;
        let public = communities::open_for_software(&db.conn, &coord_a, software)
            .await
            .unwrap();
        let closed = communities::start(
            &db.conn,
            &coord_a,
            &communities::Settings {
                name: "Riservata".into(),
                description: String::new(),
                visibility: Visibility::Members,
                join_policy: JoinPolicy::Open,
            },
        )
        .await
        .unwrap();
        for c in [&public, &closed] {
            members::join(&db.conn, c, &member_a).await.unwrap();
            members::join(&db.conn, c, &mod_a).await.unwrap();
            let row = members::list(&db.conn, c.id)
                .await
                .unwrap()
                .into_iter()
                .find(|m| matches!(&m.who, members::Who::Person { user_id, .. } if *user_id == moderator.id))
                .unwrap();
            members::set_role(&db.conn, c, &coord_a, row.id, CommunityRole::Maintainer)
                .await
                .unwrap();
        }
        let new_thread = |c: riuso::community::entities::communities::Model, who: Actor| async move {
            threads::start(
                &db.conn,
                &c,
                &who,
                &threads::NewThread {
                    kind: threads::ThreadKind::Discussion,
                    title: "Titolo".into(),
                    body: "Testo".into(),
                },
            )
            .await
            .unwrap()
        };
        let (thread, _) = new_thread(public.clone(), coord_a.clone()).await;
        let (_, post) = new_thread(public.clone(), member_a.clone()).await;
        let (secret, _) = new_thread(closed.clone(), coord_a.clone()).await;
        let release = riuso::community::forum::releases::of_software_releases(&db.conn, software)
            .await
            .unwrap()[0]
            .id;

        const ALL: [Expect; 7] = [Allow; 7];
        const SIGNED: [Expect; 7] = [SignIn, Allow, Allow, Allow, Allow, Allow, Allow];
        const STARTERS: [Expect; 7] = [SignIn, Deny, Allow, Allow, Allow, Allow, Allow];
        const MEMBERS: [Expect; 7] = [SignIn, Deny, Allow, Allow, Allow, Allow, Deny];
        const MODERATORS: [Expect; 7] = [SignIn, Deny, Deny, Allow, Allow, Allow, Deny];
        const COORDINATORS: [Expect; 7] = [SignIn, Deny, Deny, Allow, Deny, Allow, Deny];
        let p = &public.slug;
        let c = &closed.slug;
        let t = thread.id;
        let post = post.id;
        let bologna_id = bologna.to_string();
        let software_id = software.to_string();
        let rows: Vec<CommunityRoute<'_>> = vec![
            ("GET", "/communities".into(), vec![], ALL),
            ("GET", "/communities/new".into(), vec![], STARTERS),
            ("POST", "/communities".into(), vec![("name", "")], STARTERS),
            ("GET", format!("/communities/{p}"), vec![], ALL),
            ("GET", format!("/communities/{c}"), vec![], ALL),
            ("GET", format!("/communities/{p}/members"), vec![], ALL),
            ("GET", format!("/communities/{c}/members"), vec![], MEMBERS),
            ("GET", format!("/communities/{p}/feed.atom"), vec![], ALL),
            (
                "GET",
                format!("/communities/{c}/feed.atom"),
                vec![],
                MEMBERS,
            ),
            ("GET", format!("/threads/{t}"), vec![], ALL),
            ("GET", "/communities/search?q=testo".into(), vec![], ALL),
            (
                "GET",
                format!("/communities/{p}/search?q=testo"),
                vec![],
                ALL,
            ),
            (
                "GET",
                format!("/communities/{c}/search?q=testo"),
                vec![],
                MEMBERS,
            ),
            ("GET", "/api/v1/threads/search?q=testo".into(), vec![], ALL),
            (
                "GET",
                format!("/api/v1/threads/search?q=testo&community={c}"),
                vec![],
                MEMBERS,
            ),
            ("GET", format!("/threads/{}", secret.id), vec![], MEMBERS),
            (
                "GET",
                format!("/communities/{p}/settings"),
                vec![],
                COORDINATORS,
            ),
            (
                "POST",
                format!("/communities/{p}/settings"),
                vec![("name", "")],
                COORDINATORS,
            ),
            (
                "GET",
                format!("/communities/{p}/moderation"),
                vec![],
                MODERATORS,
            ),
            (
                "GET",
                format!("/communities/{p}/threads/new"),
                vec![],
                MEMBERS,
            ),
            (
                "POST",
                format!("/communities/{p}/threads"),
                vec![("kind", "discussion"), ("title", ""), ("body", "x")],
                MEMBERS,
            ),
            (
                "POST",
                format!("/communities/{p}/releases"),
                vec![("software", software_id.as_str()), ("version", "")],
                COORDINATORS,
            ),
            (
                "POST",
                format!("/communities/{p}/members/999999/role"),
                vec![("role", "member")],
                COORDINATORS,
            ),
            (
                "POST",
                format!("/communities/{p}/members/999999/approve"),
                vec![],
                COORDINATORS,
            ),
            (
                "POST",
                format!("/communities/{p}/members/999999/remove"),
                vec![],
                COORDINATORS,
            ),
            (
                "POST",
                format!("/threads/{t}/posts"),
                vec![("body", "")],
                MEMBERS,
            ),
            (
                "POST",
                format!("/threads/{t}/lock"),
                vec![("on", "0")],
                MODERATORS,
            ),
            (
                "POST",
                format!("/threads/{t}/pin"),
                vec![("on", "0")],
                MODERATORS,
            ),
            (
                "POST",
                format!("/threads/{t}/accept"),
                vec![("post", "999999")],
                MODERATORS,
            ),
            ("GET", format!("/posts/{post}/edit"), vec![], MEMBERS),
            (
                "POST",
                format!("/posts/{post}/edit"),
                vec![("body", "")],
                MEMBERS,
            ),
            (
                "POST",
                format!("/posts/{post}/hide"),
                vec![("reason", "")],
                MODERATORS,
            ),
            (
                "POST",
                format!("/posts/{post}/report"),
                vec![("reason", "")],
                SIGNED,
            ),
            ("POST", format!("/posts/{post}/delete"), vec![], MEMBERS),
            (
                "POST",
                format!("/releases/{release}/advance"),
                vec![("status", "planned")],
                COORDINATORS,
            ),
            // Bologna's people speak for Bologna (which has not declared reuse: a complaint).
            (
                "POST",
                format!("/releases/{release}/adoption"),
                vec![
                    ("organisation", bologna_id.as_str()),
                    ("adoption", "upgraded"),
                ],
                [SignIn, Deny, Allow, Deny, Allow, Deny, Deny],
            ),
            (
                "POST",
                format!("/software/{slug}/community"),
                vec![],
                COORDINATORS,
            ),
            // Bologna's admin (the moderator) brings Bologna in.
            (
                "POST",
                format!("/communities/{p}/organisations"),
                vec![("organisation", bologna_id.as_str())],
                [SignIn, Deny, Deny, Deny, Allow, Allow, Deny],
            ),
            // Leaving (the last coordinator may not, a refusal of the form) and joining again.
            ("POST", format!("/communities/{p}/leave"), vec![], SIGNED),
            ("POST", format!("/communities/{p}/join"), vec![], SIGNED),
            // Following the solution apart from its community: anyone signed in, in each mode.
            (
                "POST",
                format!("/software/{slug}/follow"),
                vec![("on", "1")],
                SIGNED,
            ),
            (
                "POST",
                format!("/software/{slug}/follow"),
                vec![("on", "digest")],
                SIGNED,
            ),
            (
                "POST",
                format!("/software/{slug}/follow"),
                vec![("on", "0")],
                SIGNED,
            ),
            // An entry that does not exist: not found, never a refusal to whoever signed in.
            (
                "POST",
                "/software/nessuna-soluzione/follow".into(),
                vec![("on", "1")],
                SIGNED,
            ),
        ];
        let people: [Option<&users::Model>; 7] = [
            None,
            Some(&signed_in),
            Some(&member),
            Some(&coordinator),
            Some(&moderator),
            Some(&site_admin),
            Some(&other),
        ];
        let mut failures = Vec::new();
        for (method, path, form, expected) in &rows {
            for ((who, role), expect) in people.iter().zip(COMMUNITY_ROLES).zip(expected) {
                let mut client = client_for(&app, *who).await;
                let page = if *method == "GET" {
                    client.get(path).await
                } else {
                    client.post_form(path, form).await
                };
                assert!(
                    page.status != StatusCode::INTERNAL_SERVER_ERROR,
                    "{method} {path} as {role}: {}",
                    page.body
                );
                let got = match page.status {
                    StatusCode::UNAUTHORIZED => SignIn,
                    StatusCode::FORBIDDEN => Deny,
                    _ => Allow,
                };
                if got != *expect {
                    failures.push(format!(
                        "{method} {path} as {role}: expected {expect:?}, got {} ({got:?})",
                        page.status
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{backend:?}:\n{}", failures.join("\n"));
        app.close().await;
    }
}
