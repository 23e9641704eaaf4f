//! `kith sources`: adding, listing, syncing, pausing and removing the
//! mailboxes, calendars and address books kith reads by itself. A sync run
//! here claims its source as `kith serve` would (never two at once).

use crate::cli::SourcesCommand;
use crate::output;
use anyhow::{Context, Result, anyhow, bail};
use kith_app::App;
use kith_app::Progress;
use kith_app::sources::{NewSource, SourceKind, SourceView, SyncReport};
use std::process::ExitCode;
use uuid::Uuid;

/// A password from standard input's first line, or typed at the terminal.
fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    rpassword::prompt_password("Password (an app password, see docs/sources.md): ")
        .context("reading the password (use --password-stdin when there is no terminal)")
}

fn source_id(text: &str) -> Result<Uuid> {
    text.parse()
        .map_err(|_| anyhow!("{text:?} is not a source id (kith sources list shows them)"))
}

/// This process, as the holder of a source while it syncs.
fn server_name() -> String {
    format!("cli-{}", std::process::id())
}

fn print_source(s: &SourceView) {
    let login = s
        .login
        .as_deref()
        .map(|l| format!(" as {l}"))
        .unwrap_or_default();
    println!("{}  {}  {}{login}", s.id, s.kind.as_str(), s.url);
    let mut state = format!("    {}", s.state);
    if let Some(p) = &s.paused {
        state.push_str(&format!(": {p}"));
    } else if let Some(e) = &s.error {
        state.push_str(&format!(
            " ({} failure{}): {e}",
            s.failures,
            if s.failures == 1 { "" } else { "s" }
        ));
    }
    println!("{state}");
    if s.state == "syncing" && s.progress_total > 0 {
        println!("    {} of {} read", s.progress_done, s.progress_total);
    }
    match (&s.last_ok, &s.next_sync) {
        (Some(ok), Some(next)) => println!(
            "    last synced {ok}; next {next} (every {} min)",
            s.every_minutes
        ),
        (None, Some(next)) => println!(
            "    not synced yet; next {next} (every {} min)",
            s.every_minutes
        ),
        (Some(ok), None) => println!("    last synced {ok}"),
        (None, None) => {}
    }
    if !s.folders.is_empty() {
        println!("    folders: {}", s.folders.join(", "));
    }
}

fn print_report(r: &SyncReport) {
    if r.unchanged && r.interactions == 0 && r.created == 0 {
        println!("nothing new ({} ms)", r.millis);
        return;
    }
    println!(
        "{} read, {} interactions added, {} changed, {} removed, {} people new, {} updated, {} to the trash, {} skipped ({} ms)",
        r.read,
        r.interactions,
        r.interactions_changed,
        r.interactions_removed,
        r.created,
        r.updated,
        r.trashed,
        r.skipped,
        r.millis
    );
    for p in &r.problems {
        println!("  problem: {p}");
    }
}

/// Syncs one source, showing how far it got while it runs.
async fn sync_one(app: &App, id: Uuid, show: bool) -> kith_app::Result<SyncReport> {
    let server = server_name();
    let sync = app.sync_source(id, &server);
    tokio::pin!(sync);
    let bar = show.then(|| crate::output::ImportProgress::counting("syncing"));
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
    loop {
        tokio::select! {
            result = &mut sync => {
                if let Some(bar) = &bar {
                    bar.finish();
                }
                return result;
            }
            _ = tick.tick() => {
                if let (Some(bar), Ok(s)) = (&bar, app.source(id).await) && s.progress_total > 0 {
                    bar.start(s.progress_total as u64);
                    bar.advance(s.progress_done as u64);
                }
            }
        }
    }
}

pub(crate) async fn sources(app: &App, command: SourcesCommand) -> Result<ExitCode> {
    match command {
        SourcesCommand::Add {
            kind,
            url,
            login,
            password_stdin,
            folders,
            every,
            keep_subjects,
            json,
        } => {
            let kind = SourceKind::parse(&kind)
                .ok_or_else(|| anyhow!("{kind:?}: say imap, caldav, carddav or ics"))?;
            let password = if password_stdin || login.is_some() {
                Some(read_password(password_stdin)?)
            } else {
                None
            };
            let view = app
                .add_source(NewSource {
                    kind: Some(kind),
                    url,
                    login,
                    password,
                    folders,
                    every_minutes: every,
                    keep_subjects,
                })
                .await?;
            if json {
                output::json(&view)?;
            } else {
                eprintln!(
                    "source added; it syncs with `kith sources sync {}` or on its own while kith serve runs",
                    view.id
                );
                print_source(&view);
            }
        }
        SourcesCommand::List { json } => {
            let list = app.sources().await?;
            if json {
                output::json(&list)?;
            } else if list.is_empty() {
                println!(
                    "no sources yet: add one with `kith sources add imap imaps://mail.example.org --login you@example.org`"
                );
            } else {
                list.iter().for_each(print_source);
            }
        }
        SourcesCommand::Sync { id, json } => {
            let ids: Vec<Uuid> = match id {
                Some(id) => vec![source_id(&id)?],
                None => app.sources().await?.iter().map(|s| s.id).collect(),
            };
            if ids.is_empty() {
                bail!("no sources to sync: add one with `kith sources add`");
            }
            let mut failed = false;
            let mut results = Vec::new();
            for id in ids {
                let outcome = sync_one(app, id, !json).await;
                match &outcome {
                    Ok(r) if !json => {
                        print!("{id}: ");
                        print_report(r);
                    }
                    Err(e) if !json => {
                        eprintln!("{id}: {e}");
                    }
                    _ => {}
                }
                failed |= outcome.is_err();
                results.push(match outcome {
                    Ok(r) => serde_json::json!({"id": id, "ok": true, "report": r}),
                    Err(e) => serde_json::json!({"id": id, "ok": false, "error": e.to_string()}),
                });
            }
            if json {
                output::json(&results)?;
            }
            if failed {
                return Ok(ExitCode::FAILURE);
            }
        }
        SourcesCommand::Pause { id } => {
            print_source(&app.pause_source(source_id(&id)?, true).await?)
        }
        SourcesCommand::Resume { id } => {
            print_source(&app.pause_source(source_id(&id)?, false).await?)
        }
        SourcesCommand::Password { id, password_stdin } => {
            let id = source_id(&id)?;
            let password = read_password(password_stdin)?;
            print_source(&app.set_source_password(id, &password).await?);
        }
        SourcesCommand::Remove { id } => {
            app.remove_source(source_id(&id)?).await?;
            println!("removed (what it brought stays in your address book)");
        }
    }
    Ok(ExitCode::SUCCESS)
}
