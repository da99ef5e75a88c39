//! E-mail: every message is written to the `outbox` table (in the caller's transaction, with
//! the job that will deliver it), and a `mail` job hands it to the SMTP server through lettre.
//! A delivery that fails leaves the message in the outbox and fails the job, which the queue
//! retries with backoff: nothing is lost while the SMTP server is down, and a message already
//! delivered is never sent twice by a retried job.
//!
//! This module knows SMTP and the outbox; it does not know what the messages say (their
//! callers write them, in the reader's language).

pub mod outbox;

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait as _, TransactionTrait as _,
};

use crate::jobs::{self, NewJob};

/// The job kind that delivers one outbox message.
pub const JOB_KIND: &str = "mail";

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or a test sink).
    None,
    /// STARTTLS, required (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl std::str::FromStr for SmtpTls {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Self::None),
            "starttls" => Ok(Self::StartTls),
            "tls" => Ok(Self::Tls),
            other => Err(format!("must be none, starttls or tls, not {other:?}")),
        }
    }
}

/// Where and how to send mail.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The SMTP server's host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is secured.
    pub tls: SmtpTls,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
    /// The sender of every message, e.g. `riuso <noreply@example.org>`.
    pub from: String,
    /// Timeout of one delivery.
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password never reaches a log.
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// An HTML alternative, if any.
    pub html: Option<String>,
}

/// Why a message could not be queued or delivered.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// An address or header is malformed.
    #[error("cannot build the message: {0}")]
    Build(String),
    /// The SMTP server refused or could not be reached; the message stays in the outbox.
    #[error("the SMTP server did not take the message: {0}")]
    Smtp(String),
    /// Mail is not configured (`RIUSO_SMTP_HOST` unset); the message stays in the outbox.
    #[error("no SMTP server is configured (RIUSO_SMTP_HOST); the message waits in the outbox")]
    NotConfigured,
}

/// Writes `message` to the outbox and queues the job that delivers it, on `db` (pass a
/// transaction to tie the message to what caused it). Answers the outbox id.
///
/// # Errors
///
/// [`MailError::Build`] for an address that cannot be one; a database error otherwise.
pub async fn enqueue(db: &impl ConnectionTrait, message: &Message) -> Result<i64, MailError> {
    enqueue_row(db, message, None).await
}

/// As [`enqueue`], for a message about something the recipient follows: its mail carries
/// `unsubscribe_url` in a `List-Unsubscribe` header, with `List-Unsubscribe-Post` for a
/// one-click stop (RFC 8058).
///
/// # Errors
///
/// As [`enqueue`].
pub async fn enqueue_listed(
    db: &impl ConnectionTrait,
    message: &Message,
    unsubscribe_url: &str,
) -> Result<i64, MailError> {
    enqueue_row(db, message, Some(unsubscribe_url)).await
}

async fn enqueue_row(
    db: &impl ConnectionTrait,
    message: &Message,
    unsubscribe_url: Option<&str>,
) -> Result<i64, MailError> {
    message
        .to
        .parse::<Mailbox>()
        .map_err(|e| MailError::Build(format!("recipient {:?}: {e}", message.to)))?;
    let row = outbox::ActiveModel {
        recipient: Set(message.to.clone()),
        subject: Set(message.subject.clone()),
        body_text: Set(message.text.clone()),
        body_html: Set(message.html.clone()),
        unsubscribe_url: Set(unsubscribe_url.map(str::to_owned)),
        attempts: Set(0),
        created_at: Set(chrono::Utc::now().fixed_offset()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    jobs::enqueue(
        db,
        &NewJob::new(JOB_KIND, serde_json::json!({ "outbox": row.id }))
            .dedup(format!("mail:{}", row.id)),
    )
    .await?;
    Ok(row.id)
}

/// Outbox rows written per statement by [`enqueue_many`]: a message's bodies are long, and
/// statements of a hundred rows keep the planning of a statement cheap (see `jobs`).
const OUTBOX_ROWS_PER_INSERT: usize = 100;

/// As [`enqueue`] (or [`enqueue_listed`], for a message given an unsubscribe address), for many
/// messages at once: the outbox rows with one statement per hundred, their delivery jobs with
/// [`jobs::enqueue_all`]. Answers, per message, whether it was queued: a message whose recipient
/// cannot be an address is left out (the caller says so), the others are queued.
///
/// # Errors
///
/// On a database error.
pub async fn enqueue_many(
    db: &impl ConnectionTrait,
    messages: &[(Message, Option<String>)],
) -> Result<Vec<bool>, DbErr> {
    let queued: Vec<bool> = messages
        .iter()
        .map(|(m, _)| m.to.parse::<Mailbox>().is_ok())
        .collect();
    let at = chrono::Utc::now().fixed_offset();
    let rows: Vec<outbox::ActiveModel> = messages
        .iter()
        .zip(&queued)
        .filter(|(_, ok)| **ok)
        .map(|((message, url), _)| outbox::ActiveModel {
            recipient: Set(message.to.clone()),
            subject: Set(message.subject.clone()),
            body_text: Set(message.text.clone()),
            body_html: Set(message.html.clone()),
            unsubscribe_url: Set(url.clone()),
            attempts: Set(0),
            created_at: Set(at),
            ..Default::default()
        })
        .collect();
    let mut deliveries = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(OUTBOX_ROWS_PER_INSERT) {
        for row in outbox::Entity::insert_many(chunk.to_vec())
            .exec_with_returning(db)
            .await?
        {
            deliveries.push(
                NewJob::new(JOB_KIND, serde_json::json!({ "outbox": row.id }))
                    .dedup(format!("mail:{}", row.id)),
            );
        }
    }
    jobs::enqueue_all(db, &deliveries).await?;
    Ok(queued)
}

/// What a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The SMTP server took the message.
    Sent,
    /// It had been delivered before (a retried job): nothing was sent.
    AlreadySent,
    /// No such outbox message.
    Missing,
}

/// Sends mail through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `config`.
    ///
    /// # Errors
    ///
    /// [`MailError::Build`] when the sender address or the TLS set-up is invalid.
    pub fn new(config: &SmtpConfig) -> Result<Self, MailError> {
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| MailError::Build(format!("sender {:?}: {e}", config.from)))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| MailError::Build(e.to_string()))
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
                .port(config.port)
                .timeout(Some(config.timeout))
                .tls(match config.tls {
                    SmtpTls::None => Tls::None,
                    SmtpTls::StartTls => Tls::Required(tls(&config.host)?),
                    SmtpTls::Tls => Tls::Wrapper(tls(&config.host)?),
                });
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Delivers outbox message `id` unless it was delivered before; a failure is recorded on the
    /// message (attempts, last error) and returned, so the job is retried.
    ///
    /// # Errors
    ///
    /// [`MailError::Smtp`] when the server does not take it; a database error otherwise.
    pub async fn deliver(&self, db: &DatabaseConnection, id: i64) -> Result<Delivery, MailError> {
        let Some(row) = outbox::Entity::find_by_id(id).one(db).await? else {
            return Ok(Delivery::Missing);
        };
        if row.sent_at.is_some() {
            return Ok(Delivery::AlreadySent);
        }
        let result = match self.build(&row) {
            Ok(message) => self
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Smtp(e.to_string())),
            Err(e) => Err(e),
        };
        let attempts = row.attempts.saturating_add(1);
        let mut update: outbox::ActiveModel = row.into();
        update.attempts = Set(attempts);
        match result {
            Ok(()) => {
                update.sent_at = Set(Some(chrono::Utc::now().fixed_offset()));
                update.last_error = Set(None);
                // Marked durably: a pool for jobs does not wait for the disk, and a message
                // whose mark a crash lost would be sent twice.
                let txn = db.begin().await?;
                crate::db::commit_durably(&txn).await?;
                update.update(&txn).await?;
                txn.commit().await?;
                Ok(Delivery::Sent)
            }
            Err(e) => {
                update.last_error = Set(Some(e.to_string()));
                update.update(db).await?;
                Err(e)
            }
        }
    }

    fn build(&self, row: &outbox::Model) -> Result<lettre::Message, MailError> {
        let to = row
            .recipient
            .parse::<Mailbox>()
            .map_err(|e| MailError::Build(format!("recipient {:?}: {e}", row.recipient)))?;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone());
        if let Some(url) = &row.unsubscribe_url {
            use lettre::message::header::{HeaderName, HeaderValue};
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let built = match &row.body_html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                html.clone(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(row.body_text.clone()),
        };
        built.map_err(|e| MailError::Build(e.to_string()))
    }
}

/// Queues a delivery job for every message still in the outbox (a message whose job gave up,
/// or that waited for an SMTP server to be configured); answers how many were queued.
///
/// # Errors
///
/// Fails on a database error.
pub async fn requeue_unsent(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait as _, QueryFilter as _, QuerySelect as _};
    let backend = db.get_database_backend();
    // A dead job keeps its deduplication key: clear the dead mail jobs so each message can get a
    // fresh one.
    db.execute_raw(crate::db::statement(
        backend,
        "DELETE FROM jobs WHERE kind = ? AND state = 'dead'",
        [JOB_KIND.into()],
    ))
    .await?;
    let ids: Vec<i64> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(outbox::Column::SentAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut queued = 0;
    for id in ids {
        let job =
            NewJob::new(JOB_KIND, serde_json::json!({ "outbox": id })).dedup(format!("mail:{id}"));
        if jobs::enqueue(db, &job).await?.is_some() {
            queued += 1;
        }
    }
    Ok(queued)
}

/// The outbox id a `mail` job carries.
///
/// # Errors
///
/// A message naming what is wrong with the payload.
pub fn job_outbox_id(payload: &serde_json::Value) -> Result<i64, String> {
    payload
        .get("outbox")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| format!("a mail job needs an outbox id, not {payload}"))
}
