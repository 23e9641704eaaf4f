//! `kith me`: the account owner's own email addresses (they tell imports
//! which mail was sent and which received).

use crate::cli::MeCommand;
use anyhow::Result;
use kith_app::App;

pub(crate) async fn me(app: &App, command: MeCommand) -> Result<()> {
    let mine = match command {
        MeCommand::AddEmail { email } => app.add_my_email(&email).await?,
        MeCommand::RemoveEmail { email } => app.remove_my_email(&email).await?,
        MeCommand::List => app.my_emails().await?,
    };
    for email in mine {
        println!("{email}");
    }
    Ok(())
}
