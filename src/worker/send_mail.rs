//! Job: deliver one message of the outbox. `mail::enqueue` queues it with the message; without
//! an SMTP server the message waits in the outbox, and a worker that has one queues it again
//! when it starts ([`requeue_waiting`]).

use serde::{Deserialize, Serialize};

use super::{Environment, Job, JobError};
use crate::mail;

/// Deliver outbox message `outbox`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendMail {
    /// The outbox row.
    pub outbox: i64,
}

impl Job for SendMail {
    const NAME: &'static str = mail::JOB_KIND;

    fn dedup_key(&self) -> Option<String> {
        Some(format!("mail:{}", self.outbox))
    }

    async fn run(self, env: &Environment, _last_attempt: bool) -> Result<(), JobError> {
        let Some(mailer) = &env.mailer else {
            return Ok(());
        };
        match mailer.deliver(&env.db, self.outbox).await {
            Ok(_) => Ok(()),
            Err(mail::MailError::Db(e)) => Err(JobError::Db(e)),
            Err(e) => Err(JobError::Retry(e.to_string())),
        }
    }
}

/// Queues the messages waiting in the outbox, when `env` can deliver them.
///
/// # Errors
///
/// Fails on a database error.
pub async fn requeue_waiting(env: &Environment) -> Result<(), sea_orm::DbErr> {
    if env.mailer.is_some() {
        let queued = mail::requeue_unsent(&env.db).await?;
        if queued > 0 {
            tracing::info!(
                mail.queued = queued,
                "queued the messages waiting in the outbox"
            );
        }
    }
    Ok(())
}
