//! Communities on the pages: the list (`/communities`), starting a community of practice, a
//! solution's community opened from its software page, a community's page (its description,
//! solutions, release matrix and threads, paged), its members (joining, leaving, the
//! coordinators' approvals and roles), its settings and its moderation (reports and log).
//!
//! Every handler asks `community::forum`, which decides with `community::authz` who may do
//! what; a members-only community shows others its name, description and the way in, never its
//! threads or members.

use askama::Template;
use axum::response::{IntoResponse as _, Redirect, Response};
use serde::Deserialize;

use super::releases::{MatrixView, matrix_view};
use crate::app::AppState;
use crate::catalog::read;
use crate::community::authz::{self, Action, Actor, CommunityRole, Standing};
use crate::community::entities::communities as community_rows;
use crate::community::forum::communities::{self, Settings};
use crate::community::forum::members::{self, Who};
use crate::community::forum::notify::{self, Target};
use crate::community::forum::threads::{self, THREADS_PER_PAGE};
use crate::community::forum::{JoinPolicy, Kind, Visibility, standing};
use crate::community::people::Person;
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::extract::{Form, Key, Path};
use crate::web::page::{PageCtx, render};
use crate::web::params::{Params, QuerySpec};
use crate::web::session::{Csrf, SignedIn, Viewer};

/// How a person reads on these pages.
#[must_use]
pub fn person_name(lang: Lang, person: &Person) -> String {
    match person {
        Person::Member { name } => crate::untrusted::name(name).into_owned(),
        Person::FormerMember => lang.t("account.former_member").to_owned(),
    }
}

/// A date and time as these pages show it (UTC).
#[must_use]
pub fn when(at: &chrono::DateTime<chrono::FixedOffset>) -> String {
    at.with_timezone(&chrono::Utc)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A community, the reader and their place in it.
pub struct Place {
    /// The community.
    pub community: community_rows::Model,
    /// The reader, if signed in.
    pub actor: Option<Actor>,
    /// Their place in it.
    pub standing: Standing,
}

impl Place {
    /// Whether the reader may do `action`.
    #[must_use]
    pub fn may(&self, action: Action) -> bool {
        authz::check(self.actor.as_ref(), action).is_ok()
    }
}

/// The community `slug` as `viewer` stands in it.
///
/// # Errors
///
/// 404 for no such community.
pub async fn place(state: &AppState, viewer: &Viewer, slug: &str) -> Result<Place, AppError> {
    let community = communities::by_slug(&state.db, slug).await?;
    let actor = viewer.actor(state).await?;
    let standing = standing(&state.db, &community, actor.as_ref()).await?;
    Ok(Place {
        community,
        actor,
        standing,
    })
}

/// The message key of a role.
#[must_use]
pub fn role_key(role: CommunityRole) -> &'static str {
    match role {
        CommunityRole::Observer => "community.role.observer",
        CommunityRole::Member => "community.role.member",
        CommunityRole::Maintainer => "community.role.maintainer",
        CommunityRole::Coordinator => "community.role.coordinator",
    }
}

/// A community in the list.
pub struct Item {
    slug: String,
    name: String,
    solution: bool,
    members_only: bool,
    members: u64,
    threads: u64,
}

#[derive(Template)]
#[template(path = "communities/index.html")]
struct ListPage {
    ctx: PageCtx,
    items: Vec<Item>,
    may_start: bool,
}

/// `GET /communities`: every community.
pub async fn list(state: AppState, ctx: PageCtx, viewer: Viewer) -> Result<Response, AppError> {
    let actor = viewer.actor(&state).await?;
    let items = communities::list(&state.db)
        .await?
        .into_iter()
        .map(|s| Item {
            solution: s.row.kind == Kind::Solution.as_str(),
            members_only: s.row.visibility == Visibility::Members.as_str(),
            slug: s.row.slug,
            name: s.row.name,
            members: s.members,
            threads: s.threads,
        })
        .collect();
    render(&ListPage {
        ctx,
        items,
        may_start: authz::check(actor.as_ref(), Action::StartCommunity).is_ok(),
    })
}

#[derive(Template)]
#[template(path = "communities/new.html")]
struct NewPage {
    ctx: PageCtx,
    csrf: String,
    /// The form's action: a new community, or the settings of `slug`.
    action: String,
    name: String,
    description: String,
    members_only: bool,
    approval: bool,
}

/// `GET /communities/new`: the form of a community of practice.
pub async fn new_form(ctx: PageCtx, me: SignedIn, Csrf(csrf): Csrf) -> Result<Response, AppError> {
    me.may(Action::StartCommunity)?;
    render(&NewPage {
        ctx,
        csrf,
        action: "/communities".to_owned(),
        name: String::new(),
        description: String::new(),
        members_only: false,
        approval: false,
    })
}

/// The fields of a community's form.
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    visibility: Option<String>,
    join_policy: Option<String>,
}

impl SettingsForm {
    fn settings(&self) -> Settings {
        Settings {
            name: self.name.clone(),
            description: self.description.clone(),
            visibility: match self.visibility.as_deref() {
                Some("members") => Visibility::Members,
                _ => Visibility::Public,
            },
            join_policy: match self.join_policy.as_deref() {
                Some("approval") => JoinPolicy::Approval,
                _ => JoinPolicy::Open,
            },
        }
    }
}

/// `POST /communities`: starts a community of practice.
pub async fn create(
    state: AppState,
    me: SignedIn,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let row = communities::start(&state.db, &me.actor, &form.settings()).await?;
    Ok(Redirect::to(&format!("/communities/{}", row.slug)).into_response())
}

/// `POST /software/{slug}/community`: the owner opens its solution's community.
pub async fn open(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let detail = read::software(&state.db, slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let row = communities::open_for_software(&state.db, &me.actor, detail.software.id).await?;
    Ok(Redirect::to(&format!("/communities/{}", row.slug)).into_response())
}

/// The parameters of a community's page: the page of threads.
#[derive(Debug)]
pub struct ShowParams;

impl QuerySpec for ShowParams {
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        &["page", "lang"]
    }
}

/// The page number of `params` (from 0): `page` counts from 1 in addresses.
///
/// # Errors
///
/// 400 for a page that is not a positive number.
pub fn page_of<S: QuerySpec>(params: &Params<S>) -> Result<u64, AppError> {
    match params.one("page")? {
        None => Ok(0),
        Some(p) => p
            .parse::<u64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .map(|p| p - 1)
            .ok_or(AppError::Refused {
                key: "community.error.page",
                conflict: false,
            }),
    }
}

/// A thread in a community's list.
pub struct ThreadItem {
    pub(super) id: i64,
    pub(super) title: String,
    /// The message key of its kind.
    pub(super) kind: &'static str,
    pub(super) release: bool,
    pub(super) pinned: bool,
    pub(super) locked: bool,
    pub(super) answered: bool,
    pub(super) posts: i32,
    pub(super) last: String,
    pub(super) author: Option<String>,
}

impl ThreadItem {
    /// The item of `s`.
    #[must_use]
    pub fn of(lang: Lang, s: &threads::Summary) -> Self {
        Self {
            id: s.row.id,
            title: s.row.title.clone(),
            kind: super::threads::kind_key(s.kind),
            release: s.kind == threads::ThreadKind::Release,
            pinned: s.row.pinned,
            locked: s.row.locked,
            answered: s.row.accepted_post_id.is_some(),
            posts: s.row.post_count,
            last: when(&s.row.last_post_at),
            author: s.author.as_ref().map(|p| person_name(lang, p)),
        }
    }
}

#[derive(Template)]
#[template(path = "communities/show.html")]
struct ShowPage {
    ctx: PageCtx,
    csrf: String,
    slug: String,
    name: String,
    description: String,
    solution: bool,
    members_only: bool,
    approval: bool,
    /// Whether the reader may read the threads and members.
    readable: bool,
    signed_in: bool,
    role: Option<&'static str>,
    pending: bool,
    may_join: bool,
    may_post: bool,
    may_moderate: bool,
    may_coordinate: bool,
    /// How the reader follows the community: `None` when they may not (not signed in, or not
    /// allowed to read it), `Some(None)` when they do not.
    following: Option<Option<notify::Mode>>,
    software: Vec<(String, String)>,
    /// The software the coordinators may plan releases of: (id, name).
    plannable: Vec<(i64, String)>,
    matrices: Vec<MatrixView>,
    threads: Vec<ThreadItem>,
    page: u64,
    pages: u64,
}

/// `GET /communities/{slug}`: a community's page.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
    params: Params<ShowParams>,
) -> Result<Response, AppError> {
    let page = page_of(&params)?;
    let place = place(&state, &viewer, slug.as_str()).await?;
    let readable = place.may(Action::ReadCommunity(place.standing));
    let community = &place.community;
    let description = threads::render(&state.db, community, &[community.description.as_str()])
        .await?
        .pop()
        .unwrap_or_default();
    let entries = communities::software_of(&state.db, community.id).await?;
    let (items, total) = if readable {
        threads::list(&state.db, community.id, page, THREADS_PER_PAGE).await?
    } else {
        (Vec::new(), 0)
    };
    let mut matrices = Vec::new();
    if readable {
        for (id, slug, name) in &entries {
            matrices.push(matrix_view(&state, &state.db, *id, slug, name).await?);
        }
    }
    let pending = match &place.actor {
        Some(actor) => members::list(&state.db, community.id)
            .await?
            .iter()
            .any(|m| {
                m.pending
                    && matches!(m.who, Who::Person { user_id, .. } if user_id == actor.user_id)
            }),
        None => false,
    };
    let may_coordinate = place.may(Action::Coordinate(place.standing));
    let following = match &place.actor {
        Some(actor) if readable => {
            Some(notify::follows(&state.db, actor.user_id, Target::Community(community.id)).await?)
        }
        _ => None,
    };
    let lang = ctx.lang;
    render(&ShowPage {
        following,
        csrf,
        slug: community.slug.clone(),
        name: community.name.clone(),
        description,
        solution: community.kind == Kind::Solution.as_str(),
        members_only: community.visibility == Visibility::Members.as_str(),
        approval: community.join_policy == JoinPolicy::Approval.as_str(),
        readable,
        signed_in: place.actor.is_some(),
        role: place.standing.role.map(role_key),
        pending,
        may_join: place.standing.role.is_none() && !pending && place.actor.is_some(),
        may_post: place.may(Action::Post(place.standing)),
        may_moderate: place.may(Action::Moderate(place.standing)),
        may_coordinate,
        plannable: if may_coordinate {
            entries.iter().map(|(id, _, n)| (*id, n.clone())).collect()
        } else {
            Vec::new()
        },
        software: entries.into_iter().map(|(_, s, n)| (s, n)).collect(),
        matrices,
        threads: items.iter().map(|s| ThreadItem::of(lang, s)).collect(),
        page: page + 1,
        pages: total.div_ceil(THREADS_PER_PAGE).max(1),
        ctx,
    })
}

/// A member as the members' page lists them.
pub struct MemberItem {
    id: i64,
    /// The anchor mentions link to (`m-handle`, `o-code`).
    anchor: String,
    name: String,
    handle: Option<String>,
    code: Option<String>,
    organisation: bool,
    role: &'static str,
    role_value: &'static str,
    pending: bool,
}

#[derive(Template)]
#[template(path = "communities/members.html")]
struct MembersPage {
    ctx: PageCtx,
    csrf: String,
    slug: String,
    name: String,
    members: Vec<MemberItem>,
    may_coordinate: bool,
    /// The administrations the reader manages and may bring in: (id, name).
    organisations: Vec<(i64, String)>,
    roles: Vec<(&'static str, &'static str)>,
}

/// `GET /communities/{slug}/members`.
pub async fn members_page(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let place = place(&state, &viewer, slug.as_str()).await?;
    authz::check(place.actor.as_ref(), Action::ReadCommunity(place.standing))?;
    let lang = ctx.lang;
    let list = members::list(&state.db, place.community.id).await?;
    let in_already: Vec<i64> = list
        .iter()
        .filter_map(|m| match m.who {
            Who::Organisation { id, .. } => Some(id),
            Who::Person { .. } => None,
        })
        .collect();
    let organisations = match &place.actor {
        Some(actor) => {
            let managed: Vec<i64> = actor
                .organisations
                .iter()
                .filter(|(id, _)| authz::check(Some(actor), Action::ManageMembers(*id)).is_ok())
                .map(|(id, _)| *id)
                .filter(|id| !in_already.contains(id))
                .collect();
            crate::catalog::organisations::by_ids(&state.db, managed)
                .await?
                .into_values()
                .map(|o| {
                    let name = super::publisher_name(&state, &o.name, o.ipa_code.as_deref());
                    (o.id, name)
                })
                .collect()
        }
        None => Vec::new(),
    };
    let members = list
        .into_iter()
        .map(|m| {
            let (anchor, name, handle, code, organisation) = match &m.who {
                Who::Person { person, handle, .. } => (
                    format!("m-{handle}"),
                    person_name(lang, person),
                    Some(handle.clone()),
                    None,
                    false,
                ),
                Who::Organisation { code, name, id } => (
                    code.as_ref()
                        .map_or_else(|| format!("o-{id}"), |c| format!("o-{c}")),
                    super::publisher_name(&state, name, code.as_deref()),
                    None,
                    code.clone(),
                    true,
                ),
            };
            MemberItem {
                id: m.id,
                anchor,
                name,
                handle,
                code,
                organisation,
                role: role_key(m.role),
                role_value: m.role.as_str(),
                pending: m.pending,
            }
        })
        .collect();
    render(&MembersPage {
        csrf,
        slug: place.community.slug.clone(),
        name: place.community.name.clone(),
        members,
        may_coordinate: place.may(Action::Coordinate(place.standing)),
        organisations,
        roles: CommunityRole::ALL
            .iter()
            .map(|r| (r.as_str(), role_key(*r)))
            .collect(),
        ctx,
    })
}

async fn community(state: &AppState, slug: &Key) -> Result<community_rows::Model, AppError> {
    Ok(communities::by_slug(&state.db, slug.as_str()).await?)
}

/// `POST /communities/{slug}/join`.
pub async fn join(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let row = community(&state, &slug).await?;
    members::join(&state.db, &row, &me.actor).await?;
    Ok(Redirect::to(&format!("/communities/{}", row.slug)).into_response())
}

/// `POST /communities/{slug}/leave`.
pub async fn leave(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let row = community(&state, &slug).await?;
    members::leave(&state.db, &row, &me.actor).await?;
    Ok(Redirect::to(&format!("/communities/{}", row.slug)).into_response())
}

/// An administration, by id.
#[derive(Debug, Deserialize)]
pub struct OrganisationForm {
    organisation: i64,
}

/// `POST /communities/{slug}/organisations`: an admin brings their administration in.
pub async fn join_organisation(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, AppError> {
    let row = community(&state, &slug).await?;
    members::join_organisation(&state.db, &row, &me.actor, form.organisation).await?;
    Ok(Redirect::to(&format!("/communities/{}/members", row.slug)).into_response())
}

/// A member's new role.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// `POST /communities/{slug}/members/{id}/{approve,role,remove}`: a coordinator's change.
pub async fn change_member(
    state: AppState,
    me: SignedIn,
    Path((slug, id, change)): Path<(Key, i64, Key)>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let row = community(&state, &slug).await?;
    match change.as_str() {
        "approve" => members::approve(&state.db, &row, &me.actor, id).await?,
        "remove" => members::remove(&state.db, &row, &me.actor, id).await?,
        "role" => {
            let role = CommunityRole::parse(&form.role).ok_or(AppError::Refused {
                key: "error.form",
                conflict: false,
            })?;
            members::set_role(&state.db, &row, &me.actor, id, role).await?;
        }
        _ => return Err(AppError::NotFound),
    }
    Ok(Redirect::to(&format!("/communities/{}/members", row.slug)).into_response())
}

/// `GET /communities/{slug}/settings`: the coordinators' form.
pub async fn settings_form(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let place = place(&state, &viewer, slug.as_str()).await?;
    me.may(Action::Coordinate(place.standing))?;
    let c = place.community;
    render(&NewPage {
        ctx,
        csrf,
        action: format!("/communities/{}/settings", c.slug),
        members_only: c.visibility == Visibility::Members.as_str(),
        approval: c.join_policy == JoinPolicy::Approval.as_str(),
        name: c.name,
        description: c.description,
    })
}

/// `POST /communities/{slug}/settings`.
pub async fn settings(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let row = community(&state, &slug).await?;
    communities::update(&state.db, &row, &me.actor, &form.settings()).await?;
    Ok(Redirect::to(&format!("/communities/{}", row.slug)).into_response())
}

/// A line of the moderation log as shown.
pub struct LogItem {
    at: String,
    actor: String,
    action: String,
    thread: Option<i64>,
    post: Option<i64>,
    detail: Option<String>,
}

/// A reported post as shown.
pub struct ReportItem {
    post: i64,
    thread: i64,
    reports: i32,
    hidden: bool,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "communities/moderation.html")]
struct ModerationPage {
    ctx: PageCtx,
    csrf: String,
    slug: String,
    name: String,
    reports: Vec<ReportItem>,
    log: Vec<LogItem>,
}

/// `GET /communities/{slug}/moderation`: reports and the log, for moderators.
pub async fn moderation(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let row = community(&state, &slug).await?;
    let actor = Some(&me.actor);
    let log = threads::moderation_log(&state.db, &row, actor).await?;
    let reports = threads::reported(&state.db, &row, actor).await?;
    let lang = ctx.lang;
    render(&ModerationPage {
        csrf,
        slug: row.slug.clone(),
        name: row.name.clone(),
        reports: reports
            .into_iter()
            .map(|(p, reasons)| ReportItem {
                post: p.id,
                thread: p.thread_id,
                reports: p.reports,
                hidden: p.hidden_at.is_some(),
                reasons,
            })
            .collect(),
        log: log
            .into_iter()
            .map(|l| LogItem {
                at: when(&l.row.at),
                actor: l.actor.as_ref().map_or_else(
                    || lang.t("community.log.system").to_owned(),
                    |p| person_name(lang, p),
                ),
                action: lang
                    .lookup(&format!("community.log.{}", l.row.action))
                    .unwrap_or(&l.row.action)
                    .to_owned(),
                thread: l.row.thread_id,
                post: l.row.post_id,
                detail: l.row.detail,
            })
            .collect(),
        ctx,
    })
}

/// An entry of a community's feed.
pub struct FeedEntry {
    url: String,
    title: String,
    author: String,
    published: String,
    updated: String,
    /// The first post as sanitised HTML (escaped once more by the template, as Atom's
    /// `type="html"` wants).
    content: String,
}

#[derive(Template)]
#[template(path = "feeds/community.xml")]
struct CommunityFeed {
    id: String,
    title: String,
    home: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

/// Threads in a community's feed.
const FEED_THREADS: u64 = 50;

/// `GET /communities/{slug}/feed.atom`: the latest threads of a community, with their first
/// post; a members-only community's only for its members.
pub async fn feed(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let place = place(&state, &viewer, slug.as_str()).await?;
    authz::check(place.actor.as_ref(), Action::ReadCommunity(place.standing))?;
    let community = &place.community;
    let (items, _) = threads::list(&state.db, community.id, 0, FEED_THREADS).await?;
    let ids: Vec<i64> = items.iter().map(|t| t.row.id).collect();
    let first = threads::first_posts(&state.db, &ids).await?;
    let bodies: Vec<&str> = items
        .iter()
        .map(|t| first.get(&t.row.id).map_or("", |p| p.body.as_str()))
        .collect();
    let html = threads::render(&state.db, community, &bodies).await?;
    let base = state.config.public_url.trim_end_matches('/').to_owned();
    let lang = ctx.lang;
    let entries: Vec<FeedEntry> = items
        .iter()
        .zip(html)
        .map(|(t, content)| FeedEntry {
            url: format!("{base}/threads/{}", t.row.id),
            title: crate::untrusted::xml(&crate::untrusted::name(&t.row.title)).into_owned(),
            author: crate::untrusted::xml(
                &t.author
                    .as_ref()
                    .map_or_else(|| "riuso".to_owned(), |p| person_name(lang, p)),
            )
            .into_owned(),
            published: t.row.created_at.to_rfc3339(),
            updated: t.row.last_post_at.to_rfc3339(),
            content: crate::untrusted::xml(&content).into_owned(),
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| community.updated_at.to_rfc3339());
    let body = CommunityFeed {
        id: format!("{base}/communities/{}/feed.atom", community.slug),
        title: crate::untrusted::xml(&format!(
            "riuso · {}",
            crate::untrusted::name(&community.name)
        ))
        .into_owned(),
        home: format!("{base}/communities/{}", community.slug),
        updated,
        entries,
    }
    .render()
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("cannot render the feed")))?;
    let mut response = body.into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    Ok(response)
}

/// A follow form: on or off.
#[derive(Debug, Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    on: String,
}

impl FollowForm {
    /// What the form asks: follow with a mail per post (`1`), with a daily digest (`digest`),
    /// or stop (anything else).
    #[must_use]
    pub fn mode(&self) -> Option<notify::Mode> {
        match self.on.as_str() {
            "1" => Some(notify::Mode::Immediate),
            "digest" => Some(notify::Mode::Digest),
            _ => None,
        }
    }
}

/// `POST /communities/{slug}/follow`: follow the community, or stop.
pub async fn follow(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
    Form(form): Form<FollowForm>,
) -> Result<Response, AppError> {
    let row = community(&state, &slug).await?;
    notify::follow(
        &state.db,
        &row,
        &me.actor,
        Target::Community(row.id),
        form.mode(),
    )
    .await?;
    Ok(Redirect::to(&format!("/communities/{}", row.slug)).into_response())
}

/// A notification as the page lists it.
pub struct NotificationItem {
    thread: i64,
    post: i64,
    title: String,
    /// The message key of why.
    reason: &'static str,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "communities/notifications.html")]
struct NotificationsPage {
    ctx: PageCtx,
    csrf: String,
    items: Vec<NotificationItem>,
    unread: u64,
}

/// `GET /notifications`: what the reader was told of, the unread marked.
pub async fn notifications(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
) -> Result<Response, AppError> {
    let (rows, unread) = notify::of_user(&state.db, me.actor.user_id).await?;
    render(&NotificationsPage {
        ctx,
        csrf,
        unread,
        items: rows
            .into_iter()
            .map(|n| NotificationItem {
                thread: n.row.thread_id,
                post: n.row.post_id,
                title: n.thread,
                reason: match n.row.reason.as_str() {
                    notify::reason::MENTION => "community.notification.mention",
                    notify::reason::THREAD => "community.notification.thread",
                    notify::reason::SOFTWARE => "community.follow_solution.notification",
                    _ => "community.notification.community",
                },
                at: when(&n.row.created_at),
                unread: n.row.read_at.is_none(),
            })
            .collect(),
    })
}

/// `POST /notifications/read`: marks them all read.
pub async fn read_all(state: AppState, me: SignedIn) -> Result<Response, AppError> {
    notify::mark_read(&state.db, me.actor.user_id).await?;
    Ok(Redirect::to("/notifications").into_response())
}

/// What an unsubscribe link stops: `thread`, `community`, `software`, or `digest`.
#[derive(Debug)]
pub struct UnsubscribeParams;

impl QuerySpec for UnsubscribeParams {
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        &["thread", "community", "software", "digest", "lang"]
    }
}

fn stop_of(params: &Params<UnsubscribeParams>) -> Result<(notify::Stop, &'static str), AppError> {
    let id = |name: &str| -> Result<Option<i64>, AppError> {
        params
            .one(name)?
            .map(|v| v.parse::<i64>().map_err(|_| AppError::NotFound))
            .transpose()
    };
    if let Some(thread) = id("thread")? {
        return Ok((
            notify::Stop::Following(Target::Thread(thread)),
            "community.unsubscribe_what_thread",
        ));
    }
    if let Some(community) = id("community")? {
        return Ok((
            notify::Stop::Following(Target::Community(community)),
            "community.unsubscribe_what_community",
        ));
    }
    if let Some(software) = id("software")? {
        return Ok((
            notify::Stop::Following(Target::Software(software)),
            "community.follow_solution.unsubscribe_what",
        ));
    }
    if params.one("digest")?.is_some() {
        return Ok((notify::Stop::Digests, "community.unsubscribe_what_digest"));
    }
    Err(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "communities/unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageCtx,
    csrf: String,
    action: String,
    what: &'static str,
    done: bool,
}

/// `GET /unsubscribe/{token}?thread=|community=|digest=`: the link of a mail, which works
/// without signing in; a button stops the messages (a mail scanner that follows links stops
/// nothing).
pub async fn unsubscribe_form(
    state: AppState,
    ctx: PageCtx,
    Csrf(csrf): Csrf,
    Path(token): Path<String>,
    params: Params<UnsubscribeParams>,
) -> Result<Response, AppError> {
    let (stop, what) = stop_of(&params)?;
    notify::unsubscribe_owner(&state.db, &token, stop).await?;
    render(&UnsubscribePage {
        ctx,
        csrf,
        action: format!("/unsubscribe/{token}?{}", stop.query()),
        what,
        done: false,
    })
}

/// `POST /unsubscribe/{token}?…`: stops them; also the one-click `List-Unsubscribe-Post` of
/// mail clients, which carries no CSRF token (the link's own token is the proof).
pub async fn unsubscribe(
    state: AppState,
    ctx: PageCtx,
    Path(token): Path<String>,
    params: Params<UnsubscribeParams>,
) -> Result<Response, AppError> {
    let (stop, what) = stop_of(&params)?;
    notify::unsubscribe(&state.db, &token, stop).await?;
    render(&UnsubscribePage {
        ctx,
        csrf: String::new(),
        action: String::new(),
        what,
        done: true,
    })
}
