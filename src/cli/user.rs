//! `riuso user role <email> <admin|reviewer|none>`: gives a site role to an account, or takes it
//! away. The first site administrator can only be made here; later ones on `/admin/users`.

use clap::{Subcommand, ValueEnum};

use crate::community::accounts::{self, SiteRole};
use crate::config::Config;
use crate::db;

/// Account administration.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Give an account a site role (administrator or reviewer), or take it away with `none`.
    Role {
        /// The account's e-mail address.
        email: String,
        /// The role.
        role: Role,
    },
}

/// A site role, or none.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Role {
    /// Site administrator: manages roles, may act on any declaration.
    Admin,
    /// Reviewer: reads every organisation's pending declarations.
    Reviewer,
    /// No site role.
    None,
}

/// Runs the command; returns the exit code (1 when no account has the address).
///
/// # Errors
///
/// Fails when the database cannot be opened.
pub fn run(command: &Command, config: &Config) -> anyhow::Result<u8> {
    let Command::Role { email, role } = command;
    let role = match role {
        Role::Admin => Some(SiteRole::Admin),
        Role::Reviewer => Some(SiteRole::Reviewer),
        Role::None => None,
    };
    super::runtime()?.block_on(async {
        let conn = db::open(&config.database_url).await?;
        let found = accounts::set_site_role(&conn, email, role).await?;
        conn.close().await?;
        if found {
            println!("{email}: {}", role.map_or("no site role", SiteRole::as_str));
            Ok(0)
        } else {
            eprintln!("no account has the address {email} / nessun account ha l'indirizzo {email}");
            Ok(1)
        }
    })
}
