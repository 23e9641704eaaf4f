//! `kith user`: adding accounts, changing a password (read from standard
//! input or typed twice at the terminal), listing accounts.

use crate::cli::UserCommand;
use crate::output;
use anyhow::{Context, Result, bail};
use kith_app::types::Store;

/// A password from standard input's first line, or typed at the terminal
/// (twice, not echoed).
fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ")
        .context("reading the password (use --password-stdin when there is no terminal)")?;
    let again = rpassword::prompt_password("Again: ").context("reading the password")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}

pub(crate) async fn users(store: &Store, command: UserCommand) -> Result<()> {
    let auth = kith_app::auth::Auth::new(store.clone());
    match command {
        UserCommand::Add {
            name,
            admin,
            password_stdin,
        } => {
            kith_app::auth::check_account_name(&name)?;
            let password = read_password(password_stdin)?;
            auth.add_user(&name, &password, admin).await?;
            println!(
                "account {name} created{}",
                if admin { " (admin)" } else { "" }
            );
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            auth.set_password(&name, &password).await?;
            println!("password of {name} changed; its browser sessions are signed out");
        }
        UserCommand::List { json } => {
            let list = auth.users().await?;
            if json {
                output::json(&list)?;
            } else {
                for u in list {
                    let mut notes = Vec::new();
                    if u.admin {
                        notes.push("admin");
                    }
                    if !u.can_sign_in {
                        notes.push("no password yet");
                    }
                    if notes.is_empty() {
                        println!("{}", u.name);
                    } else {
                        println!("{} ({})", u.name, notes.join(", "));
                    }
                }
            }
        }
    }
    Ok(())
}
