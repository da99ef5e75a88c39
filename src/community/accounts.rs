//! Accounts: sign-up with an e-mail address and an argon2 password, verification of the address
//! by an e-mailed link, sign-in, password reset, site roles, and deletion that keeps the person's
//! public records attributed to "former member".
//!
//! Nothing here tells a stranger whether an address has an account: sign-up and reset answer the
//! same either way (the owner of the address is told by e-mail instead), and a sign-in with an
//! unknown address costs the same hash as one with a wrong password.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, SqlErr,
};
use tokio::sync::Semaphore;

use super::entities::{memberships, sessions, user_tokens, users};
use super::tokens::{find_token, insert_token, redeem_token};
use super::{CommunityError, mails, now, plain_line};
use crate::i18n::Lang;
use crate::mail;

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted (argon2 takes any length; this bounds the work of one request).
pub const MAX_PASSWORD: usize = 256;
/// How long an address-verification link works.
const VERIFY_HOURS: i64 = 48;
/// How long a password-reset link works.
const RESET_HOURS: i64 = 2;

/// What the sign-up form gives.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// The e-mail address (any case; stored lower-case).
    pub email: String,
    /// The name shown beside what the person does.
    pub display_name: String,
    /// The password.
    pub password: String,
    /// The language the person reads, for the e-mail we send.
    pub lang: Lang,
}

/// A site-wide role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteRole {
    /// Manages users and may act on any declaration.
    Admin,
    /// Checks compliance: may read every organisation's pending declarations.
    Reviewer,
}

impl SiteRole {
    /// The stored form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Reviewer => "reviewer",
        }
    }

    /// The role a stored value names, if any.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "reviewer" => Some(Self::Reviewer),
            _ => None,
        }
    }
}

/// The address as stored: trimmed, lower-case, and a valid address.
///
/// # Errors
///
/// [`CommunityError::Invalid`] when it is not an address.
pub fn normalize_email(email: &str) -> Result<String, CommunityError> {
    let email = email.trim().to_lowercase();
    if email.len() > 254 || !email_address::EmailAddress::is_valid(&email) {
        return Err(CommunityError::Invalid("account.error.email"));
    }
    Ok(email)
}

/// The character a look-alike stands for, when it can stand for `.`, `/`, `:` or an ASCII
/// letter or digit (fullwidth forms); `None` for the invisible ones, which a reader does not
/// see between the parts of an address.
fn unmasked(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0),
        '\u{2024}' | '\u{3002}' | '\u{FF61}' | '\u{FE52}' | '\u{2E3C}' => Some('.'),
        '\u{2044}' | '\u{2215}' | '\u{29F8}' => Some('/'),
        '\u{2236}' | '\u{A789}' | '\u{FE55}' => Some(':'),
        '\u{00AD}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}' => None,
        c => Some(c),
    }
}

/// Whether a display name could be read as a web address: a scheme (`http:`, `mailto:x`),
/// `//`, `www.`, or a dot between two words (`example.com`, `bit.ly`), with fullwidth and
/// other look-alike dots, slashes and colons counted as the real ones. The name travels in mail
/// to administrations, where a link in it would lure readers away. Initials (`J.R.R. Tolkien`,
/// `S. Lazzaro`) stay allowed.
#[must_use]
pub fn looks_like_a_link(name: &str) -> bool {
    let text: String = name
        .chars()
        .filter_map(unmasked)
        .collect::<String>()
        .to_lowercase();
    if text.contains("//") || text.contains("www.") {
        return true;
    }
    let chars: Vec<char> = text.chars().collect();
    // `scheme:` then something other than a space.
    let scheme = chars.iter().enumerate().any(|(i, c)| {
        if *c != ':' || chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
            return false;
        }
        let run: Vec<&char> = chars[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .collect();
        run.len() >= 2 && run.last().is_some_and(|c| c.is_ascii_alphabetic())
    });
    if scheme {
        return true;
    }
    // A dot with a word character before it and at least two after it: a domain's last labels.
    chars.iter().enumerate().any(|(i, c)| {
        *c == '.'
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|c| c.is_alphanumeric())
            && chars.get(i + 2).is_some_and(|c| c.is_alphanumeric())
    })
}

fn check_password(password: &str) -> Result<(), CommunityError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(CommunityError::Invalid("account.error.password_short"));
    }
    if n > MAX_PASSWORD {
        return Err(CommunityError::Invalid("account.error.password_long"));
    }
    Ok(())
}

/// The argon2 work of this process. Each hash or verification holds about 19 MiB for tens of
/// milliseconds of a CPU, so at most `max` run at once, on `max` threads of their own; a request
/// that cannot start one within `wait` is refused with [`CommunityError::Busy`] instead of
/// queueing without end. Every function here that hashes or verifies a password goes through it.
///
/// The threads are its own rather than the runtime's blocking pool because the allocator keeps a
/// freed block in the arena of the thread that used it: hashes spread over the pool's many
/// threads would keep one 19 MiB block per thread (hundreds of MiB after a flood of sign-ins),
/// while `max` threads keep at most `max`.
#[derive(Debug, Clone)]
pub struct Hashing {
    permits: Arc<Semaphore>,
    wait: Duration,
    counts: Arc<HashCounts>,
    jobs: std::sync::mpsc::Sender<HashJob>,
}

/// A piece of argon2 work for the hashing threads.
type HashJob = Box<dyn FnOnce() + Send>;

/// What [`Hashing`] has done, for monitoring (and for the tests that check a route hashes
/// nothing it should not).
#[derive(Debug, Default)]
struct HashCounts {
    started: AtomicU64,
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// Decrements the running count when a job ends, even when it panics.
struct Running(Arc<HashCounts>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Hashing {
    /// At most `max` (at least 1) argon2 jobs at once; the others wait up to `wait`.
    #[must_use]
    pub fn new(max: usize, wait: Duration) -> Self {
        let max = max.max(1);
        let (jobs, queue) = std::sync::mpsc::channel::<HashJob>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for n in 0..max {
            let queue = Arc::clone(&queue);
            // The threads end when the last handle on this `Hashing` is dropped (the channel
            // closes); one that cannot be started leaves the others to do the work.
            let started = std::thread::Builder::new()
                .name(format!("riuso-hash-{n}"))
                .spawn(move || {
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            // A job that panics loses its answer (its request fails), not the
                            // thread.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = started {
                tracing::error!(error = %e, "cannot start a password-hashing thread");
            }
        }
        Self {
            permits: Arc::new(Semaphore::new(max)),
            wait,
            counts: Arc::default(),
            jobs,
        }
    }

    /// How many hashes and verifications have started since the process began.
    #[must_use]
    pub fn started(&self) -> u64 {
        self.counts.started.load(Ordering::SeqCst)
    }

    /// The most that ever ran at the same time.
    #[must_use]
    pub fn peak(&self) -> usize {
        self.counts.peak.load(Ordering::SeqCst)
    }

    /// Runs `job` on the blocking pool once a permit is free. The permit travels with the job,
    /// so a request that goes away while its hash runs does not free a place still taken.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CommunityError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| CommunityError::Busy)?
            .map_err(|e| CommunityError::Internal(Box::new(e)))?;
        let counts = self.counts.clone();
        counts.started.fetch_add(1, Ordering::SeqCst);
        let now = counts.running.fetch_add(1, Ordering::SeqCst) + 1;
        counts.peak.fetch_max(now, Ordering::SeqCst);
        let running = Running(counts);
        let (done, answer) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let out = job();
                drop(running);
                drop(permit);
                let _ = done.send(out);
            }))
            .map_err(|_| {
                CommunityError::Internal("the password-hashing threads are gone".into())
            })?;
        answer.await.map_err(|_| {
            CommunityError::Internal("a password-hashing job ended without an answer".into())
        })
    }
}

async fn hash_password(hashing: &Hashing, password: String) -> Result<String, CommunityError> {
    hashing
        .run(move || {
            let mut salt = [0_u8; 16];
            getrandom::fill(&mut salt).map_err(|e| CommunityError::Internal(Box::new(e)))?;
            let salt = SaltString::encode_b64(&salt)
                .map_err(|e| CommunityError::Internal(e.to_string().into()))?;
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| CommunityError::Internal(e.to_string().into()))
        })
        .await?
}

/// A hash nobody's password matches: verified against when the address is unknown, so that an
/// unknown address takes as long as a wrong password.
static DECOY: LazyLock<Option<String>> = LazyLock::new(|| {
    let salt = SaltString::encode_b64(b"riuso-decoy-salt").ok()?;
    Argon2::default()
        .hash_password(b"not anybody's password", &salt)
        .ok()
        .map(|h| h.to_string())
});

/// Whether `password` matches `hash` (the decoy when there is none).
///
/// # Errors
///
/// [`CommunityError::Busy`] when no verification could start in time.
async fn verify_password(
    hashing: &Hashing,
    password: String,
    hash: Option<String>,
) -> Result<bool, CommunityError> {
    hashing
        .run(move || {
            let Some(hash) = hash.or_else(|| DECOY.clone()) else {
                return false;
            };
            PasswordHash::new(&hash).is_ok_and(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
        })
        .await
}

/// Whether `password` could be anybody's: an empty one or one longer than any we accept is
/// refused before any hash, whatever the address (so this says nothing about it).
fn may_be_a_password(password: &str) -> bool {
    !password.is_empty() && password.chars().count() <= MAX_PASSWORD
}

/// The link to `path` on this server.
fn link(public_url: &str, path: &str, token: &str) -> String {
    format!("{}/{path}/{token}", public_url.trim_end_matches('/'))
}

/// Queues a message `write` makes (in the account's language, to `email`) carrying a new
/// password-reset link for `user`.
async fn mail_reset_link(
    txn: &impl ConnectionTrait,
    public_url: &str,
    user: &users::Model,
    email: &str,
    write: fn(Lang, &str, &str) -> mail::Message,
) -> Result<(), CommunityError> {
    let token = insert_token(txn, "reset", user.id, None, RESET_HOURS).await?;
    let lang = Lang::from_tag(&user.lang).unwrap_or_default();
    let message = write(lang, email, &link(public_url, "account/reset", &token));
    mail::enqueue(txn, &message).await?;
    Ok(())
}

/// Creates an account and e-mails the link that verifies its address; an address that already
/// has an account gets a message saying so (with a reset link) instead, and the caller cannot
/// tell the difference. Answers the new account, if one was made.
///
/// # Errors
///
/// [`CommunityError::Invalid`] for an address, name or password that cannot be used (checked
/// before any hash); [`CommunityError::Busy`] when the password cannot be hashed in time.
pub async fn sign_up(
    db: &DatabaseConnection,
    hashing: &Hashing,
    public_url: &str,
    form: &SignUp,
) -> Result<Option<users::Model>, CommunityError> {
    let email = normalize_email(&form.email)?;
    let name = form.display_name.trim();
    if !plain_line(name, 80) || looks_like_a_link(name) {
        return Err(CommunityError::Invalid("account.error.name"));
    }
    check_password(&form.password)?;
    let hash = hash_password(hashing, form.password.clone()).await?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(existing) = by_email(&txn, &email).await? {
        mail_reset_link(
            &txn,
            public_url,
            &existing,
            &email,
            mails::already_registered,
        )
        .await?;
        txn.commit().await?;
        return Ok(None);
    }
    let inserted = users::ActiveModel {
        email: Set(Some(email.clone())),
        display_name: Set(name.to_owned()),
        password_hash: Set(Some(hash)),
        email_verified_at: Set(None),
        site_role: Set(None),
        lang: Set(form.lang.code().to_owned()),
        created_at: Set(now()),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let user = match inserted {
        // The same address signed up at the same moment: the other request made the account
        // and sent its mail; this one answers the same as for any known address.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Ok(None);
        }
        other => other?,
    };
    let token = insert_token(&txn, "verify", user.id, None, VERIFY_HOURS).await?;
    mail::enqueue(
        &txn,
        &mails::verify(
            form.lang,
            &email,
            name,
            &link(public_url, "account/verify", &token),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user.id = user.id, "account created");
    Ok(Some(user))
}

/// Sends a new verification link to a signed-in user whose address is not verified yet.
///
/// # Errors
///
/// On a database error.
pub async fn resend_verification(
    db: &DatabaseConnection,
    public_url: &str,
    user: &users::Model,
) -> Result<(), CommunityError> {
    let (Some(email), None) = (&user.email, user.email_verified_at) else {
        return Ok(());
    };
    let txn = crate::db::begin_write(db).await?;
    let token = insert_token(&txn, "verify", user.id, None, VERIFY_HOURS).await?;
    let lang = Lang::from_tag(&user.lang).unwrap_or_default();
    mail::enqueue(
        &txn,
        &mails::verify(
            lang,
            email,
            &user.display_name,
            &link(public_url, "account/verify", &token),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Verifies the address of the account the link was sent for.
///
/// # Errors
///
/// [`CommunityError::BadToken`] for a link that is unknown, used or expired.
pub async fn verify_email(
    db: &DatabaseConnection,
    token: &str,
) -> Result<users::Model, CommunityError> {
    let txn = crate::db::begin_write(db).await?;
    let row = redeem_token(&txn, "verify", token).await?;
    let user = live_user(&txn, row.user_id).await?;
    let user = if user.email_verified_at.is_none() {
        let mut update: users::ActiveModel = user.into();
        update.email_verified_at = Set(Some(now()));
        update.update(&txn).await?
    } else {
        user
    };
    txn.commit().await?;
    Ok(user)
}

/// The account of `email` when `password` is its password.
///
/// # Errors
///
/// [`CommunityError::BadCredentials`] otherwise, whichever of the two is wrong;
/// [`CommunityError::Busy`] when the password cannot be checked in time.
pub async fn sign_in(
    db: &DatabaseConnection,
    hashing: &Hashing,
    email: &str,
    password: &str,
) -> Result<users::Model, CommunityError> {
    if !may_be_a_password(password) {
        return Err(CommunityError::BadCredentials);
    }
    let user = match normalize_email(email) {
        Ok(email) => by_email(db, &email).await?,
        Err(_) => None,
    };
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let known = hash.is_some();
    if verify_password(hashing, password.to_owned(), hash).await? && known {
        user.ok_or(CommunityError::BadCredentials)
    } else {
        Err(CommunityError::BadCredentials)
    }
}

/// E-mails a password-reset link to `email` if it has an account; answers the same either way.
///
/// # Errors
///
/// On a database error.
pub async fn request_reset(
    db: &DatabaseConnection,
    public_url: &str,
    email: &str,
) -> Result<(), CommunityError> {
    let Ok(email) = normalize_email(email) else {
        return Ok(());
    };
    let txn = crate::db::begin_write(db).await?;
    if let Some(user) = by_email(&txn, &email).await? {
        mail_reset_link(&txn, public_url, &user, &email, mails::reset).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The account a reset link that still works is for (the form asks before it takes a
/// password).
///
/// # Errors
///
/// [`CommunityError::BadToken`] when it does not work.
pub async fn check_reset(db: &DatabaseConnection, token: &str) -> Result<i64, CommunityError> {
    find_token(db, "reset", token).await.map(|row| row.user_id)
}

/// Sets a new password through a reset link; every session of the account ends, and the address
/// counts as verified (the link reached it).
///
/// # Errors
///
/// [`CommunityError::Invalid`] for a password too short or too long;
/// [`CommunityError::BadToken`] for a link that does not work; both are checked before the new
/// password is hashed, so a stranger without a link costs no hash.
/// [`CommunityError::Busy`] when the password cannot be hashed in time.
pub async fn reset_password(
    db: &DatabaseConnection,
    hashing: &Hashing,
    token: &str,
    password: &str,
) -> Result<users::Model, CommunityError> {
    check_password(password)?;
    find_token(db, "reset", token).await?;
    let hash = hash_password(hashing, password.to_owned()).await?;
    // The link is used only now, in the transaction that sets the password: of two requests
    // with the same link, one changes the password and the other gets `BadToken`.
    let txn = crate::db::begin_write(db).await?;
    let row = redeem_token(&txn, "reset", token).await?;
    let user = live_user(&txn, row.user_id).await?;
    let verified = user.email_verified_at.unwrap_or_else(now);
    let mut update: users::ActiveModel = user.into();
    update.password_hash = Set(Some(hash));
    update.email_verified_at = Set(Some(verified));
    let user = update.update(&txn).await?;
    sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    // Any other reset link sent before stops working too.
    user_tokens::Entity::update_many()
        .col_expr(user_tokens::Column::UsedAt, Expr::value(now()))
        .filter(user_tokens::Column::UserId.eq(user.id))
        .filter(user_tokens::Column::Purpose.eq("reset"))
        .filter(user_tokens::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(user)
}

/// Deletes the account of `user` when `password` is its password: the address, name, password,
/// sessions, links and memberships go; the row stays, nameless, so what the person declared in
/// public stays attributed to "former member".
///
/// # Errors
///
/// [`CommunityError::BadCredentials`] when the password is wrong;
/// [`CommunityError::Busy`] when it cannot be checked in time.
pub async fn delete(
    db: &DatabaseConnection,
    hashing: &Hashing,
    user: &users::Model,
    password: &str,
) -> Result<(), CommunityError> {
    let hash = user.password_hash.clone();
    if hash.is_none()
        || !may_be_a_password(password)
        || !verify_password(hashing, password.to_owned(), hash).await?
    {
        return Err(CommunityError::BadCredentials);
    }
    let txn = crate::db::begin_write(db).await?;
    sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    user_tokens::Entity::delete_many()
        .filter(user_tokens::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    memberships::Entity::delete_many()
        .filter(memberships::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    users::ActiveModel {
        id: Set(user.id),
        email: Set(None),
        display_name: Set(String::new()),
        password_hash: Set(None),
        site_role: Set(None),
        deleted_at: Set(Some(now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(user.id = user.id, "account deleted");
    Ok(())
}

/// Gives the account of `email` the site role `role` (or none); answers whether it exists.
///
/// # Errors
///
/// On a database error or an address that is not one.
pub async fn set_site_role(
    db: &DatabaseConnection,
    email: &str,
    role: Option<SiteRole>,
) -> Result<bool, CommunityError> {
    let email = normalize_email(email)?;
    let Some(user) = by_email(db, &email).await? else {
        return Ok(false);
    };
    users::ActiveModel {
        id: Set(user.id),
        site_role: Set(role.map(|r| r.as_str().to_owned())),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(true)
}

/// The live account with address `email` (already normalized).
///
/// # Errors
///
/// On a database error.
pub async fn by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<users::Model>, CommunityError> {
    Ok(users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

async fn live_user(db: &impl ConnectionTrait, id: i64) -> Result<users::Model, CommunityError> {
    users::Entity::find_by_id(id)
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(CommunityError::BadToken)
}

/// Every live account with a site role, with it.
///
/// # Errors
///
/// On a database error.
pub async fn staff(
    db: &DatabaseConnection,
) -> Result<Vec<(users::Model, SiteRole)>, CommunityError> {
    use sea_orm::QueryOrder as _;
    Ok(users::Entity::find()
        .filter(users::Column::SiteRole.is_not_null())
        .filter(users::Column::DeletedAt.is_null())
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| {
            let role = u.site_role.as_deref().and_then(SiteRole::parse)?;
            Some((u, role))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::looks_like_a_link;

    #[test]
    fn names_that_read_as_web_addresses_are_recognised() {
        for link in [
            "example.com",
            "Ada example.com",
            "EXAMPLE.COM",
            "bit.ly/x",
            "http://x",
            "https:evil",
            "mailto:ada@example.org",
            "javascript:alert(1)",
            "www.x",
            "WWW.Comune",
            "//evil",
            "ｅｘａｍｐｌｅ．ｃｏｍ",
            "example。com",
            "example｡com",
            "example․com",
            "example﹒com",
            "example\u{200B}.com",
            "examp\u{00AD}le.c\u{200D}om",
            "http：⁄⁄x",
            "ｈｔｔｐｓ：／／x",
            "примеp.рф",
            "192.168.1.1",
        ] {
            assert!(looks_like_a_link(link), "{link:?}");
        }
        for name in [
            "Grace Hopper",
            "J.R.R. Tolkien",
            "S. Lazzaro",
            "Maria Rossi Jr.",
            "Ada: the first",
            "Ufficio 10:30",
            "Pau l·lí",
            "Anne-Marie O'Neil",
            "Dott. Bianchi",
        ] {
            assert!(!looks_like_a_link(name), "{name:?}");
        }
    }
}
