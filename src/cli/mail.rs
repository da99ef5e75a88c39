//! `riuso mail list [--all] [--json]`: the messages in the outbox, for an operator, or for a
//! demo without an SMTP server, where the links of sign-up and claim mail wait to be read.

use std::io::Write as _;

use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};

use crate::config::Config;
use crate::db;
use crate::mail::outbox;
use crate::untrusted::{terminal_line, terminal_text};

/// The outbox.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the messages still to send, oldest first (with `--all`, the sent ones too).
    List {
        /// Sent messages too.
        #[arg(long)]
        all: bool,
        /// One JSON object per message, one per line.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command; returns the exit code.
///
/// # Errors
///
/// Fails when the database cannot be read or the output written.
pub fn run(command: &Command, config: &Config) -> anyhow::Result<u8> {
    let Command::List { all, json } = command;
    let rows = super::runtime()?.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let mut query = outbox::Entity::find().order_by_asc(outbox::Column::Id);
        if !all {
            query = query.filter(outbox::Column::SentAt.is_null());
        }
        let rows = query.all(&conn).await?;
        conn.close().await?;
        anyhow::Ok(rows)
    })?;
    let mut out = String::new();
    for row in &rows {
        if *json {
            let line = serde_json::json!({
                "id": row.id,
                "to": row.recipient,
                "subject": row.subject,
                "text": row.body_text,
                "attempts": row.attempts,
                "lastError": row.last_error,
                "createdAt": row.created_at,
                "sentAt": row.sent_at,
            });
            out.push_str(&line.to_string());
            out.push('\n');
        } else {
            let state = match (&row.sent_at, &row.last_error) {
                (Some(at), _) => format!("sent {at}"),
                (None, Some(e)) => format!(
                    "waiting, {} attempts, last: {}",
                    row.attempts,
                    terminal_line(e)
                ),
                (None, None) => "waiting".to_owned(),
            };
            // Bodies quote names and notes from crawled files and users.
            out.push_str(&format!(
                "#{} to {} ({state})\nSubject: {}\n\n{}\n\n",
                row.id,
                terminal_line(&row.recipient),
                terminal_line(&row.subject),
                terminal_text(&row.body_text)
            ));
        }
    }
    if rows.is_empty() && !json {
        out.push_str("The outbox is empty.\n");
    }
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write the messages"))
        }
        _ => Ok(0),
    }
}
