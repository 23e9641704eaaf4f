//! `kith token`: personal API tokens and device (CardDAV) passwords,
//! created (the secret shown once), listed and revoked.

use crate::cli::TokenCommand;
use crate::output;
use anyhow::{Result, anyhow, bail};
use kith_app::types::{Store, TokenKind};

pub(crate) async fn tokens(
    store: &Store,
    account: kith_core::AccountId,
    command: TokenCommand,
) -> Result<()> {
    let auth = kith_app::auth::Auth::new(store.clone());
    match command {
        TokenCommand::Create { name, dav } => {
            let kind = if dav { TokenKind::Dav } else { TokenKind::Api };
            let (id, secret) = auth.create_token(account, kind, &name).await?;
            eprintln!(
                "{} {id} created; its secret is shown only now:",
                if dav { "device password" } else { "API token" }
            );
            println!("{secret}");
        }
        TokenCommand::List { json } => {
            let list = auth.tokens(account).await?;
            if json {
                output::json(&list)?;
            } else {
                for t in list {
                    println!("{}  {}  {}", t.id, t.kind, t.name);
                }
            }
        }
        TokenCommand::Revoke { id } => {
            let id: uuid::Uuid = id
                .parse()
                .map_err(|_| anyhow!("{id:?} is not a token id (kith token list shows them)"))?;
            if !auth.revoke_token(account, id).await? {
                bail!("no token {id} in this account");
            }
            println!("revoked");
        }
    }
    Ok(())
}
