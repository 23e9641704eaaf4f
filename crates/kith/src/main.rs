//! The `kith` command: the command-line front door. Parses arguments, opens
//! the store, calls `kith-app`, and prints results for people (text) or
//! scripts (`--json`). Glue only: no business rules here. This file starts
//! the process, opens the store, picks the account and hands each command
//! to its module in `commands/`; `cli.rs` is the command line's shape.

mod cli;
mod commands;
mod config;
mod logging;
mod output;
mod scratch;

use anyhow::{Result, anyhow, bail};
use clap::Parser;
use cli::{Cli, Command};
use commands::{
    backup, cadence, cards, demo, dupes, export, import, log, me, network, people, relationships,
    serve, sources, token, user,
};
use kith_app::types::Store;
use kith_app::{App, Settings};
use kith_core::AccountId;
use std::process::ExitCode;

// Imports allocate and free many small strings on three threads; mimalloc
// handles that markedly better than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Like other Unix tools, end quietly when whoever reads the output goes
    // away (`kith dupes | head`), instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restores the default action of one signal before any thread
    // starts; no handler of ours is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve(_) | Command::Demo(_));
    if serving {
        serve::without_huge_pages();
    }
    logging::init(cli.log_format, serving);
    config::warn_unknown_env();
    let workers = match server_workers(&cli) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The runtime's worker threads: a server's setting (flags, kith.toml),
/// else 2.
fn server_workers(cli: &Cli) -> Result<usize> {
    let args = match &cli.command {
        Command::Serve(args) => args,
        Command::Demo(demo) => &demo.serve,
        _ => return Ok(2),
    };
    let file = config::read_file_config(&config::data_dir(cli.data_dir.as_deref())?)?;
    Ok(config::server_settings(args, &file)?.workers)
}

/// Opens the store the flags, environment and kith.toml point at.
async fn open_store(cli: &Cli) -> Result<(Store, config::FileConfig, Settings)> {
    let data_dir = config::data_dir(cli.data_dir.as_deref())?;
    let file = config::read_file_config(&data_dir)?;
    let url = match cli.database.clone().or(file.database.clone()) {
        Some(url) => url,
        None => data_dir.join("kith.db").display().to_string(),
    };
    let region = config::default_region(cli.region.as_deref().or(file.region.as_deref()))?;
    let region_is_explicit = cli.region.is_some() || file.region.is_some();
    let strength = file.strength.clone().unwrap_or_default();
    let card_emails_per_day = file
        .cards
        .as_ref()
        .map_or(kith_app::cards::DEFAULT_EMAILS_PER_DAY, |c| {
            c.emails_per_day
        });
    let pool = match &cli.command {
        Command::Serve(args) => config::server_settings(args, &file)?.pool,
        _ => Default::default(),
    };
    let sources = config::sources_config(&file, &data_dir, &url)?;
    let federation = config::federation_config(&file)?;
    let store = Store::open_with(&url, pool).await?;
    Ok((
        store,
        file,
        Settings {
            default_region: region,
            region_is_explicit,
            strength,
            card_emails_per_day,
            sources: std::sync::Arc::new(sources),
            federation: std::sync::Arc::new(federation),
        },
    ))
}

/// The account a command acts as: `--user` / `KITH_USER` / kith.toml's
/// `user`, else the only account. On first use (no account at all) it is
/// created.
async fn account(store: &Store, wanted: Option<&str>) -> Result<AccountId> {
    let accounts = store.accounts().await?;
    let names = || {
        accounts
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (wanted, accounts.as_slice()) {
        (Some(name), []) => {
            kith_app::auth::check_account_name(name)?;
            Ok(store.default_account(name).await?.id)
        }
        (None, []) => Ok(store.default_account("default").await?.id),
        (Some(name), _) => accounts
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.id)
            .ok_or_else(|| anyhow!("no account named {name:?} (accounts: {})", names())),
        (None, [only]) => Ok(only.id),
        (None, _) => bail!(
            "there are several accounts ({}): choose one with --user NAME or KITH_USER",
            names()
        ),
    }
}

async fn run(mut cli: Cli) -> Result<ExitCode> {
    if matches!(cli.command, Command::Demo(_)) {
        demo::prepare_demo_dir(&mut cli)?;
    }
    let scratch = scratch::prepare(&config::data_dir(cli.data_dir.as_deref())?)?;
    let (store, file, settings) = open_store(&cli).await?;
    let wanted = cli.user.clone().or(file.user.clone());
    let result = dispatch(cli, &store, wanted.as_deref(), settings, &file).await;
    store.close().await;
    let _ = std::fs::remove_dir_all(scratch);
    result
}

async fn dispatch(
    cli: Cli,
    store: &Store,
    wanted: Option<&str>,
    settings: Settings,
    file: &config::FileConfig,
) -> Result<ExitCode> {
    if let Command::User { command } = cli.command {
        user::users(store, command).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Backup { file, json } = &cli.command {
        backup::backup(store, file, *json).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Restore { file, json } = &cli.command {
        backup::restore(store, file, *json).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Migrate { to, json } = &cli.command {
        backup::migrate(store, to, *json).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Serve(args) = cli.command {
        let data_dir = config::data_dir(cli.data_dir.as_deref())?;
        serve::serve(store, settings, args, file, &data_dir).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Demo(args) = cli.command {
        demo::demo(store, settings, args, cli.data_dir.as_deref(), file).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let account = account(store, wanted).await?;
    if let Command::Token { command } = cli.command {
        token::tokens(store, account, command).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let app = App::new(store.clone(), account, settings);
    match cli.command {
        Command::Import(args) => return import::import(&app, args).await,
        Command::Export { what } => export::export(&app, what).await?,
        Command::People { command } => people::people(&app, *command).await?,
        Command::Log(args) => log::log_interaction(&app, args).await?,
        Command::Cadence(args) => cadence::cadence(&app, args).await?,
        Command::Me { command } => me::me(&app, command).await?,
        Command::Due(args) => cadence::due(&app, args).await?,
        Command::Circle(args) => relationships::circle(&app, args).await?,
        Command::Tie(args) => network::tie(&app, args).await?,
        Command::Ties(args) => network::ties(&app, args).await?,
        Command::Path(args) => network::path(&app, args).await?,
        Command::WhoAt(args) => network::who_at(&app, args).await?,
        Command::Connect { command } => network::connect(&app, command).await?,
        Command::Follow { handle } => println!("{}", app.follow_account(&handle).await?),
        Command::Unfollow { handle } => {
            app.unfollow_account(&handle).await?;
            println!("no longer following {}", handle.trim());
        }
        Command::Follows { json } => network::follows(&app, json).await?,
        Command::Federation { command } => network::federation(&app, store, command).await?,
        Command::Sharing(args) => network::sharing(&app, args).await?,
        Command::Intro { command } => network::intro(&app, command, file).await?,
        Command::Email { command } => network::email(&app, command, file).await?,
        Command::Card { command } => cards::card(&app, command, file).await?,
        Command::Changes(args) => cards::changes(&app, args).await?,
        Command::Needs { command } => cards::needs(&app, command).await?,
        Command::HelpOut(args) => cards::help_out(&app, args).await?,
        Command::Favours { command } => cards::favours(&app, command).await?,
        Command::ComingUp(args) => relationships::coming_up(&app, args).await?,
        Command::Digest(args) => relationships::digest(&app, args, file).await?,
        Command::Dupes(args) => dupes::dupes(&app, args).await?,
        Command::Sources { command } => return sources::sources(&app, command).await,
        Command::User { .. }
        | Command::Token { .. }
        | Command::Serve(_)
        | Command::Demo(_)
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Migrate { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}
