//! Living sources: a mailbox (IMAP), calendars (CalDAV, an ICS link) and
//! address books (CardDAV) that kith reads by itself, so that interactions
//! and cards stay current without exporting anything. Adding, listing,
//! pausing and removing them; one sync of one source (claimed so that no
//! other server syncs it meanwhile, its progress kept on the row, its
//! outcome and the next sync's time after it, with backoff after failures
//! and a pause when it keeps failing). Each kind's reading lives in its own
//! module; `schedule` runs the due ones.

mod calendars;
mod contacts;
mod dav;
pub(crate) mod http;
mod imap;
pub mod net;
pub mod schedule;
pub mod secret;

use crate::{App, AppError, Result};
use kith_store::sources::{SourceRow, SyncEnd};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use uuid::Uuid;

pub use net::AddressPolicy;
pub use secret::KeySource;

/// How sources run on this server (kith.toml `[sources]`).
#[derive(Clone, Debug)]
pub struct SourcesConfig {
    /// Where the key that seals passwords comes from.
    pub key: KeySource,
    /// Which addresses sources may connect to.
    pub policy: AddressPolicy,
    /// How often a source syncs unless it says otherwise.
    pub every: Duration,
}

impl Default for SourcesConfig {
    fn default() -> Self {
        SourcesConfig {
            key: KeySource::Missing,
            policy: AddressPolicy::default(),
            every: DEFAULT_EVERY,
        }
    }
}

/// A source syncs this often by default.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(15 * 60);
/// The shortest and longest schedule a source may have.
const MIN_EVERY_MINUTES: u32 = 1;
const MAX_EVERY_MINUTES: u32 = 7 * 24 * 60;
/// How long a claim on a source lasts unless its server says it is still
/// syncing (every [`HEARTBEAT`]).
const LEASE: Duration = Duration::from_secs(120);
const HEARTBEAT: Duration = Duration::from_secs(2);
/// After this many failures in a row a source is paused (after this many
/// a wrong password pauses it: it will not mend by itself).
const PAUSE_AFTER: i64 = 8;
const PAUSE_AFTER_AUTH: i64 = 3;
/// The longest wait between tries after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);
/// Sources one account may have.
const MAX_SOURCES: usize = 20;

/// What a source reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A mailbox: the headers of its messages become interactions.
    Imap,
    /// CalDAV calendars: meetings become interactions.
    Caldav,
    /// A CardDAV address book: its cards are imported and kept current.
    Carddav,
    /// A calendar's secret ICS link.
    Ics,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Imap => "imap",
            SourceKind::Caldav => "caldav",
            SourceKind::Carddav => "carddav",
            SourceKind::Ics => "ics",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        [
            SourceKind::Imap,
            SourceKind::Caldav,
            SourceKind::Carddav,
            SourceKind::Ics,
        ]
        .into_iter()
        .find(|k| k.as_str() == s.trim().to_ascii_lowercase())
    }
}

/// Why a sync failed, in words for the Sources page, and what kind of
/// failure it was (a wrong password pauses a source sooner).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub kind: FailureKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The server refused the login or password.
    Auth,
    /// The server could not be reached (or stopped answering).
    Network,
    /// The server's certificate or TLS failed.
    Tls,
    /// The server answered something kith cannot use.
    Protocol,
    /// kith will not go there (a private address, plain text to the internet).
    Refused,
}

impl SourceError {
    pub(crate) fn auth(m: impl Into<String>) -> Self {
        SourceError {
            kind: FailureKind::Auth,
            message: m.into(),
        }
    }
    pub(crate) fn network(m: impl Into<String>) -> Self {
        SourceError {
            kind: FailureKind::Network,
            message: m.into(),
        }
    }
    pub(crate) fn tls(m: impl Into<String>) -> Self {
        SourceError {
            kind: FailureKind::Tls,
            message: m.into(),
        }
    }
    pub(crate) fn protocol(m: impl Into<String>) -> Self {
        SourceError {
            kind: FailureKind::Protocol,
            message: m.into(),
        }
    }
    pub(crate) fn refused(m: impl Into<String>) -> Self {
        SourceError {
            kind: FailureKind::Refused,
            message: m.into(),
        }
    }
}

/// A sync fails with a source's error, or with kith's own (the database).
pub(crate) enum SyncFailure {
    Source(SourceError),
    App(AppError),
}

impl From<SourceError> for SyncFailure {
    fn from(e: SourceError) -> Self {
        SyncFailure::Source(e)
    }
}

impl From<AppError> for SyncFailure {
    fn from(e: AppError) -> Self {
        SyncFailure::App(e)
    }
}

impl From<kith_store::StoreError> for SyncFailure {
    fn from(e: kith_store::StoreError) -> Self {
        SyncFailure::App(e.into())
    }
}

pub(crate) type SyncResult<T> = std::result::Result<T, SyncFailure>;

/// A new source, as the user gives it.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSource {
    pub kind: Option<SourceKind>,
    /// `imaps://host[:port]`, `imap://…`, `https://…` (CalDAV, CardDAV, an
    /// `.ics` link).
    pub url: String,
    pub login: Option<String>,
    /// An app password (sealed with the server's key before it is stored).
    pub password: Option<String>,
    /// IMAP folders to read (default: INBOX and the `\Sent` folder).
    #[serde(default)]
    pub folders: Vec<String>,
    /// Minutes between syncs (default 15).
    pub every_minutes: Option<u32>,
    /// Keep each message's subject or meeting's title as the note.
    #[serde(default)]
    pub keep_subjects: bool,
}

/// How a source is read (stored as JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SourceOptions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<String>,
    #[serde(default)]
    pub keep_subjects: bool,
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncReport {
    /// Messages, calendar objects or cards read.
    pub read: u64,
    /// Interactions added.
    pub interactions: u64,
    /// Interactions changed (a meeting moved) or removed (cancelled, deleted).
    pub interactions_changed: u64,
    pub interactions_removed: u64,
    /// People made.
    pub created: u64,
    /// People who gained or lost values.
    pub updated: u64,
    /// People moved to the trash (their only card was deleted there).
    pub trashed: u64,
    /// Messages, events or cards passed over (lists, strangers, unreadable).
    pub skipped: u64,
    /// What could not be read, at most a few (with where).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Nothing had changed since the last sync.
    pub unchanged: bool,
    /// There was more than one sync reads (a first sync of a very large
    /// mailbox or address book): the next sync, at once, goes on.
    #[serde(default)]
    pub more: bool,
    /// How long it took (milliseconds).
    pub millis: u64,
}

/// A source as the Sources page and `kith sources list` show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: Uuid,
    pub kind: SourceKind,
    pub url: String,
    pub login: Option<String>,
    pub has_password: bool,
    pub folders: Vec<String>,
    pub keep_subjects: bool,
    pub every_minutes: u32,
    /// `syncing`, `paused`, `failing`, `ok` or `new`.
    pub state: String,
    /// Why it is paused.
    pub paused: Option<String>,
    /// The last sync's error, while it is failing.
    pub error: Option<String>,
    pub failures: i64,
    /// When it last synced, last worked, and will sync next (RFC 3339).
    pub last_sync: Option<String>,
    pub last_ok: Option<String>,
    pub next_sync: Option<String>,
    /// While it syncs: items done and to do (0 when not known yet).
    pub progress_done: i64,
    pub progress_total: i64,
    pub last_report: Option<SyncReport>,
}

fn rfc3339(micros: i64) -> Option<String> {
    jiff::Timestamp::from_microsecond(micros)
        .ok()
        .map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string())
}

impl SourceView {
    fn of(row: &SourceRow, now: i64) -> SourceView {
        let options: SourceOptions = serde_json::from_str(&row.options).unwrap_or_default();
        let syncing = row.claimed_by.is_some() && row.claimed_until >= now;
        let state = if syncing {
            "syncing"
        } else if row.paused.is_some() {
            "paused"
        } else if row.last_error.is_some() {
            "failing"
        } else if row.last_ok_at.is_some() {
            "ok"
        } else {
            "new"
        };
        SourceView {
            id: row.id,
            kind: SourceKind::parse(&row.kind).unwrap_or(SourceKind::Imap),
            url: row.url.clone(),
            login: row.login.clone(),
            has_password: row.secret.is_some(),
            folders: options.folders,
            keep_subjects: options.keep_subjects,
            every_minutes: u32::try_from(row.every_seconds / 60).unwrap_or(u32::MAX),
            state: state.into(),
            paused: row.paused.clone(),
            error: row.last_error.clone(),
            failures: row.failures,
            last_sync: row.last_sync_at.and_then(rfc3339),
            last_ok: row.last_ok_at.and_then(rfc3339),
            next_sync: (row.paused.is_none() && row.next_sync_at < i64::MAX / 2)
                .then(|| rfc3339(row.next_sync_at.max(now)))
                .flatten(),
            progress_done: row.progress_done,
            progress_total: row.progress_total,
            last_report: row
                .last_report
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
        }
    }
}

/// The URL a source is reached at, checked: the scheme its kind needs,
/// no password in it, plain text only to this machine.
pub(crate) fn check_url(kind: SourceKind, url: &str) -> Result<url::Url> {
    let invalid = |m: String| AppError::Invalid(m);
    let parsed =
        url::Url::parse(url.trim()).map_err(|e| invalid(format!("{url:?} is not a URL: {e}")))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "put the login and password in their own fields, not in the URL".into(),
        ));
    }
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid(format!("{url:?} names no server")))?;
    let scheme = parsed.scheme();
    let plain_ok = net::is_loopback_host(host);
    match kind {
        SourceKind::Imap => {
            if scheme != "imaps" && scheme != "imap" {
                return Err(invalid(format!(
                    "a mailbox is reached at imaps://host (or imap://host, with STARTTLS), not {scheme}://"
                )));
            }
        }
        _ => {
            if scheme == "http" && !plain_ok {
                return Err(invalid(format!(
                    "{host} would be read over plain http: use https:// (plain http only to this machine)"
                )));
            }
            if scheme != "https" && scheme != "http" {
                return Err(invalid(format!(
                    "a {} source is reached at https://…, not {scheme}://",
                    kind.as_str()
                )));
            }
        }
    }
    Ok(parsed)
}

/// The kind a URL suggests when none is given.
fn guess_kind(url: &str) -> Option<SourceKind> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("imap://") || lower.starts_with("imaps://") {
        Some(SourceKind::Imap)
    } else if lower.split(['?', '#']).next()?.ends_with(".ics") || lower.starts_with("webcal://") {
        Some(SourceKind::Ics)
    } else if lower.contains("/addressbooks/") || lower.contains("carddav") {
        Some(SourceKind::Carddav)
    } else if lower.contains("/calendars/") || lower.contains("caldav") {
        Some(SourceKind::Caldav)
    } else {
        None
    }
}

/// A source this server holds, to sync.
pub struct ClaimedSource(SourceRow);

/// Progress of a running sync, written to its row by the heartbeat.
#[derive(Default)]
pub(crate) struct SyncProgress {
    done: AtomicI64,
    total: AtomicI64,
}

impl SyncProgress {
    pub(crate) fn set(&self, done: u64, total: u64) {
        self.done.store(done as i64, Ordering::Relaxed);
        self.total.store(total as i64, Ordering::Relaxed);
    }
}

/// What a sync needs besides the source's row.
pub(crate) struct SyncContext<'a> {
    pub(crate) row: &'a SourceRow,
    pub(crate) options: SourceOptions,
    pub(crate) password: Option<String>,
    pub(crate) policy: AddressPolicy,
    pub(crate) progress: &'a SyncProgress,
}

impl App {
    /// The owner's addresses, which tell them from the people they write
    /// to and meet: those they gave, and the source's login when it is one.
    pub(crate) async fn source_owner(&self, ctx: &SyncContext<'_>) -> SyncResult<Vec<String>> {
        let mut mine = self.my_emails().await?;
        if let Some(login) = ctx.row.login.as_deref()
            && let Some(key) = kith_core::identity::email_key(login)
            && !mine.contains(&key)
        {
            mine.push(key);
        }
        if mine.is_empty() {
            return Err(SourceError::protocol(
                "kith does not know your own email addresses yet, so it cannot tell you from the people you write to and meet: add them with `kith me add-email you@example.org` (or on the Settings page)",
            )
            .into());
        }
        Ok(mine)
    }

    fn sources_config(&self) -> &SourcesConfig {
        &self.settings.sources
    }

    /// Adds a source (it syncs at once when a server runs, or with
    /// `kith sources sync`).
    pub async fn add_source(&self, new: NewSource) -> Result<SourceView> {
        let kind = match new.kind {
            Some(k) => k,
            None => guess_kind(&new.url).ok_or_else(|| {
                AppError::Invalid(format!(
                    "cannot tell what {:?} is: say imap, caldav, carddav or ics",
                    new.url
                ))
            })?,
        };
        if new.url.len() > 2048 || new.login.as_ref().is_some_and(|l| l.len() > 320) {
            return Err(AppError::Invalid(
                "the address is at most 2,048 characters, the login at most 320".into(),
            ));
        }
        let url = new.url.trim().replacen("webcal://", "https://", 1);
        let parsed = check_url(kind, &url)?;
        if self.store.sources(self.account).await?.len() >= MAX_SOURCES {
            return Err(AppError::TooMany(format!(
                "an account has at most {MAX_SOURCES} sources: remove one first"
            )));
        }
        let login = new
            .login
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty());
        if kind == SourceKind::Imap && (login.is_none() || new.password.is_none()) {
            return Err(AppError::Invalid(
                "a mailbox needs a login and a password (an app password: see docs/sources.md)"
                    .into(),
            ));
        }
        if new.password.as_ref().is_some_and(|p| p.len() > 1024) {
            return Err(AppError::Invalid(
                "the password is longer than 1,024 bytes".into(),
            ));
        }
        let every = new
            .every_minutes
            .unwrap_or((self.sources_config().every.as_secs() / 60) as u32);
        if !(MIN_EVERY_MINUTES..=MAX_EVERY_MINUTES).contains(&every) {
            return Err(AppError::Invalid(format!(
                "a source syncs every {MIN_EVERY_MINUTES} to {MAX_EVERY_MINUTES} minutes, not {every}"
            )));
        }
        let mut folders: Vec<String> = new
            .folders
            .iter()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        folders.dedup();
        if folders.len() > 50
            || folders
                .iter()
                .any(|f| f.len() > 200 || f.contains(['\r', '\n', '"']))
        {
            return Err(AppError::Invalid(
                "folders: at most 50 names, each under 200 characters, without quotes or line breaks".into(),
            ));
        }
        if kind != SourceKind::Imap && !folders.is_empty() {
            return Err(AppError::Invalid("only a mailbox has folders".into()));
        }
        let id = Uuid::now_v7();
        let secret = match new.password.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(self.sources_config().key.seal(id, p)?),
            None => None,
        };
        let options = SourceOptions {
            folders,
            keep_subjects: new.keep_subjects,
        };
        let now = kith_store::now_micros();
        let row = SourceRow {
            id,
            account: self.account,
            kind: kind.as_str().into(),
            url: parsed.to_string(),
            login,
            secret,
            options: serde_json::to_string(&options).unwrap_or_else(|_| "{}".into()),
            every_seconds: i64::from(every) * 60,
            paused: None,
            cursor: "{}".into(),
            next_sync_at: 0,
            claimed_by: None,
            claimed_until: 0,
            progress_done: 0,
            progress_total: 0,
            last_sync_at: None,
            last_ok_at: None,
            last_error: None,
            failures: 0,
            last_report: None,
            created_at: now,
        };
        self.store.add_source(&row).await?;
        Ok(SourceView::of(&row, now))
    }

    /// The account's sources.
    pub async fn sources(&self) -> Result<Vec<SourceView>> {
        let now = kith_store::now_micros();
        Ok(self
            .store
            .sources(self.account)
            .await?
            .iter()
            .map(|r| SourceView::of(r, now))
            .collect())
    }

    /// One of the account's sources.
    pub async fn source(&self, id: Uuid) -> Result<SourceView> {
        let row = self.source_row(id).await?;
        Ok(SourceView::of(&row, kith_store::now_micros()))
    }

    async fn source_row(&self, id: Uuid) -> Result<SourceRow> {
        self.store
            .source(self.account, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no source {id}")))
    }

    /// Removes a source; what it brought stays in the address book.
    pub async fn remove_source(&self, id: Uuid) -> Result<()> {
        if !self.store.remove_source(self.account, id).await? {
            return Err(AppError::NotFound(format!("no source {id}")));
        }
        Ok(())
    }

    /// Pauses a source (it keeps what it knows) or resumes it (it syncs
    /// at once).
    pub async fn pause_source(&self, id: Uuid, pause: bool) -> Result<SourceView> {
        let why = pause.then_some("paused by you");
        if !self.store.pause_source(self.account, id, why).await? {
            return Err(AppError::NotFound(format!("no source {id}")));
        }
        self.source(id).await
    }

    /// Gives a source a new password (and resumes it).
    pub async fn set_source_password(&self, id: Uuid, password: &str) -> Result<SourceView> {
        let row = self.source_row(id).await?;
        if password.is_empty() || password.len() > 1024 {
            return Err(AppError::Invalid("a password of 1 to 1,024 bytes".into()));
        }
        let sealed = self.sources_config().key.seal(id, password)?;
        self.store
            .update_source(
                self.account,
                id,
                row.login.as_deref(),
                Some(&sealed),
                &row.options,
                row.every_seconds,
            )
            .await?;
        self.source(id).await
    }

    /// Syncs one source now as `server` (unless another server is syncing
    /// it): what it did, or why it failed (also kept on the source).
    pub async fn sync_source(&self, id: Uuid, server: &str) -> Result<SyncReport> {
        let claimed = self.claim_source(id, server).await?;
        self.run_claimed(&claimed.0, server).await
    }

    /// Takes a source for `server` to sync now; refused while it syncs
    /// (here or on another server).
    pub async fn claim_source(&self, id: Uuid, server: &str) -> Result<ClaimedSource> {
        let until = kith_store::now_micros() + LEASE.as_micros() as i64;
        match self
            .store
            .claim_source(self.account, id, server, until)
            .await?
        {
            Some(row) => Ok(ClaimedSource(row)),
            None => {
                self.source_row(id).await?;
                Err(AppError::Store(kith_store::StoreError::Conflict(
                    "this source is syncing now (on this or another server): wait for it to end"
                        .into(),
                )))
            }
        }
    }

    /// Syncs a source [`App::claim_source`] took (e.g. on a task of its own).
    pub async fn sync_claimed(&self, claimed: ClaimedSource, server: &str) -> Result<SyncReport> {
        self.run_claimed(&claimed.0, server).await
    }

    /// Syncs a source this server claimed, keeps the outcome on it, and
    /// lets go of it.
    pub(crate) async fn run_claimed(&self, row: &SourceRow, server: &str) -> Result<SyncReport> {
        let started = std::time::Instant::now();
        let progress = Arc::new(SyncProgress::default());
        let heartbeat = {
            let (store, progress, id, server) = (
                self.store.clone(),
                progress.clone(),
                row.id,
                server.to_string(),
            );
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(HEARTBEAT).await;
                    let until = kith_store::now_micros() + LEASE.as_micros() as i64;
                    let (done, total) = (
                        progress.done.load(Ordering::Relaxed),
                        progress.total.load(Ordering::Relaxed),
                    );
                    if let Ok(false) = store.source_progress(id, &server, done, total, until).await
                    {
                        return;
                    }
                }
            })
        };
        let outcome = self.run_sync(row, &progress).await;
        heartbeat.abort();
        let now = kith_store::now_micros();
        match outcome {
            Ok(mut report) => {
                report.millis = started.elapsed().as_millis() as u64;
                let text = serde_json::to_string(&report).unwrap_or_default();
                let next_at = if report.more {
                    now // more to read: due again at once
                } else {
                    now + row.every_seconds * 1_000_000
                };
                self.store
                    .end_source_sync(
                        row.id,
                        server,
                        SyncEnd::Ok {
                            report: &text,
                            next_at,
                        },
                    )
                    .await?;
                Ok(report)
            }
            Err(failure) => {
                let (message, kind) = match &failure {
                    SyncFailure::Source(e) => (e.message.clone(), Some(e.kind)),
                    SyncFailure::App(e) => (e.to_string(), None),
                };
                let failures = row.failures + 1;
                let pause = match kind {
                    Some(FailureKind::Auth) => failures >= PAUSE_AFTER_AUTH,
                    Some(_) => failures >= PAUSE_AFTER,
                    // kith's own trouble (its database): never the source's fault.
                    None => false,
                };
                let next_at = (!pause).then(|| now + backoff(row.every_seconds, failures));
                let error = if pause {
                    format!("paused after {failures} failed syncs in a row: {message}")
                } else {
                    message.clone()
                };
                self.store
                    .end_source_sync(
                        row.id,
                        server,
                        SyncEnd::Failed {
                            error: &error,
                            next_at,
                        },
                    )
                    .await?;
                Err(match failure {
                    SyncFailure::Source(_) => AppError::Source(error),
                    SyncFailure::App(e) => e,
                })
            }
        }
    }

    async fn run_sync(&self, row: &SourceRow, progress: &SyncProgress) -> SyncResult<SyncReport> {
        let kind = SourceKind::parse(&row.kind).ok_or_else(|| {
            SourceError::protocol(format!(
                "this kith does not know sources of kind {:?}",
                row.kind
            ))
        })?;
        let password = match &row.secret {
            Some(sealed) => Some(
                self.sources_config()
                    .key
                    .open(row.id, sealed)
                    .map_err(|e| SourceError::auth(e.to_string()))?,
            ),
            None => None,
        };
        let ctx = SyncContext {
            row,
            options: serde_json::from_str(&row.options).unwrap_or_default(),
            password,
            policy: self.sources_config().policy,
            progress,
        };
        match kind {
            SourceKind::Imap => self.sync_imap(&ctx).await,
            SourceKind::Caldav => self.sync_caldav(&ctx).await,
            SourceKind::Ics => self.sync_ics(&ctx).await,
            SourceKind::Carddav => self.sync_carddav(&ctx).await,
        }
    }
}

/// How long to wait after `failures` failures in a row: the schedule,
/// doubled for each failure past the first, at most a day.
fn backoff(every_seconds: i64, failures: i64) -> i64 {
    let base = every_seconds.max(60).min(MAX_BACKOFF.as_secs() as i64);
    let factor = 1i64 << (failures - 1).clamp(0, 16);
    base.saturating_mul(factor)
        .min(MAX_BACKOFF.as_secs() as i64)
        * 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_urls() {
        assert_eq!(
            guess_kind("imaps://mail.example.org"),
            Some(SourceKind::Imap)
        );
        assert_eq!(
            guess_kind("https://calendar.google.com/calendar/ical/x/private-y/basic.ics"),
            Some(SourceKind::Ics)
        );
        assert_eq!(
            guess_kind("https://dav.example/addressbooks/u/c/"),
            Some(SourceKind::Carddav)
        );
        assert_eq!(
            guess_kind("https://dav.example/calendars/u/"),
            Some(SourceKind::Caldav)
        );
        assert!(check_url(SourceKind::Imap, "imaps://mail.example.org").is_ok());
        assert!(check_url(SourceKind::Imap, "https://mail.example.org").is_err());
        assert!(check_url(SourceKind::Ics, "http://calendar.example.org/a.ics").is_err());
        assert!(check_url(SourceKind::Ics, "http://127.0.0.1:5232/a.ics").is_ok());
        assert!(check_url(SourceKind::Caldav, "https://me:pw@dav.example/").is_err());
    }

    #[test]
    fn backoff_doubles_up_to_a_day() {
        let m = 1_000_000;
        assert_eq!(backoff(900, 1), 900 * m);
        assert_eq!(backoff(900, 2), 1800 * m);
        assert_eq!(backoff(900, 3), 3600 * m);
        assert_eq!(backoff(900, 30), 24 * 3600 * m);
    }
}
