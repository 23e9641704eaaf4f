//! Sending mail over SMTP (lettre, rustls; no OpenSSL): the `[smtp]`
//! configuration of kith.toml and a mailer that sends one message with a
//! text and an HTML part (and, for mail sent on a member's behalf, a
//! Reply-To, a one-click unsubscribe and a vCard attachment).

use crate::{AppError, Result};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// How the connection to the SMTP server is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a server on this machine (port 25).
    None,
}

/// kith.toml `[smtp]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 587 for starttls, 465 for tls, 25 for none.
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// The password, or better `password_file` (or `KITH_SMTP_PASSWORD`).
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    /// The sender, e.g. `kith <kith@example.org>`.
    pub from: String,
    /// Give up on a silent server after this long (default 30 s).
    pub timeout_seconds: Option<u64>,
}

/// Sends messages through one SMTP server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Messages the SMTP server took, and those it did not (metrics).
    sent: std::sync::atomic::AtomicU64,
    failed: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer({})", self.from)
    }
}

fn config_err(message: String) -> AppError {
    AppError::Invalid(format!("[smtp] in kith.toml: {message}"))
}

impl Mailer {
    /// Messages sent and messages the SMTP server did not take, since start.
    pub fn counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.sent.load(Relaxed), self.failed.load(Relaxed))
    }

    /// A mailer for `config`; the password comes from `password`, else
    /// `password_file`, else `env_password` (`KITH_SMTP_PASSWORD`).
    pub fn new(config: &SmtpConfig, env_password: Option<String>) -> Result<Mailer> {
        let from: Mailbox = config.from.parse().map_err(|e| {
            config_err(format!(
                "from = {:?} is not an address ({e}); write e.g. \"kith <kith@example.org>\"",
                config.from
            ))
        })?;
        let password = match (&config.password, &config.password_file) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(file)) => Some(
                std::fs::read_to_string(file)
                    .map_err(|e| config_err(format!("password_file {}: {e}", file.display())))?
                    .trim_end_matches(['\r', '\n'])
                    .to_string(),
            ),
            (None, None) => env_password,
        };
        let host = config.host.trim();
        if host.is_empty() {
            return Err(config_err("host is empty".into()));
        }
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1");
        if config.security == SmtpSecurity::None && !loopback && config.username.is_some() {
            return Err(config_err(format!(
                "security = \"none\" would send the password to {host} unencrypted: use starttls or tls"
            )));
        }
        let tls_err = |e: lettre::transport::smtp::Error| config_err(format!("{host}: {e}"));
        let mut builder = match config.security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(tls_err)?
            }
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(tls_err)?
            }
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).tls(Tls::None)
            }
        };
        if let Some(port) = config.port {
            builder = builder.port(port);
        }
        match (&config.username, password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.clone(), password));
            }
            (Some(user), None) => {
                return Err(config_err(format!(
                    "username {user:?} has no password: set password_file (or KITH_SMTP_PASSWORD)"
                )));
            }
            (None, _) => {}
        }
        let timeout = Duration::from_secs(config.timeout_seconds.unwrap_or(30).max(1));
        Ok(Mailer {
            transport: builder.timeout(Some(timeout)).build(),
            from,
            sent: Default::default(),
            failed: Default::default(),
        })
    }

    /// Sends one message with a text and an HTML part.
    pub async fn send(&self, to: &str, subject: &str, text: String, html: String) -> Result<()> {
        self.send_with(to, subject, text, html, &Extras::default())
            .await
    }

    /// Sends one message with a text and an HTML part, and `extras`.
    pub async fn send_with(
        &self,
        to: &str,
        subject: &str,
        text: String,
        html: String,
        extras: &Extras,
    ) -> Result<()> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| AppError::Invalid(format!("{to:?} is not an email address ({e})")))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to.clone())
            .subject(subject)
            .message_id(None);
        if let Some(reply) = &extras.reply_to {
            let reply: Mailbox = reply.parse().map_err(|e| {
                AppError::Invalid(format!("{reply:?} is not an email address ({e})"))
            })?;
            builder = builder.reply_to(reply);
        }
        if let Some(url) = &extras.unsubscribe {
            // RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe.
            for (name, value) in [
                ("List-Unsubscribe", format!("<{url}>")),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()),
            ] {
                let name = HeaderName::new_from_ascii_str(name);
                builder = builder.raw_header(HeaderValue::new(name, value));
            }
        }
        let body = MultiPart::alternative_plain_html(text, html);
        let body = match &extras.vcard {
            Some((file, card)) => MultiPart::mixed().multipart(body).singlepart(
                Attachment::new(file.clone()).body(
                    card.clone(),
                    ContentType::parse("text/vcard; charset=utf-8")
                        .map_err(|e| AppError::Invalid(format!("content type: {e}")))?,
                ),
            ),
            None => body,
        };
        let message = builder
            .multipart(body)
            .map_err(|e| AppError::Invalid(format!("the message cannot be built: {e}")))?;
        use std::sync::atomic::Ordering::Relaxed;
        match self.transport.send(message).await {
            Ok(_) => {
                self.sent.fetch_add(1, Relaxed);
                Ok(())
            }
            Err(e) => {
                self.failed.fetch_add(1, Relaxed);
                tracing::warn!(error = %e, "a mail was not sent");
                Err(AppError::Mail(format!("sending to {to} failed: {e}")))
            }
        }
    }
}

/// What a message sent on a member's behalf carries besides its text.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// Where answers go (the member's own address).
    pub reply_to: Option<String>,
    /// The link that unsubscribes the recipient (a List-Unsubscribe header).
    pub unsubscribe: Option<String>,
    /// A vCard to attach: its file name and text.
    pub vcard: Option<(String, String)>,
}
