//! Threads on the pages: starting one, a thread with its posts (paged), replying (quoting a
//! post prefills the reply), editing a post (its earlier texts listed), deleting, hiding with a
//! reason, reporting, and the moderators' lock and pin; a question's accepted answer; a release
//! thread shows its release and the form where an administration says what it does with it.

use askama::Template;
use axum::response::{IntoResponse as _, Redirect, Response};
use serde::Deserialize;

use super::communities::{Place, person_name, place, when};
use crate::app::AppState;
use crate::community::authz::{self, Action};
use crate::community::forum::notify::{self, Target};
use crate::community::forum::releases::ReleaseStatus;
use crate::community::forum::threads::{self, Flag, NewThread, ThreadKind, Window};
use crate::web::error::AppError;
use crate::web::extract::{Form, Key, Path};
use crate::web::page::{PageCtx, render};
use crate::web::params::{Params, QuerySpec};
use crate::web::session::{Csrf, SignedIn, Viewer};

/// The message key of a thread kind.
#[must_use]
pub fn kind_key(kind: ThreadKind) -> &'static str {
    match kind {
        ThreadKind::Discussion => "community.kind.discussion",
        ThreadKind::Question => "community.kind.question",
        ThreadKind::Announcement => "community.kind.announcement",
        ThreadKind::Release => "community.kind.release",
    }
}

/// The message key of a release status.
#[must_use]
pub fn status_key(status: &str) -> &'static str {
    match ReleaseStatus::parse(status) {
        Some(ReleaseStatus::Planned) => "community.release.planned",
        Some(ReleaseStatus::Candidate) => "community.release.candidate",
        _ => "community.release.released",
    }
}

#[derive(Template)]
#[template(path = "threads/new.html")]
struct NewThreadPage {
    ctx: PageCtx,
    csrf: String,
    slug: String,
    name: String,
    may_announce: bool,
    title: String,
    body: String,
}

/// `GET /communities/{slug}/threads/new`.
pub async fn new_form(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Path(slug): Path<Key>,
) -> Result<Response, AppError> {
    let place = place(&state, &viewer, slug.as_str()).await?;
    me.may(Action::Post(place.standing))?;
    render(&NewThreadPage {
        ctx,
        csrf,
        slug: place.community.slug.clone(),
        name: place.community.name.clone(),
        may_announce: place.may(Action::Coordinate(place.standing)),
        title: String::new(),
        body: String::new(),
    })
}

/// The new thread form.
#[derive(Debug, Deserialize)]
pub struct NewThreadForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// `POST /communities/{slug}/threads`.
pub async fn create(
    state: AppState,
    me: SignedIn,
    Path(slug): Path<Key>,
    Form(form): Form<NewThreadForm>,
) -> Result<Response, AppError> {
    let community = crate::community::forum::communities::by_slug(&state.db, slug.as_str()).await?;
    let kind = ThreadKind::parse(&form.kind).unwrap_or(ThreadKind::Discussion);
    let (thread, _) = threads::start(
        &state.db,
        &community,
        &me.actor,
        &NewThread {
            kind,
            title: form.title,
            body: form.body,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/threads/{}", thread.id)).into_response())
}

/// The parameters of a thread's page: the window of posts (`after` or `before` a post id), the
/// post a reply quotes.
#[derive(Debug)]
pub struct ThreadParams;

impl QuerySpec for ThreadParams {
    const IGNORES_UNKNOWN: bool = true;

    fn names() -> &'static [&'static str] {
        &["after", "before", "quote", "lang"]
    }
}

/// A post as a thread shows it.
pub struct PostItem {
    id: i64,
    author: String,
    at: String,
    edited: Option<String>,
    revisions: u64,
    /// The body as HTML (sanitised), unless deleted or hidden from the reader.
    html: Option<String>,
    deleted: bool,
    hidden: bool,
    hidden_reason: Option<String>,
    accepted: bool,
    may_edit: bool,
}

/// The release of a release thread as shown.
pub struct ReleaseItem {
    id: i64,
    version: String,
    status: &'static str,
    status_value: String,
    date: Option<String>,
    target: Option<String>,
    notes: String,
    /// The administrations the reader may speak for here: (id, name).
    adopters: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "threads/show.html")]
struct ThreadPage {
    ctx: PageCtx,
    csrf: String,
    id: i64,
    title: String,
    kind: &'static str,
    slug: String,
    community: String,
    pinned: bool,
    locked: bool,
    posts: Vec<PostItem>,
    /// The query of this window, ending with `&` (empty for the first posts), for the quote
    /// links.
    here: String,
    /// The post id the previous window ends before, if there are earlier posts.
    previous: Option<i64>,
    /// The post id the next window starts after, if there are later posts.
    next: Option<i64>,
    signed_in: bool,
    may_post: bool,
    may_moderate: bool,
    may_coordinate: bool,
    may_accept: bool,
    quote: String,
    release: Option<ReleaseItem>,
    /// How the reader follows the thread: `None` when not signed in, `Some(None)` when they do
    /// not.
    following: Option<Option<notify::Mode>>,
}

/// The window of posts `params` ask for: `after` or `before` a post id (a positive number), or
/// the first posts.
///
/// # Errors
///
/// 400 for an id that is not a positive number.
fn window_of(params: &Params<ThreadParams>) -> Result<Window, AppError> {
    let id = |name: &str| -> Result<Option<i64>, AppError> {
        params
            .one(name)?
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or(AppError::Refused {
                        key: "community.error.page",
                        conflict: false,
                    })
            })
            .transpose()
    };
    Ok(match (id("after")?, id("before")?) {
        (Some(after), _) => Window::After(after),
        (None, Some(before)) => Window::Before(before),
        (None, None) => Window::First,
    })
}

/// `GET /threads/{id}`.
pub async fn show(
    state: AppState,
    ctx: PageCtx,
    viewer: Viewer,
    Csrf(csrf): Csrf,
    Path(id): Path<i64>,
    params: Params<ThreadParams>,
) -> Result<Response, AppError> {
    let window = window_of(&params)?;
    let actor = viewer.actor(&state).await?;
    let thread = threads::get(&state.db, id, actor.as_ref()).await?;
    let place = Place {
        community: thread.community.clone(),
        actor,
        standing: thread.standing,
    };
    let may_moderate = place.may(Action::Moderate(place.standing));
    let window_page = threads::posts(&state.db, id, window).await?;
    // An empty window (past either end) still leads back to the posts.
    let previous = window_page.earlier.then(|| {
        window_page.posts.first().map_or(
            match window {
                Window::After(id) => id + 1,
                Window::Before(id) => id,
                Window::First => 1,
            },
            |p| p.row.id,
        )
    });
    let next = window_page.later.then(|| {
        window_page.posts.last().map_or(
            match window {
                Window::Before(id) => id - 1,
                Window::After(id) => id,
                Window::First => 0,
            },
            |p| p.row.id,
        )
    });
    let here = match window {
        Window::First => String::new(),
        Window::After(id) => format!("after={id}&"),
        Window::Before(id) => format!("before={id}&"),
    };
    let rows = window_page.posts;
    let bodies: Vec<&str> = rows.iter().map(|p| p.row.body.as_str()).collect();
    let html = threads::render(&state.db, &place.community, &bodies).await?;
    let lang = ctx.lang;
    let me = place.actor.as_ref().map(|a| a.user_id);
    let posts = rows
        .iter()
        .zip(html)
        .map(|(p, html)| {
            let deleted = p.row.deleted_at.is_some();
            let hidden = p.row.hidden_at.is_some();
            let own = p.row.author_id.is_some() && p.row.author_id == me;
            PostItem {
                id: p.row.id,
                author: person_name(lang, &p.author),
                at: when(&p.row.created_at),
                edited: p.row.edited_at.as_ref().map(when),
                revisions: p.revisions,
                html: (!deleted && (!hidden || may_moderate || own)).then_some(html),
                deleted,
                hidden,
                hidden_reason: p.row.hidden_reason.clone(),
                accepted: thread.row.accepted_post_id == Some(p.row.id),
                may_edit: !deleted
                    && place.may(Action::EditPost {
                        standing: place.standing,
                        own,
                    }),
            }
        })
        .collect();
    let quote = match params.one("quote")?.and_then(|q| q.parse::<i64>().ok()) {
        Some(post) => rows
            .iter()
            .find(|p| p.row.id == post && p.row.deleted_at.is_none() && p.row.hidden_at.is_none())
            .map(|p| {
                let mut text = format!("> {}:\n", person_name(lang, &p.author));
                for line in p.row.body.lines() {
                    text.push_str("> ");
                    text.push_str(line);
                    text.push('\n');
                }
                text.push('\n');
                text
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    let release = match &thread.release {
        Some(r) => {
            let adopters = match &place.actor {
                Some(actor) => {
                    let orgs: Vec<i64> = actor
                        .organisations
                        .iter()
                        .map(|(o, _)| *o)
                        .filter(|o| authz::check(Some(actor), Action::Adopt(*o)).is_ok())
                        .collect();
                    super::releases::reusers(&state, r.software_id, &orgs).await?
                }
                None => Vec::new(),
            };
            let notes = threads::render(&state.db, &place.community, &[r.notes.as_str()])
                .await?
                .pop()
                .unwrap_or_default();
            Some(ReleaseItem {
                id: r.id,
                version: r.version.clone(),
                status: status_key(&r.status),
                status_value: r.status.clone(),
                date: r.release_date.map(|d| d.to_string()),
                target: r.target_date.map(|d| d.to_string()),
                notes,
                adopters,
            })
        }
        None => None,
    };
    let following = match &place.actor {
        Some(actor) => Some(notify::follows(&state.db, actor.user_id, Target::Thread(id)).await?),
        None => None,
    };
    render(&ThreadPage {
        following,
        csrf,
        id,
        title: thread.row.title.clone(),
        kind: kind_key(thread.kind),
        slug: place.community.slug.clone(),
        community: place.community.name.clone(),
        pinned: thread.row.pinned,
        locked: thread.row.locked,
        posts,
        here,
        previous,
        next,
        signed_in: place.actor.is_some(),
        may_post: place.may(Action::Post(place.standing)) && (!thread.row.locked || may_moderate),
        may_moderate,
        may_coordinate: place.may(Action::Coordinate(place.standing)),
        may_accept: thread.kind == ThreadKind::Question
            && place.may(Action::EditPost {
                standing: place.standing,
                own: thread.row.author_id.is_some() && thread.row.author_id == me,
            }),
        quote,
        release,
        ctx,
    })
}

/// A post's body.
#[derive(Debug, Deserialize)]
pub struct BodyForm {
    #[serde(default)]
    body: String,
}

/// `POST /threads/{id}/posts`: a reply.
pub async fn reply(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<BodyForm>,
) -> Result<Response, AppError> {
    let (_, post) = threads::reply(&state.db, id, &me.actor, &form.body).await?;
    // The window that ends with the new post: the conversation it answers above it.
    Ok(Redirect::to(&format!(
        "/threads/{id}?before={}#post-{}",
        post.id + 1,
        post.id
    ))
    .into_response())
}

/// A thread flag's new value.
#[derive(Debug, Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    on: String,
}

/// `POST /threads/{id}/lock`, `/threads/{id}/pin`: a moderator's flag.
pub async fn flag(
    state: AppState,
    me: SignedIn,
    Path((id, which)): Path<(i64, Key)>,
    Form(form): Form<FlagForm>,
) -> Result<Response, AppError> {
    let flag = match which.as_str() {
        "lock" => Flag::Locked,
        "pin" => Flag::Pinned,
        _ => return Err(AppError::NotFound),
    };
    threads::set_flag(&state.db, id, &me.actor, flag, form.on == "1").await?;
    Ok(Redirect::to(&format!("/threads/{id}")).into_response())
}

/// The post a question accepts.
#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    post: i64,
}

/// `POST /threads/{id}/accept`.
pub async fn accept(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, AppError> {
    threads::accept(&state.db, id, form.post, &me.actor).await?;
    Ok(Redirect::to(&format!("/threads/{id}#post-{}", form.post)).into_response())
}

#[derive(Template)]
#[template(path = "threads/edit.html")]
struct EditPage {
    ctx: PageCtx,
    csrf: String,
    id: i64,
    thread: i64,
    title: String,
    body: String,
    history: Vec<(String, String)>,
}

/// `GET /posts/{id}/edit`: the form, with the earlier texts.
pub async fn edit_form(
    state: AppState,
    ctx: PageCtx,
    me: SignedIn,
    Csrf(csrf): Csrf,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (post, thread, revisions) = threads::history(&state.db, id, &me.actor).await?;
    if post.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    render(&EditPage {
        ctx,
        csrf,
        id,
        thread: thread.row.id,
        title: thread.row.title,
        body: post.body,
        history: revisions
            .into_iter()
            .map(|r| (when(&r.edited_at), r.body))
            .collect(),
    })
}

/// `POST /posts/{id}/edit`.
pub async fn edit(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<BodyForm>,
) -> Result<Response, AppError> {
    let post = threads::edit(&state.db, id, &me.actor, &form.body).await?;
    Ok(Redirect::to(&format!("/threads/{}#post-{id}", post.thread_id)).into_response())
}

/// A reason (for hiding or reporting); an empty one, to hide, shows the post again.
#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /posts/{id}/{delete,hide,report}`.
pub async fn act(
    state: AppState,
    me: SignedIn,
    Path((id, action)): Path<(i64, Key)>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, AppError> {
    match action.as_str() {
        "delete" => threads::delete(&state.db, id, &me.actor).await?,
        "hide" => {
            let reason = Some(form.reason.as_str()).filter(|r| !r.trim().is_empty());
            threads::hide(&state.db, id, &me.actor, reason).await?;
        }
        "report" => {
            threads::report(&state.db, id, &me.actor, &form.reason).await?;
        }
        _ => return Err(AppError::NotFound),
    }
    let (post, _) = threads::post(&state.db, id, Some(&me.actor)).await?;
    Ok(Redirect::to(&format!("/threads/{}#post-{id}", post.thread_id)).into_response())
}

/// `POST /threads/{id}/follow`: follow the thread, or stop.
pub async fn follow(
    state: AppState,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<super::communities::FollowForm>,
) -> Result<Response, AppError> {
    let thread = threads::get(&state.db, id, Some(&me.actor)).await?;
    notify::follow(
        &state.db,
        &thread.community,
        &me.actor,
        Target::Thread(id),
        form.mode(),
    )
    .await?;
    Ok(Redirect::to(&format!("/threads/{id}")).into_response())
}
