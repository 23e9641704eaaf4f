//! Where kith keeps its data and which database it uses. Precedence: flags >
//! `KITH_*` environment variables (clap reads those) > `kith.toml` in the data
//! directory > defaults.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `kith.toml` in the data directory.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    pub database: Option<String>,
    /// Region for phone numbers written without a country code, e.g. "GB".
    pub region: Option<String>,
    /// The account the CLI acts as.
    pub user: Option<String>,
    /// The relationship strength formula's parameters (docs/relationships.md).
    pub strength: Option<kith_core::strength::StrengthParams>,
    /// Where kith is reached, for links in mail (`https://kith.example.org`).
    pub public_url: Option<String>,
    /// The mail server digests go through.
    pub smtp: Option<kith_app::mailer::SmtpConfig>,
    /// When `kith serve` sends digests.
    pub digest: Option<kith_app::digest::DigestSchedule>,
    /// Limits on sharing one's card (emails a day).
    pub cards: Option<kith_app::cards::CardsConfig>,
    /// Reverse proxies whose X-Forwarded-For is believed (docs/security.md).
    pub trusted_proxies: Option<Vec<String>>,
    /// `kith serve`'s own settings (docs/operations.md).
    pub server: Option<ServerFileConfig>,
    /// Living sources (docs/sources.md).
    pub sources: Option<SourcesFileConfig>,
    /// Federation with other servers (docs/federation.md).
    pub federation: Option<FederationFileConfig>,
}

/// `[federation]` in kith.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FederationFileConfig {
    /// Federate when `public_url` is set (the default); false keeps the
    /// server to itself.
    pub enabled: Option<bool>,
    /// Let federation reach loopback and private addresses (tests, closed
    /// networks).
    pub allow_private_addresses: Option<bool>,
    /// Seconds before a failed delivery is tried again (doubling up to 15
    /// minutes).
    pub retry_seconds: Option<u64>,
}

/// How the server federates: on when `public_url` is set, unless
/// `[federation] enabled = false`.
pub(crate) fn federation_config(
    file: &FileConfig,
) -> Result<kith_app::federation::FederationConfig> {
    use kith_app::federation::FederationConfig;
    let empty = FederationFileConfig::default();
    let f = file.federation.as_ref().unwrap_or(&empty);
    let mut config = FederationConfig::default();
    config.policy.allow_private = f.allow_private_addresses.unwrap_or(false);
    if let Some(s) = f.retry_seconds {
        if !(1..=3600).contains(&s) {
            bail!("[federation] retry_seconds: {s} is not between 1 and 3600");
        }
        config.retry = std::time::Duration::from_secs(s);
    }
    if f.enabled.unwrap_or(true)
        && let Some(u) = &file.public_url
    {
        let url =
            url::Url::parse(u.trim()).with_context(|| format!("public_url {u:?} is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            bail!("public_url {u:?}: use http:// or https:// and a host");
        }
        config.public_url = Some(url);
    }
    Ok(config)
}

/// `[sources]` in kith.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourcesFileConfig {
    /// The key sources' passwords are sealed with (32 bytes, base64); the
    /// same on every server of one database. `KITH_SOURCES_KEY` wins.
    pub key: Option<String>,
    /// Let sources reach loopback and private addresses (a mail server on
    /// the same network; tests).
    pub allow_private_addresses: Option<bool>,
    /// Minutes between a source's syncs unless it says otherwise.
    pub every_minutes: Option<u32>,
}

/// How sources run: the key from the environment or kith.toml, else (one
/// server on SQLite) a key file in the data directory made on first use.
pub(crate) fn sources_config(
    file: &FileConfig,
    data_dir: &Path,
    database_url: &str,
) -> Result<kith_app::sources::SourcesConfig> {
    use kith_app::sources::{AddressPolicy, KeySource, SourcesConfig};
    let empty = SourcesFileConfig::default();
    let f = file.sources.as_ref().unwrap_or(&empty);
    let given = std::env::var("KITH_SOURCES_KEY")
        .ok()
        .or_else(|| f.key.clone())
        .filter(|k| !k.trim().is_empty());
    let postgres = database_url.starts_with("postgres:") || database_url.starts_with("postgresql:");
    let key = match given {
        Some(k) => KeySource::Given(k),
        None if postgres => KeySource::Missing,
        None => KeySource::File(data_dir.join("sources.key")),
    };
    let every = f.every_minutes.unwrap_or(15);
    if !(1..=7 * 24 * 60).contains(&every) {
        bail!("[sources] every_minutes: {every} is not between 1 and 10080");
    }
    Ok(SourcesConfig {
        key,
        policy: AddressPolicy {
            allow_private: f.allow_private_addresses.unwrap_or(false),
            section: "sources",
        },
        every: std::time::Duration::from_secs(u64::from(every) * 60),
    })
}

/// `[server]` in kith.toml; the flags and environment variables of the
/// same names win over it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerFileConfig {
    pub listen: Option<String>,
    pub max_upload_mb: Option<usize>,
    pub secure_cookies: Option<bool>,
    pub workers: Option<usize>,
    pub db_connections: Option<u32>,
    pub db_timeout_seconds: Option<f64>,
    pub shutdown_timeout_seconds: Option<u64>,
    pub metrics_listen: Option<String>,
    /// The bearer token `/metrics` on the main address asks for (else
    /// `KITH_METRICS_TOKEN`); without one it is not served there.
    pub metrics_token: Option<String>,
}

/// What `kith serve` runs with: flags and environment, else kith.toml's
/// `[server]`, else the defaults; each checked.
#[derive(Debug)]
pub(crate) struct ServerSettings {
    pub listen: String,
    pub max_upload_mb: usize,
    pub secure_cookies: bool,
    pub workers: usize,
    pub pool: kith_app::types::PoolSettings,
    pub shutdown_timeout: std::time::Duration,
    pub metrics_listen: Option<String>,
    pub metrics_token: Option<String>,
}

pub(crate) fn server_settings(
    args: &crate::cli::ServeArgs,
    file: &FileConfig,
) -> Result<ServerSettings> {
    let empty = ServerFileConfig::default();
    let f = file.server.as_ref().unwrap_or(&empty);
    let workers = args.workers.or(f.workers).unwrap_or(2);
    if !(1..=256).contains(&workers) {
        bail!("workers: {workers} is not between 1 and 256");
    }
    let connections = args.db_connections.or(f.db_connections).unwrap_or(8);
    if !(1..=1000).contains(&connections) {
        bail!("db_connections: {connections} is not between 1 and 1000");
    }
    let timeout = args.db_timeout.or(f.db_timeout_seconds).unwrap_or(3.0);
    if !(0.1..=600.0).contains(&timeout) {
        bail!("db_timeout: {timeout} seconds is not between 0.1 and 600");
    }
    let shutdown = args
        .shutdown_timeout
        .or(f.shutdown_timeout_seconds)
        .unwrap_or(30);
    if shutdown > 3600 {
        bail!("shutdown_timeout: {shutdown} seconds is more than an hour");
    }
    let metrics_token = std::env::var("KITH_METRICS_TOKEN")
        .ok()
        .or_else(|| f.metrics_token.clone())
        .filter(|t| !t.trim().is_empty());
    if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
        bail!("metrics_token: use at least 16 characters");
    }
    Ok(ServerSettings {
        listen: args
            .listen
            .clone()
            .or_else(|| f.listen.clone())
            .unwrap_or_else(|| "127.0.0.1:7878".into()),
        max_upload_mb: args.max_upload_mb.or(f.max_upload_mb).unwrap_or(50),
        secure_cookies: args.secure_cookies || f.secure_cookies.unwrap_or(false),
        workers,
        pool: kith_app::types::PoolSettings {
            connections,
            acquire_timeout: std::time::Duration::from_secs_f64(timeout),
        },
        shutdown_timeout: std::time::Duration::from_secs(shutdown),
        metrics_listen: args
            .metrics_listen
            .clone()
            .or_else(|| f.metrics_listen.clone()),
        metrics_token,
    })
}

/// The environment variables kith reads; any other `KITH_*` is warned about.
const KNOWN_VARS: &[&str] = &[
    "KITH_DATA_DIR",
    "KITH_DATABASE_URL",
    "KITH_REGION",
    "KITH_USER",
    "KITH_LISTEN",
    "KITH_MAX_UPLOAD_MB",
    "KITH_TRUSTED_PROXIES",
    "KITH_WORKERS",
    "KITH_DB_CONNECTIONS",
    "KITH_DB_TIMEOUT",
    "KITH_SHUTDOWN_TIMEOUT",
    "KITH_METRICS_LISTEN",
    "KITH_METRICS_TOKEN",
    "KITH_LOG",
    "KITH_LOG_FORMAT",
    "KITH_PYTHON",
    "KITH_TEST_DATABASE_URL",
    "KITH_VENV",
    "KITH_SMTP_PASSWORD",
    "KITH_SOURCES_KEY",
    "KITH_DOVECOT",
    "KITH_BROWSER_TESTS",
    "KITH_EMAILNETWORK_MBOX",
    "KITH_AXE_JS",
    "KITH_SCREENSHOTS",
];

pub(crate) fn warn_unknown_env() {
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("KITH_") && !KNOWN_VARS.contains(&k.as_ref()) {
            eprintln!("warning: unknown environment variable {k} is ignored");
        }
    }
}

/// The data directory: the flag or `KITH_DATA_DIR`, else the platform's
/// (e.g. `~/.local/share/kith`).
pub(crate) fn data_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(d) = flag {
        return Ok(d.to_path_buf());
    }
    match dirs::data_dir() {
        Some(d) => Ok(d.join("kith")),
        None => {
            bail!("cannot tell where to keep data on this system: give --data-dir or KITH_DATA_DIR")
        }
    }
}

pub(crate) fn read_file_config(data_dir: &Path) -> Result<FileConfig> {
    let path = data_dir.join("kith.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text)
            .with_context(|| format!("{}: invalid configuration", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The default phone region: the configured one, else the country of the
/// locale (`en_GB.UTF-8` -> GB), else US.
pub(crate) fn default_region(configured: Option<&str>) -> Result<kith_core::identity::Region> {
    if let Some(code) = configured {
        return kith_core::identity::parse_region(code).with_context(|| {
            format!("unknown region {code:?}: use a two-letter country code such as US or GB")
        });
    }
    let from_locale = ["LC_ALL", "LC_TELEPHONE", "LANG"].iter().find_map(|v| {
        let value = std::env::var(v).ok()?;
        let country = value
            .split(['.', '@'])
            .next()?
            .split_once('_')?
            .1
            .to_string();
        kith_core::identity::parse_region(&country)
    });
    Ok(from_locale.unwrap_or(kith_core::identity::Region::US))
}

/// The mailer of kith.toml's `[smtp]`, if any (the password may come from
/// `KITH_SMTP_PASSWORD`).
pub(crate) fn mailer(file: &FileConfig) -> Result<Option<kith_app::mailer::Mailer>> {
    let Some(smtp) = &file.smtp else {
        return Ok(None);
    };
    let env_password = std::env::var("KITH_SMTP_PASSWORD").ok();
    Ok(Some(kith_app::mailer::Mailer::new(smtp, env_password)?))
}

/// Where links in mail point: kith.toml's `public_url`, else the address
/// the server listens on.
pub(crate) fn public_url(file: &FileConfig, listening: &str) -> String {
    file.public_url
        .clone()
        .unwrap_or_else(|| format!("http://{listening}"))
}

/// kith.toml's `[digest]`, checked.
pub(crate) fn digest_schedule(file: &FileConfig) -> Result<kith_app::digest::DigestSchedule> {
    let schedule = file.digest.unwrap_or_default();
    schedule.check().map_err(anyhow::Error::msg)?;
    Ok(schedule)
}

/// The trusted reverse proxies: the flag or `KITH_TRUSTED_PROXIES`, else
/// kith.toml's `trusted_proxies`. Each is an address (`127.0.0.1`) or a
/// network (`10.0.0.0/8`).
pub(crate) fn trusted_proxies(flag: &[String], file: &FileConfig) -> Result<Vec<ipnet::IpNet>> {
    let given = if flag.is_empty() {
        file.trusted_proxies.clone().unwrap_or_default()
    } else {
        flag.to_vec()
    };
    given
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!(
                        "trusted proxy {p:?} is not an address or a network (e.g. 10.0.0.1 or 10.0.0.0/8)"
                    )
                })
        })
        .collect()
}
