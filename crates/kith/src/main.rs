//! The `kith` command: the command-line front door. Parses arguments, opens
//! the store, calls `kith-app`, and prints results for people (text) or
//! scripts (`--json`). Glue only: no business rules here.

mod cards;
mod config;
mod network;
mod output;
mod relationships;
mod scratch;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use kith_app::export::ExportFormat;
use kith_app::import::ImportOptions;
use kith_app::people::PersonEdit;
use kith_app::{App, Settings};
use kith_formats::Format;
use kith_formats::csv::generic::ColumnMapping;
use kith_formats::vcard::Version;
use kith_store::{PeopleFilter, Store};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

// Imports allocate and free many small strings on three threads; mimalloc
// handles that markedly better than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kith",
    version,
    about = "Your professional network, owned by you."
)]
struct Cli {
    /// Where kith keeps its data (the SQLite database, kith.toml).
    #[arg(long, env = "KITH_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL (postgres://… for PostgreSQL); default: SQLite in the data directory.
    #[arg(long, env = "KITH_DATABASE_URL", global = true, hide_env_values = true)]
    database: Option<String>,
    /// Region for phone numbers written without a country code (e.g. GB).
    #[arg(long, env = "KITH_REGION", global = true)]
    region: Option<String>,
    /// The account to act as (default: the only one).
    #[arg(long, env = "KITH_USER", global = true)]
    user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import contacts: vCard, LinkedIn export CSVs, Google or Outlook CSV, any CSV.
    Import(ImportArgs),
    /// Export the whole address book.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// List, show, add, edit, merge people.
    People {
        #[command(subcommand)]
        command: Box<PeopleCommand>,
    },
    /// Possible duplicates, best first.
    Dupes(DupesArgs),
    /// Log an interaction (a coffee, a call…) with one or more people.
    Log(LogArgs),
    /// Your own email addresses (they tell kith which mail you sent).
    Me {
        #[command(subcommand)]
        command: MeCommand,
    },
    /// How often to be in touch with a person, or with everyone carrying a tag.
    Cadence(CadenceArgs),
    /// Who to reach out to now, most urgent first; mark done or snooze.
    Due(DueArgs),
    /// Pin a person to a circle (inner, close, network, distant) or back to auto.
    Circle(relationships::CircleArgs),
    /// Birthdays and work anniversaries in the next days.
    ComingUp(relationships::ComingUpArgs),
    /// The digest email: show it, send it now, or set how often it goes out.
    Digest(relationships::DigestArgs),
    /// Set a tie between two people by hand (or --remove it).
    Tie(network::TieArgs),
    /// A person's ties to others, set by hand or inferred, with the reasons.
    Ties(network::TiesArgs),
    /// The strongest paths to a person, or to anyone at an organisation.
    Path(network::PathArgs),
    /// Who you can reach at an organisation, and through whom.
    WhoAt(network::WhoAtArgs),
    /// Connect with other members of this server.
    Connect {
        #[command(subcommand)]
        command: network::ConnectCommand,
    },
    /// What your connections may use of the people you know for their paths.
    Sharing(network::SharingArgs),
    /// Introductions: ask a connection, answer requests, withdraw.
    Intro {
        #[command(subcommand)]
        command: network::IntroCommand,
    },
    /// Your verified email addresses, by which other members may find you.
    Email {
        #[command(subcommand)]
        command: network::EmailCommand,
    },
    /// Your own card: what your connections and the public see of you.
    Card {
        #[command(subcommand)]
        command: cards::CardCommand,
    },
    /// What changed in your network: new jobs, titles, cities, addresses.
    Changes(cards::ChangesArgs),
    /// What people are looking for and what they can offer.
    Needs {
        #[command(subcommand)]
        command: cards::NeedsCommand,
    },
    /// What you can do for them: needs in your network and who can meet them.
    HelpOut(cards::HelpOutArgs),
    /// Favours given and received.
    Favours {
        #[command(subcommand)]
        command: cards::FavoursCommand,
    },
    /// Accounts: add, change a password, list.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Personal API tokens and device (CardDAV) passwords.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Run the web app and the JSON API.
    Serve(ServeArgs),
    /// Fill a fresh data directory with a seeded demo network and serve it.
    Demo(DemoArgs),
}

#[derive(Subcommand)]
enum MeCommand {
    /// Add one of your addresses.
    AddEmail { email: String },
    /// Remove one of your addresses.
    RemoveEmail { email: String },
    /// List your addresses.
    List,
}

#[derive(Args)]
struct CadenceArgs {
    /// The person (id or email); or use --tag.
    #[arg(required_unless_present = "tag", conflicts_with = "tag")]
    person: Option<String>,
    /// Everyone carrying this tag.
    #[arg(long)]
    tag: Option<String>,
    /// Every this many days (1 to 3650).
    #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
    every: Option<i64>,
    /// Remove the cadence.
    #[arg(long)]
    clear: bool,
}

#[derive(Args)]
struct DueArgs {
    #[command(subcommand)]
    command: Option<DueCommand>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum DueCommand {
    /// You reached out now: logs an interaction (a message unless --kind).
    Done {
        person: String,
        #[arg(long)]
        kind: Option<String>,
    },
    /// Not now: off the list for some days.
    Snooze {
        person: String,
        #[arg(long, default_value_t = 7)]
        days: i64,
    },
}

#[derive(Args)]
struct LogArgs {
    /// The people involved: ids or emails.
    #[arg(required = true)]
    people: Vec<String>,
    /// email, meeting, call, message, coffee, lunch, event, introduction or note.
    #[arg(long)]
    kind: String,
    /// When: YYYY-MM-DD, a timestamp, today, yesterday, "3 days ago" (default: now).
    #[arg(long, default_value = "")]
    date: String,
    #[arg(long)]
    note: Option<String>,
    /// outgoing (you reached out), incoming (they did) or mutual (default).
    #[arg(long)]
    direction: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct DemoArgs {
    /// How many people.
    #[arg(long, default_value_t = 300)]
    people: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Fill the data directory and exit, without serving.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "KITH_LISTEN", default_value = "127.0.0.1:7878")]
    listen: String,
    /// Largest upload accepted, in megabytes.
    #[arg(long, env = "KITH_MAX_UPLOAD_MB", default_value_t = 50)]
    max_upload_mb: usize,
    /// Mark cookies Secure (kith is reached over https).
    #[arg(long)]
    secure_cookies: bool,
    /// A reverse proxy (address or network, e.g. 10.0.0.0/8) whose
    /// X-Forwarded-For names the client; repeat for several.
    #[arg(
        long = "trusted-proxy",
        env = "KITH_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<String>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account that can sign in (asks for its password).
    Add {
        name: String,
        /// May manage the server's accounts.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change an account's password (signs it out of every browser).
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for the account (--user) and print its secret once.
    Create {
        /// A label to recognise it by ("backup script", "Ada's phone").
        #[arg(long, default_value = "cli")]
        name: String,
        /// A device password for CardDAV instead of an API token.
        #[arg(long)]
        dav: bool,
    },
    /// List the account's tokens (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id.
    Revoke { id: String },
}

#[derive(Args)]
struct ImportArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// auto, vcard, linkedin, google, outlook or csv.
    #[arg(long, default_value = "auto")]
    format: String,
    /// Read and match everything and report, but change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Column mapping for a generic CSV: "Header=field,…" (fields: name, given, family, email, phone, organization, title, …).
    #[arg(long)]
    map: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Mailboxes: keep each message's subject with its interaction.
    #[arg(long)]
    keep_subjects: bool,
}

#[derive(Subcommand)]
enum ExportWhat {
    /// vCard file (4.0 by default).
    Vcard {
        #[arg(long, default_value = "4.0")]
        vcard_version: String,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// CSV, one person per row.
    Csv {
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// JSON: every person with every value and its source.
    Json {
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PeopleCommand {
    /// List people.
    List {
        /// Words to find in names, emails, phones, organisations, titles, tags.
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        /// Organisation (current or past), by name or by email domain (acme.com).
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one person by id or email.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Add a person.
    Add {
        #[command(flatten)]
        edit: EditArgs,
        #[arg(long)]
        json: bool,
    },
    /// Change a person (by id or email).
    Edit {
        id: String,
        #[command(flatten)]
        edit: EditArgs,
        #[arg(long)]
        json: bool,
    },
    /// Delete a person (recoverable).
    Delete { id: String },
    /// Merge B into A: A keeps every value of both.
    Merge {
        a: String,
        b: String,
        #[arg(long)]
        json: bool,
    },
    /// Undo the latest merge involving this person (either side's id).
    Unmerge {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Default)]
struct EditArgs {
    /// Full name ("Ada Lovelace").
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    given: Option<String>,
    #[arg(long)]
    family: Option<String>,
    #[arg(long = "email")]
    emails: Vec<String>,
    #[arg(long = "remove-email")]
    remove_emails: Vec<String>,
    #[arg(long = "phone")]
    phones: Vec<String>,
    #[arg(long = "remove-phone")]
    remove_phones: Vec<String>,
    #[arg(long = "url")]
    urls: Vec<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[arg(long = "remove-tag")]
    remove_tags: Vec<String>,
    #[arg(long = "note")]
    notes: Vec<String>,
    #[arg(long = "nickname")]
    nicknames: Vec<String>,
    /// YYYY-MM-DD or --MM-DD.
    #[arg(long, allow_hyphen_values = true)]
    birthday: Option<String>,
    /// Current organisation (starts a new current position).
    #[arg(long)]
    org: Option<String>,
    #[arg(long)]
    title: Option<String>,
}

impl From<EditArgs> for PersonEdit {
    fn from(a: EditArgs) -> Self {
        PersonEdit {
            name: a.name,
            given: a.given,
            family: a.family,
            add_emails: a.emails,
            remove_emails: a.remove_emails,
            add_phones: a.phones,
            remove_phones: a.remove_phones,
            add_urls: a.urls,
            add_tags: a.tags,
            remove_tags: a.remove_tags,
            add_notes: a.notes,
            nicknames: a.nicknames,
            birthday: a.birthday,
            organization: a.org,
            title: a.title,
            positions: None,
        }
    }
}

#[derive(Args)]
struct DupesArgs {
    #[command(subcommand)]
    command: Option<DupesCommand>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum DupesCommand {
    /// Keep two people apart: the pair is not suggested again.
    Dismiss { a: String, b: String },
}

/// Turns transparent huge pages off for this process. A server's requests
/// allocate in bursts that the allocator hands back to the system when
/// idle; with huge pages the next burst's first touch of each region zeroes
/// 2 MiB, which measured as 40 % of the CPU of a CardDAV multiget of 5,000
/// cards after a pause (120 ms against 70 ms without).
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only how
    // the kernel backs this process's future page faults.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

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
    if matches!(cli.command, Command::Serve(_)) {
        without_huge_pages();
    }
    config::warn_unknown_env();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
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
    let store = Store::open(&url).await?;
    Ok((
        store,
        file,
        Settings {
            default_region: region,
            region_is_explicit,
            strength,
            card_emails_per_day,
        },
    ))
}

/// The account a command acts as: `--user` / `KITH_USER` / kith.toml's
/// `user`, else the only account. On first use (no account at all) it is
/// created.
async fn account(store: &Store, wanted: Option<&str>) -> Result<kith_store::Account> {
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
            Ok(store.default_account(name).await?)
        }
        (None, []) => Ok(store.default_account("default").await?),
        (Some(name), _) => accounts
            .iter()
            .find(|a| a.name == name)
            .cloned()
            .ok_or_else(|| anyhow!("no account named {name:?} (accounts: {})", names())),
        (None, [only]) => Ok(only.clone()),
        (None, _) => bail!(
            "there are several accounts ({}): choose one with --user NAME or KITH_USER",
            names()
        ),
    }
}

async fn run(mut cli: Cli) -> Result<ExitCode> {
    if matches!(cli.command, Command::Demo(_)) {
        prepare_demo_dir(&mut cli)?;
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
        users(store, command).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Serve(args) = cli.command {
        serve(store, settings, args, file).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Demo(args) = cli.command {
        demo(store, settings, args, cli.data_dir.as_deref(), file).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let account = account(store, wanted).await?;
    if let Command::Token { command } = cli.command {
        tokens(store, account.id, command).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let app = App::new(store.clone(), account.id, settings);
    let code = match cli.command {
        Command::Import(args) => import(&app, args).await?,
        Command::Export { what } => {
            export(&app, what).await?;
            ExitCode::SUCCESS
        }
        Command::People { command } => {
            people(&app, *command).await?;
            ExitCode::SUCCESS
        }
        Command::Log(args) => {
            log_interaction(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Cadence(args) => {
            let every = if args.clear { None } else { args.every };
            match (&args.person, &args.tag) {
                (_, Some(tag)) => app.set_tag_cadence(tag, every).await?,
                (Some(person), None) => app.set_cadence(person, every).await?,
                (None, None) => bail!("name a person or --tag TAG"),
            }
            match every {
                Some(days) => println!("every {days} days"),
                None => println!("cadence removed"),
            }
            ExitCode::SUCCESS
        }
        Command::Me { command } => {
            let mine = match command {
                MeCommand::AddEmail { email } => app.add_my_email(&email).await?,
                MeCommand::RemoveEmail { email } => app.remove_my_email(&email).await?,
                MeCommand::List => app.my_emails().await?,
            };
            for email in mine {
                println!("{email}");
            }
            ExitCode::SUCCESS
        }
        Command::Due(args) => {
            due(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Circle(args) => {
            relationships::circle(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Tie(args) => {
            network::tie(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Ties(args) => {
            network::ties(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Path(args) => {
            network::path(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::WhoAt(args) => {
            network::who_at(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Connect { command } => {
            network::connect(&app, command).await?;
            ExitCode::SUCCESS
        }
        Command::Sharing(args) => {
            network::sharing(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Intro { command } => {
            network::intro(&app, command, file).await?;
            ExitCode::SUCCESS
        }
        Command::Email { command } => {
            network::email(&app, command, file).await?;
            ExitCode::SUCCESS
        }
        Command::Card { command } => {
            cards::card(&app, command, file).await?;
            ExitCode::SUCCESS
        }
        Command::Changes(args) => {
            cards::changes(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Needs { command } => {
            cards::needs(&app, command).await?;
            ExitCode::SUCCESS
        }
        Command::HelpOut(args) => {
            cards::help_out(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Favours { command } => {
            cards::favours(&app, command).await?;
            ExitCode::SUCCESS
        }
        Command::ComingUp(args) => {
            relationships::coming_up(&app, args).await?;
            ExitCode::SUCCESS
        }
        Command::Digest(args) => {
            relationships::digest(&app, args, file).await?;
            ExitCode::SUCCESS
        }
        Command::Dupes(args) => {
            match args.command {
                Some(DupesCommand::Dismiss { a, b }) => {
                    app.dismiss_duplicate(&a, &b).await?;
                    println!("dismissed");
                }
                None => {
                    let list = app.duplicates().await?;
                    if args.json {
                        output::json(&list)?;
                    } else {
                        output::duplicates(&list);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::User { .. } | Command::Token { .. } | Command::Serve(_) | Command::Demo(_) => {
            ExitCode::SUCCESS
        }
    };
    Ok(code)
}

/// The demo uses its own SQLite data directory: the one given if it is
/// empty, else a new one in the system's temporary directory. It never
/// touches a real address book.
fn prepare_demo_dir(cli: &mut Cli) -> Result<()> {
    if cli.database.is_some() {
        bail!("kith demo makes its own SQLite database: leave out --database / KITH_DATABASE_URL");
    }
    let dir = match &cli.data_dir {
        Some(dir) => {
            let used = std::fs::read_dir(dir)
                .map(|mut d| d.next().is_some())
                .unwrap_or(false);
            if used {
                bail!(
                    "{} is not empty: kith demo needs a fresh data directory (or none, for a temporary one)",
                    dir.display()
                );
            }
            dir.clone()
        }
        None => std::env::temp_dir().join(format!(
            "kith-demo-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default()
        )),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    cli.data_dir = Some(dir);
    Ok(())
}

async fn demo(
    store: &Store,
    settings: Settings,
    args: DemoArgs,
    dir: Option<&std::path::Path>,
    file: &config::FileConfig,
) -> Result<()> {
    let dir = dir.ok_or_else(|| anyhow!("kith demo has no data directory"))?;
    let auth = kith_app::auth::Auth::new(store.clone());
    let password = kith_app::auth::new_secret()?[..16].to_string();
    let account = auth.add_user("demo", &password, true).await?;
    let app = App::new(store.clone(), account.id, settings.clone());
    let report = app.import_demo(dir, args.people, args.seed).await?;
    output::import_report(&report);
    app.demo_activity(args.seed).await?;
    app.demo_reciprocity(args.seed).await?;
    for (field, value) in [
        ("name", "Demo User"),
        ("headline", "Building a network before it is needed"),
        ("email", "demo@kith.example"),
    ] {
        app.set_card_field(field, value, None).await?;
    }
    // Two more members, connected to the demo account, so that paths go
    // through other address books: Sam shares roles (the default), Riya names.
    for (i, (name, sharing)) in [
        ("sam", kith_core::ties::Sharing::Role),
        ("riya", kith_core::ties::Sharing::Name),
    ]
    .into_iter()
    .enumerate()
    {
        let member = auth
            .add_user(name, &kith_app::auth::new_secret()?, false)
            .await?;
        let other = App::new(store.clone(), member.id, settings.clone());
        let seed = args.seed.wrapping_add(1 + i as u64);
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder)?;
        other.import_demo(&folder, args.people / 3, seed).await?;
        other.demo_activity(seed).await?;
        other
            .set_sharing(&kith_app::network::ties::SharingScope::All, Some(sharing))
            .await?;
        let (full, org, title) = if name == "sam" {
            ("Sam Okafor", "Initech", "Engineering Manager")
        } else {
            ("Riya Shah", "Umbrella", "Product Designer")
        };
        for (field, value) in [("name", full), ("organization", org), ("title", title)] {
            other.set_card_field(field, value, None).await?;
        }
        app.invite(name).await?;
        other.accept("demo").await?;
        if name == "sam" {
            // Sam changes job once connected: the demo's feed shows it.
            let card: Vec<(String, String, Option<String>)> = [
                ("name", full),
                ("organization", "Globex"),
                ("title", "VP Engineering"),
            ]
            .iter()
            .map(|(f, v)| (f.to_string(), v.to_string(), None))
            .collect();
            other.replace_card(&card).await?;
        } else {
            other
                .add_need_offer(
                    None,
                    "offer",
                    "design reviews for early startups",
                    &["design".into()],
                )
                .await?;
        }
    }
    eprintln!("demo members sam and riya are connected to demo (see Network)");
    eprintln!("demo data directory: {}", dir.display());
    eprintln!("sign in as: demo   password: {password}");
    if args.no_serve {
        return Ok(());
    }
    serve(store, settings, args.serve, file).await
}

async fn serve(
    store: &Store,
    mut settings: Settings,
    args: ServeArgs,
    file: &config::FileConfig,
) -> Result<()> {
    // For the server, a configured region is only the default: each account
    // may choose its own in the settings page.
    settings.region_is_explicit = false;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let mailer = config::mailer(file)?.map(std::sync::Arc::new);
    let config = kith_web::ServerConfig {
        max_body: args.max_upload_mb.saturating_mul(1024 * 1024),
        secure_cookies: args.secure_cookies,
        public_url: config::public_url(file, &address.to_string()),
        digest: config::digest_schedule(file)?,
        mailer,
        trusted_proxies: config::trusted_proxies(&args.trusted_proxies, file)?,
    };
    let state = kith_web::AppState::new(store.clone(), settings, config);
    eprintln!("kith is serving on http://{address} ({})", store.engine());
    if let Some(secret) = state.auth.setup_secret().await? {
        eprintln!(
            "No account can sign in yet. Open this link once to create the first (admin) account:\n  http://{address}/setup?token={secret}"
        );
    }
    kith_web::serve(listener, state)
        .await
        .context("the server stopped")?;
    Ok(())
}

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

async fn users(store: &Store, command: UserCommand) -> Result<()> {
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

async fn tokens(store: &Store, account: kith_core::AccountId, command: TokenCommand) -> Result<()> {
    use kith_store::auth::TokenKind;
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

async fn import(app: &App, args: ImportArgs) -> Result<ExitCode> {
    let format = match args.format.as_str() {
        "auto" => None,
        f => Some(Format::parse(f).ok_or_else(|| {
            anyhow!("unknown format {f:?}: use auto, vcard, linkedin, google, outlook or csv")
        })?),
    };
    let mapping = args.map.as_deref().map(ColumnMapping::parse).transpose()?;
    if mapping.is_some() && format.is_some_and(|f| f != Format::Csv) {
        bail!("--map applies to generic CSV files (--format csv)");
    }
    let options = ImportOptions {
        format,
        dry_run: args.dry_run,
        mapping,
        keep_subjects: args.keep_subjects,
    };
    let mut failed = false;
    let mut reports = Vec::new();
    for path in &args.files {
        let progress = output::ImportProgress::new(&path.display().to_string());
        let outcomes = match app.import_path(path, &options, &progress).await {
            Ok(archive) => {
                if !archive.skipped.is_empty() && !args.json {
                    eprintln!(
                        "{}: left alone (not contacts kith reads): {}",
                        path.display(),
                        archive.skipped.join(", ")
                    );
                }
                archive.imported.into_iter().map(|(_, r)| r).collect()
            }
            Err(e) => vec![Err(e)],
        };
        for outcome in outcomes {
            match outcome {
                Ok(report) => {
                    if !args.json {
                        output::import_report(&report);
                    }
                    reports.push(report);
                }
                Err(e) => {
                    failed = true;
                    eprintln!("error: {e}");
                }
            }
        }
    }
    if args.json {
        output::json(&reports)?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn export(app: &App, what: ExportWhat) -> Result<()> {
    let (format, path) = match what {
        ExportWhat::Vcard {
            vcard_version,
            output,
        } => {
            let v = Version::parse(&vcard_version)
                .ok_or_else(|| anyhow!("vCard version {vcard_version:?}: use 3.0 or 4.0"))?;
            (ExportFormat::Vcard(v), output)
        }
        ExportWhat::Csv { output } => (ExportFormat::Csv, output),
        ExportWhat::Json { output } => (ExportFormat::Json, output),
    };
    match path {
        Some(path) => {
            // Write beside the target, then rename: a failed export never leaves half a file.
            let tmp = path.with_extension("kith-partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let n = app.export(format, &mut out).await?;
            out.flush()?;
            drop(out);
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("exported {n} people to {}", path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            app.export(format, &mut out).await?;
        }
    }
    Ok(())
}

async fn people(app: &App, command: PeopleCommand) -> Result<()> {
    match command {
        PeopleCommand::List {
            search,
            tag,
            org,
            json,
        } => {
            let filter = PeopleFilter {
                search,
                tag,
                organization: org,
                ..Default::default()
            };
            let list = app.list_people(&filter).await?;
            if json {
                output::json(&list)?
            } else {
                output::people_list(&list)
            }
        }
        PeopleCommand::Show { id, json } => {
            let p = app.find_person(&id).await?;
            let interactions = app.interactions(&p.id.to_string(), 10).await?;
            if json {
                output::json(&p)?
            } else {
                output::person(&p);
                let strength = app.strength(&p.id.to_string()).await?;
                println!("  strength: {}", relationships::strength_line(&strength));
                output::interactions(&interactions);
            }
        }
        PeopleCommand::Add { edit, json } => {
            let p = app.add_person(&edit.into()).await?;
            if json {
                output::json(&p)?
            } else {
                println!("added {} ({})", p.name, p.id)
            }
        }
        PeopleCommand::Edit { id, edit, json } => {
            let p = app.edit_person(&id, &edit.into()).await?;
            if json {
                output::json(&p)?
            } else {
                output::person(&p)
            }
        }
        PeopleCommand::Delete { id } => {
            let p = app.delete_person(&id).await?;
            println!("deleted {} ({})", p.name, p.id);
        }
        PeopleCommand::Merge { a, b, json } => {
            let p = app.merge_people(&a, &b).await?;
            if json {
                output::json(&p)?
            } else {
                println!("merged into {} ({})", p.name, p.id)
            }
        }
        PeopleCommand::Unmerge { id, json } => {
            let (a, b) = app.unmerge(&id).await?;
            if json {
                output::json(&[&a, &b])?
            } else {
                println!("separated {} ({}) and {} ({})", a.name, a.id, b.name, b.id)
            }
        }
    }
    Ok(())
}

async fn log_interaction(app: &App, args: LogArgs) -> Result<()> {
    use kith_core::{Direction, InteractionKind};
    let kind = InteractionKind::parse(&args.kind).ok_or_else(|| {
        anyhow!(
            "unknown kind {:?}: use one of {}",
            args.kind,
            InteractionKind::names()
        )
    })?;
    let direction = args
        .direction
        .as_deref()
        .map(|d| {
            Direction::parse(d)
                .ok_or_else(|| anyhow!("unknown direction {d:?}: use outgoing, incoming or mutual"))
        })
        .transpose()?;
    let logged = app
        .log_interaction(&kith_app::interactions::NewInteraction {
            people: args.people,
            kind,
            when: args.date,
            note: args.note,
            direction,
        })
        .await?;
    if args.json {
        output::json(&logged)?;
    } else {
        let names: Vec<&str> = logged.people.iter().map(|p| p.name.as_str()).collect();
        println!(
            "logged {} with {} on {} ({})",
            logged.kind.as_str(),
            names.join(", "),
            &logged.at[..10.min(logged.at.len())],
            logged.id
        );
    }
    Ok(())
}

async fn due(app: &App, args: DueArgs) -> Result<()> {
    match args.command {
        Some(DueCommand::Done { person, kind }) => {
            let kind = kind
                .as_deref()
                .map(|k| {
                    kith_core::InteractionKind::parse(k).ok_or_else(|| {
                        anyhow!(
                            "unknown kind {k:?}: use one of {}",
                            kith_core::InteractionKind::names()
                        )
                    })
                })
                .transpose()?;
            let logged = app.done(&person, kind).await?;
            println!("done: logged {} ({})", logged.kind.as_str(), logged.id);
        }
        Some(DueCommand::Snooze { person, days }) => {
            app.snooze(&person, days).await?;
            println!("snoozed for {days} days");
        }
        None => {
            let list = app.due().await?;
            if args.json {
                output::json(&list)?;
            } else if list.is_empty() {
                println!("no one is due now (cadences are set with kith cadence)");
            } else {
                for d in &list {
                    println!("{}  {}  ({})", d.name, d.reason, d.id);
                    if let Some(hint) = &d.give_first {
                        println!("    {hint}");
                    }
                }
            }
        }
    }
    Ok(())
}
