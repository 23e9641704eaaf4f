//! The server's outgoing mail as an administrator sets it on the Settings
//! page: kept in the database (so every server on one PostgreSQL uses it,
//! and a backup carries it), checked by building a mailer before it is
//! saved. Set there, it takes the place of kith.toml's `[smtp]`.

use crate::mailer::{Mailer, SmtpConfig, SmtpSecurity};
use crate::{AppError, Result};
use kith_core::AccountId;
use kith_store::Store;
use serde::{Deserialize, Serialize};

/// Where the settings live in `store_meta`.
const KEY: &str = "smtp";

/// The SMTP server, as set on the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettings {
    pub host: String,
    pub port: Option<u16>,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// Kept as given: the database holds it as kith.toml would (see
    /// docs/operations.md); never shown again on a page.
    pub password: Option<String>,
    /// The sender, e.g. `kith <kith@example.org>`.
    pub from: String,
}

impl MailSettings {
    fn smtp(&self) -> SmtpConfig {
        SmtpConfig {
            host: self.host.trim().to_string(),
            port: self.port,
            security: self.security,
            username: self.username.clone().filter(|u| !u.trim().is_empty()),
            password: self.password.clone().filter(|p| !p.is_empty()),
            password_file: None,
            from: self.from.trim().to_string(),
            timeout_seconds: Some(20),
        }
    }

    /// A mailer for these settings, or why they cannot make one.
    pub fn mailer(&self) -> Result<Mailer> {
        Mailer::new(&self.smtp(), None)
    }
}

/// The settings saved on the page, if any.
pub async fn load(store: &Store) -> Result<Option<MailSettings>> {
    let Some(text) = store.server_setting(KEY).await? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| AppError::Invalid(format!("the saved mail settings cannot be read: {e}")))
}

/// Saves (None: removes) the settings as the administrator `by`, after
/// building a mailer from them (a host or sender that cannot work is
/// refused, nothing saved). An empty password keeps the saved one.
/// Returns the new mailer.
pub async fn save(
    store: &Store,
    by: AccountId,
    settings: Option<MailSettings>,
) -> Result<Option<Mailer>> {
    if !store.is_admin(by).await? {
        return Err(AppError::Invalid(
            "only an administrator can change the server's mail settings".into(),
        ));
    }
    let Some(mut settings) = settings else {
        store.set_server_setting(KEY, None).await?;
        return Ok(None);
    };
    if settings.password.as_deref().is_none_or(str::is_empty) {
        settings.password = load(store).await?.and_then(|s| s.password);
    }
    let mailer = settings.mailer()?;
    let text = serde_json::to_string(&settings)
        .map_err(|e| AppError::Invalid(format!("the mail settings: {e}")))?;
    store.set_server_setting(KEY, Some(&text)).await?;
    Ok(Some(mailer))
}

/// "starttls", "tls" or "none".
pub fn security_name(s: SmtpSecurity) -> &'static str {
    match s {
        SmtpSecurity::Starttls => "starttls",
        SmtpSecurity::Tls => "tls",
        SmtpSecurity::None => "none",
    }
}

/// A security mode by its name.
pub fn parse_security(s: &str) -> Option<SmtpSecurity> {
    [
        SmtpSecurity::Starttls,
        SmtpSecurity::Tls,
        SmtpSecurity::None,
    ]
    .into_iter()
    .find(|x| security_name(*x) == s)
}
