//! The command line's shape: every command, subcommand, argument and flag
//! (clap derive), with the help text users read. Only definitions: what each
//! command does is in `commands/`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kith",
    version,
    about = "Your professional network, owned by you."
)]
pub(crate) struct Cli {
    /// Where kith keeps its data (the SQLite database, kith.toml).
    #[arg(long, env = "KITH_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL (postgres://… for PostgreSQL); default: SQLite in the data directory.
    #[arg(long, env = "KITH_DATABASE_URL", global = true, hide_env_values = true)]
    pub database: Option<String>,
    /// Region for phone numbers written without a country code (e.g. GB).
    #[arg(long, env = "KITH_REGION", global = true)]
    pub region: Option<String>,
    /// The account to act as (default: the only one).
    #[arg(long, env = "KITH_USER", global = true)]
    pub user: Option<String>,
    /// How log lines are written to standard error: text, or json (one
    /// object per line). Which lines: KITH_LOG (e.g. info, or kith_web=debug).
    #[arg(long, env = "KITH_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    Circle(CircleArgs),
    /// Birthdays and work anniversaries in the next days.
    ComingUp(ComingUpArgs),
    /// The digest email: show it, send it now, or set how often it goes out.
    Digest(DigestArgs),
    /// Set a tie between two people by hand (or --remove it).
    Tie(TieArgs),
    /// A person's ties to others, set by hand or inferred, with the reasons.
    Ties(TiesArgs),
    /// The strongest paths to a person, or to anyone at an organisation.
    Path(PathArgs),
    /// Who you can reach at an organisation, and through whom.
    WhoAt(WhoAtArgs),
    /// Connect with other members of this server, or of other kith
    /// servers (name@host).
    Connect {
        #[command(subcommand)]
        command: ConnectCommand,
    },
    /// Follow a fediverse account (@name@server): a person in your book
    /// follows its profile.
    Follow { handle: String },
    /// Stop following a fediverse account.
    Unfollow { handle: String },
    /// Accounts you follow and accounts following you.
    Follows {
        #[arg(long)]
        json: bool,
    },
    /// Federation: blocks, your signing key, the delivery backlog.
    Federation {
        #[command(subcommand)]
        command: FederationCommand,
    },
    /// What your connections may use of the people you know for their paths.
    Sharing(SharingArgs),
    /// Introductions: ask a connection, answer requests, withdraw.
    Intro {
        #[command(subcommand)]
        command: IntroCommand,
    },
    /// Your verified email addresses, by which other members may find you.
    Email {
        #[command(subcommand)]
        command: EmailCommand,
    },
    /// Your own card: what your connections and the public see of you.
    Card {
        #[command(subcommand)]
        command: CardCommand,
    },
    /// What changed in your network: new jobs, titles, cities, addresses.
    Changes(ChangesArgs),
    /// What people are looking for and what they can offer.
    Needs {
        #[command(subcommand)]
        command: NeedsCommand,
    },
    /// What you can do for them: needs in your network and who can meet them.
    HelpOut(HelpOutArgs),
    /// Favours given and received.
    Favours {
        #[command(subcommand)]
        command: FavoursCommand,
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
    /// Mailboxes (IMAP), calendars (CalDAV, ICS links) and address books
    /// (CardDAV) kith reads by itself (docs/sources.md).
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
    },
    /// Run the web app and the JSON API.
    Serve(ServeArgs),
    /// Write a consistent backup of everything to FILE (while kith serve runs).
    Backup {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into this (empty) database, SQLite or PostgreSQL.
    Restore {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Copy everything into another, empty database (SQLite to PostgreSQL
    /// or back).
    Migrate {
        /// The database to copy to: postgres://… or a SQLite file's path.
        #[arg(long, hide_env_values = true)]
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// Fill a fresh data directory with a seeded demo network and serve it.
    Demo(DemoArgs),
}

#[derive(Subcommand)]
pub(crate) enum MeCommand {
    /// Add one of your addresses.
    AddEmail { email: String },
    /// Remove one of your addresses.
    RemoveEmail { email: String },
    /// List your addresses.
    List,
}

#[derive(Args)]
pub(crate) struct CadenceArgs {
    /// The person (id or email); or use --tag.
    #[arg(required_unless_present = "tag", conflicts_with = "tag")]
    pub person: Option<String>,
    /// Everyone carrying this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Every this many days (1 to 3650).
    #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
    pub every: Option<i64>,
    /// Remove the cadence.
    #[arg(long)]
    pub clear: bool,
}

#[derive(Args)]
pub(crate) struct DueArgs {
    #[command(subcommand)]
    pub command: Option<DueCommand>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub(crate) enum DueCommand {
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
pub(crate) struct LogArgs {
    /// The people involved: ids or emails.
    #[arg(required = true)]
    pub people: Vec<String>,
    /// email, meeting, call, message, coffee, lunch, event, introduction or note.
    #[arg(long)]
    pub kind: String,
    /// When: YYYY-MM-DD, a timestamp, today, yesterday, "3 days ago" (default: now).
    #[arg(long, default_value = "")]
    pub date: String,
    #[arg(long)]
    pub note: Option<String>,
    /// outgoing (you reached out), incoming (they did) or mutual (default).
    #[arg(long)]
    pub direction: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub(crate) struct DemoArgs {
    /// How many people.
    #[arg(long, default_value_t = 300)]
    pub people: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Fill the data directory and exit, without serving.
    #[arg(long)]
    pub no_serve: bool,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:7878].
    #[arg(long, env = "KITH_LISTEN")]
    pub listen: Option<String>,
    /// Largest upload accepted, in megabytes [default: 50].
    #[arg(long, env = "KITH_MAX_UPLOAD_MB")]
    pub max_upload_mb: Option<usize>,
    /// Mark cookies Secure (kith is reached over https).
    #[arg(long)]
    pub secure_cookies: bool,
    /// A reverse proxy (address or network, e.g. 10.0.0.0/8) whose
    /// X-Forwarded-For names the client; repeat for several.
    #[arg(
        long = "trusted-proxy",
        env = "KITH_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Threads that answer requests [default: 2].
    #[arg(long, env = "KITH_WORKERS")]
    pub workers: Option<usize>,
    /// Connections kept to PostgreSQL [default: 8].
    #[arg(long, env = "KITH_DB_CONNECTIONS")]
    pub db_connections: Option<u32>,
    /// Seconds a request waits for a database connection before it is
    /// answered 503 [default: 3].
    #[arg(long, env = "KITH_DB_TIMEOUT")]
    pub db_timeout: Option<f64>,
    /// Seconds requests still running get to finish after SIGTERM or
    /// Ctrl-C [default: 30].
    #[arg(long, env = "KITH_SHUTDOWN_TIMEOUT")]
    pub shutdown_timeout: Option<u64>,
    /// Also serve /metrics (without a token), /healthz and /readyz on this
    /// address, e.g. 127.0.0.1:9187.
    #[arg(long, env = "KITH_METRICS_LISTEN")]
    pub metrics_listen: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum UserCommand {
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
pub(crate) enum SourcesCommand {
    /// Add a source: imap imaps://host, caldav https://…/calendars/…,
    /// carddav https://…/addressbooks/…, ics https://…/basic.ics.
    Add {
        /// imap, caldav, carddav or ics.
        kind: String,
        url: String,
        #[arg(long)]
        login: Option<String>,
        /// Read the (app) password from standard input (else it is asked
        /// for when a login is given).
        #[arg(long)]
        password_stdin: bool,
        /// IMAP folders to read (repeat; default INBOX and the Sent folder).
        #[arg(long = "folder")]
        folders: Vec<String>,
        /// Minutes between syncs (default 15).
        #[arg(long)]
        every: Option<u32>,
        /// Keep subjects and meeting titles as notes.
        #[arg(long)]
        keep_subjects: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the sources, their state and last sync.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Sync one source now (or every source of the account).
    Sync {
        id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Pause a source (it keeps what it knows).
    Pause { id: String },
    /// Resume a paused source (it syncs at once).
    Resume { id: String },
    /// Give a source a new password (read from standard input with
    /// --password-stdin, else asked for); it resumes.
    Password {
        id: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a source (what it brought stays).
    Remove { id: String },
}

#[derive(Subcommand)]
pub(crate) enum TokenCommand {
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
pub(crate) struct ImportArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// auto, vcard, linkedin, google, outlook or csv.
    #[arg(long, default_value = "auto")]
    pub format: String,
    /// Read and match everything and report, but change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Column mapping for a generic CSV: "Header=field,…" (fields: name, given, family, email, phone, organization, title, …).
    #[arg(long)]
    pub map: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Mailboxes: keep each message's subject with its interaction.
    #[arg(long)]
    pub keep_subjects: bool,
}

#[derive(Subcommand)]
pub(crate) enum ExportWhat {
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
pub(crate) enum PeopleCommand {
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
pub struct EditArgs {
    /// Full name ("Ada Lovelace").
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub given: Option<String>,
    #[arg(long)]
    pub family: Option<String>,
    #[arg(long = "email")]
    pub emails: Vec<String>,
    #[arg(long = "remove-email")]
    pub remove_emails: Vec<String>,
    #[arg(long = "phone")]
    pub phones: Vec<String>,
    #[arg(long = "remove-phone")]
    pub remove_phones: Vec<String>,
    #[arg(long = "url")]
    pub urls: Vec<String>,
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    #[arg(long = "remove-tag")]
    pub remove_tags: Vec<String>,
    #[arg(long = "note")]
    pub notes: Vec<String>,
    #[arg(long = "nickname")]
    pub nicknames: Vec<String>,
    /// YYYY-MM-DD or --MM-DD.
    #[arg(long, allow_hyphen_values = true)]
    pub birthday: Option<String>,
    /// Current organisation (starts a new current position).
    #[arg(long)]
    pub org: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
}

#[derive(Args)]
pub(crate) struct DupesArgs {
    #[command(subcommand)]
    pub command: Option<DupesCommand>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub(crate) enum DupesCommand {
    /// Keep two people apart: the pair is not suggested again.
    Dismiss { a: String, b: String },
}

// The network commands (commands/network.rs).

#[derive(Args)]
pub(crate) struct TieArgs {
    /// One person (id, email, profile URL or exact name).
    pub a: String,
    /// The other.
    pub b: String,
    /// colleague, vendor, client, friend, family, mentor or introduced-by.
    #[arg(long, required_unless_present = "remove")]
    pub kind: Option<String>,
    /// From just above 0 to 1 (default: the kind's usual strength).
    #[arg(long, conflicts_with = "remove")]
    pub strength: Option<f64>,
    /// Remove the tie set by hand.
    #[arg(long)]
    pub remove: bool,
}

#[derive(Args)]
pub(crate) struct TiesArgs {
    /// The person (id, email, profile URL or exact name).
    pub person: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub(crate) struct PathArgs {
    /// A person: id, exact name, email or profile URL.
    #[arg(long, required_unless_present = "org", conflicts_with = "org")]
    pub to: Option<String>,
    /// Anyone now at an organisation: its name or an email domain.
    #[arg(long)]
    pub org: Option<String>,
    /// How many paths (1 to 20).
    #[arg(short, default_value_t = 3)]
    pub k: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub(crate) struct WhoAtArgs {
    /// The organisation's name or an email domain.
    pub org: String,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub(crate) enum FederationCommand {
    /// Block a server (host) or a handle (name@host): nothing from it is
    /// taken, and links with it end. For you, or with --server for
    /// everyone on this server.
    Block {
        target: String,
        #[arg(long)]
        server: bool,
    },
    /// Lift a block.
    Unblock {
        target: String,
        #[arg(long)]
        server: bool,
    },
    /// The blocks (yours, or with --server the server's).
    Blocks {
        #[arg(long)]
        server: bool,
    },
    /// Replace your signing key (everyone you have a link with is told).
    RotateKey,
    /// Activities waiting for delivery, and your handle.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum ConnectCommand {
    /// Invite a member to connect: an account name here, or name@host for
    /// a member of another kith server.
    Invite { name: String },
    /// Accept a member's invitation.
    Accept { name: String },
    /// Decline a member's invitation.
    Decline { name: String },
    /// End a connection, or withdraw an invitation.
    Remove { name: String },
    /// Your connections and invitations.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Members you may know, and why.
    Suggestions {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub(crate) struct SharingArgs {
    /// nothing, role (the default: "someone at Acme (CTO)") or name; none
    /// shows the rules.
    pub level: Option<String>,
    /// For everyone carrying this tag.
    #[arg(long, conflicts_with = "person")]
    pub tag: Option<String>,
    /// For one person.
    #[arg(long)]
    pub person: Option<String>,
    /// Remove the rule of --tag or --person.
    #[arg(long, conflicts_with = "level")]
    pub clear: bool,
}

#[derive(Subcommand)]
pub(crate) enum IntroCommand {
    /// Ask a connection for an introduction to the next person on your
    /// best path to someone through them.
    Ask {
        #[arg(long, required_unless_present = "org", conflicts_with = "org")]
        to: Option<String>,
        #[arg(long)]
        org: Option<String>,
        /// The connection to ask (an account name, or name@host on another
        /// kith server).
        #[arg(long)]
        via: String,
        #[arg(long, default_value = "")]
        message: String,
    },
    /// Requests you made and were asked.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Accept a request you were asked: the person gets an email asking
    /// whether they want the introduction.
    Accept {
        id: uuid::Uuid,
    },
    Decline {
        id: uuid::Uuid,
    },
    /// Withdraw a request you made.
    Withdraw {
        id: uuid::Uuid,
    },
    /// Refuse all requests (on), or take them again (off).
    RefuseAll {
        on_off: String,
    },
    /// Introduce two people you know (one with a need, one who can help):
    /// the helper is asked by email first (see `kith help-out`).
    Make {
        /// The person with the need (id, email or exact name).
        person: String,
        /// Who can help them.
        helper: String,
        #[arg(long, default_value = "")]
        message: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum EmailCommand {
    /// Mail a link that verifies an address is yours.
    Add {
        email: String,
    },
    /// Verify an address with the secret at the end of its link.
    Verify {
        secret: String,
    },
    Remove {
        email: String,
    },
    List,
}

// The card and reciprocity commands (commands/cards.rs).

#[derive(Subcommand)]
pub(crate) enum CardCommand {
    /// Your card, each field with who may see it.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Set a field: name, headline, organization, title, address (replaced),
    /// or email, phone, website (added).
    Set {
        field: String,
        value: String,
        /// private, connections or public (default: as it was, else public
        /// for name, headline, organisation and title, connections for the rest).
        #[arg(long)]
        visibility: Option<String>,
    },
    /// Remove a field (one value of an email, phone or website when given).
    Unset {
        field: String,
        value: Option<String>,
    },
    /// Make a public link to your card (only public fields show).
    Link,
    /// Your public links.
    Links {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a public link by its id, token or URL (all, without one): it answers 404 after.
    Revoke { token: Option<String> },
    /// Your card as your connections see it, as a vCard.
    Vcf,
    /// Email your details (what connections see, vCard attached) to the
    /// people named (id or email), each with an unsubscribe link.
    Send {
        #[arg(required = true)]
        people: Vec<String>,
    },
}

#[derive(Args)]
pub(crate) struct ChangesArgs {
    /// How far back to look, in days.
    #[arg(long, default_value_t = 30)]
    pub days: i64,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
    /// One person's history instead (id, email or exact name).
    #[arg(long)]
    pub person: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum NeedsCommand {
    /// Needs and offers: everyone's, or one person's.
    List {
        person: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Add what someone is looking for (yours without --for).
    Add {
        text: String,
        #[arg(long = "for")]
        person: Option<String>,
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// Add what someone can offer or knows about (yours without --for).
    Offer {
        text: String,
        #[arg(long = "for")]
        person: Option<String>,
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    Remove {
        id: String,
    },
}

#[derive(Args)]
pub(crate) struct HelpOutArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub(crate) enum FavoursCommand {
    /// Favours with everyone, or one person.
    List {
        person: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record a favour you gave (--given) or received (--received).
    Add {
        person: String,
        what: String,
        #[arg(
            long,
            conflicts_with = "received",
            required_unless_present = "received"
        )]
        given: bool,
        #[arg(long)]
        received: bool,
    },
    Remove {
        id: String,
    },
}

// Circles, coming up and the digest (commands/relationships.rs).

#[derive(Args)]
pub(crate) struct CircleArgs {
    /// The person (id or email).
    pub person: String,
    /// inner, close, network or distant; auto to follow the interactions again.
    pub circle: String,
}

#[derive(Args)]
pub(crate) struct ComingUpArgs {
    /// How many days ahead (0 to 60).
    #[arg(long, default_value_t = 14)]
    pub days: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub(crate) struct DigestArgs {
    /// Send it now (to --to, else the account's digest address).
    #[arg(long)]
    pub send: bool,
    /// How often kith serve sends it: daily, weekly or off.
    #[arg(long, conflicts_with = "send")]
    pub every: Option<String>,
    /// The address: with --send, for this once; with --every, kept.
    #[arg(long)]
    pub to: Option<String>,
}
