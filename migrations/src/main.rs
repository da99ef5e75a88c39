//! `cargo run -p migration -- <up|down|refresh|status|fresh>`: the migrations on `DATABASE_URL`.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
