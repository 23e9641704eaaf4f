//! The settings page: change the password, create and revoke API tokens and
//! device passwords (a secret is shown once), the default phone region,
//! your own email addresses, sign out everywhere.

use crate::http::caller::SignedForm;
use crate::http::caller::{CsrfForm, PageCaller};
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::AppError;
use kith_app::auth::LoginRefused;
use kith_app::digest::DigestEvery;
use kith_app::types::{TokenInfo, TokenKind};
use serde::Deserialize;
use std::net::SocketAddr;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(settings_page))
        .route("/settings/password", post(change_password))
        .route("/settings/tokens", post(create_token))
        .route("/settings/tokens/{id}/revoke", post(revoke_token))
        .route("/settings/region", post(set_region))
        .route("/settings/emails", post(my_emails))
        .route("/settings/digest", post(digest_settings))
        .route("/settings/digest/send", post(send_digest))
        .route("/settings/mail", post(mail_settings))
}

struct TokenRow {
    id: String,
    name: String,
    kind: &'static str,
    last_used: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
struct SettingsPage {
    user: String,
    csrf: String,
    tokens: Vec<TokenRow>,
    /// The account's own phone region (empty: the server's default).
    region: String,
    /// The server's default region, shown as the fallback.
    default_region: String,
    /// The owner's own addresses (they tell kith which mail they sent).
    my_emails: Vec<String>,
    /// `off`, `daily` or `weekly`.
    digest_every: &'static str,
    /// The address chosen for the digest (empty: the first of the owner's).
    digest_to: String,
    /// Where it goes now (empty: nowhere yet).
    digest_address: String,
    /// The server can send mail (set up here or in kith.toml).
    can_mail: bool,
    /// Administrators see and change the server's mail settings.
    admin: bool,
    mail: MailForm,
    /// Where the mail settings in use come from: `page`, `file` or `none`.
    mail_source: &'static str,
    /// A secret just created, shown once.
    new_secret: Option<String>,
    message: Option<String>,
    error: Option<String>,
}

fn rows(tokens: Vec<TokenInfo>) -> Vec<TokenRow> {
    tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name,
            kind: if t.kind == "dav" {
                "device password"
            } else {
                "API token"
            },
            last_used: match t.last_used_at {
                Some(_) => "used".into(),
                None => "never used".into(),
            },
        })
        .collect()
}

async fn page(
    state: &AppState,
    caller: PageCaller,
    new_secret: Option<String>,
    message: Option<String>,
    error: Option<String>,
) -> Result<SettingsPage, Problem> {
    let tokens = state.auth.tokens(caller.account).await?;
    let region = state.app(caller.account).account_phone_region().await?;
    let app = state.app(caller.account);
    let my_emails = app.my_emails().await?;
    let digest = app.digest_settings().await?;
    let digest_address = app.digest_address().await?.unwrap_or_default();
    let admin = state.auth.is_admin(caller.account).await?;
    let saved = if admin {
        kith_app::mail_settings::load(&state.store).await?
    } else {
        None
    };
    let mail_source = match (&saved, &state.config.mailer) {
        (Some(_), _) => "page",
        (None, Some(_)) => "file",
        (None, None) => "none",
    };
    let mail = saved.map(|m| MailForm {
        csrf: String::new(),
        action: String::new(),
        host: m.host,
        port: m.port.map(|p| p.to_string()).unwrap_or_default(),
        security: kith_app::mail_settings::security_name(m.security).to_string(),
        username: m.username.unwrap_or_default(),
        password: if m.password.is_some() {
            "(kept)".into()
        } else {
            String::new()
        },
        from: m.from,
    });
    Ok(SettingsPage {
        admin,
        mail: mail.unwrap_or_default(),
        mail_source,
        digest_every: digest.every.as_str(),
        digest_to: digest.to.unwrap_or_default(),
        digest_address,
        can_mail: state.can_mail(),
        user: caller.name,
        csrf: caller.csrf,
        tokens: rows(tokens),
        region: region.map(kith_app::region_code).unwrap_or_default(),
        default_region: kith_app::region_code(state.settings.default_region),
        my_emails,
        new_secret,
        message,
        error,
    })
}

async fn settings_page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<SettingsPage, Problem> {
    page(&state, caller, None, None, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
}

async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    SignedForm(caller, form): SignedForm<PasswordForm>,
) -> Result<Response, Problem> {
    let address =
        crate::http::caller::client_address(peer.ip(), &headers, &state.config.trusted_proxies);
    // The current password is checked like a sign-in (and throttled alike).
    let check = state
        .auth
        .login(&caller.name, &form.current, address)
        .await?;
    let refused = match check {
        Ok(session) => {
            state.auth.logout(&session.secret).await?;
            None
        }
        Err(LoginRefused::Wrong) => Some("The current password is not right.".to_string()),
        Err(LoginRefused::Throttled { .. }) => {
            Some("Too many failed attempts: try again later.".to_string())
        }
    };
    if let Some(error) = refused {
        let page = page(&state, caller, None, None, Some(error)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match state.auth.set_password(&caller.name, &form.new).await {
        // Every session ends with a new password, this one too.
        Ok(()) => Ok(Redirect::to("/login?next=/settings").into_response()),
        Err(AppError::Invalid(message)) => {
            let page = page(&state, caller, None, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    csrf: String,
    name: String,
    kind: String,
}

async fn create_token(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<TokenForm>,
) -> Result<Response, Problem> {
    let kind = match form.kind.as_str() {
        "dav" => TokenKind::Dav,
        "api" => TokenKind::Api,
        _ => return Err(Problem::new(Code::InvalidValue, "kind must be api or dav")),
    };
    match state
        .auth
        .create_token(caller.account, kind, &form.name)
        .await
    {
        Ok((_, secret)) => {
            let message = "Copy it now: it is shown only this once.".to_string();
            Ok(page(&state, caller, Some(secret), Some(message), None)
                .await?
                .into_response())
        }
        Err(AppError::Invalid(message)) => {
            let page = page(&state, caller, None, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let not_found = || Problem::new(Code::NotFound, "no such token");
    let id: uuid::Uuid = id.parse().map_err(|_| not_found())?;
    if !state.auth.revoke_token(caller.account, id).await? {
        return Err(not_found());
    }
    Ok(
        super::flash::Flash::new("Revoked: it no longer opens anything.")
            .redirect(&caller, "/settings"),
    )
}

#[derive(Deserialize)]
struct RegionForm {
    csrf: String,
    region: String,
}

async fn set_region(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<RegionForm>,
) -> Result<Response, Problem> {
    match state
        .app(caller.account)
        .set_phone_region(&form.region)
        .await
    {
        Ok(()) => {
            let message =
                "Phone region saved: it applies to numbers added or imported from now on.";
            Ok(page(&state, caller, None, Some(message.to_string()), None)
                .await?
                .into_response())
        }
        Err(AppError::Invalid(message)) => {
            let page = page(&state, caller, None, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct EmailForm {
    csrf: String,
    email: String,
    /// `add` or `remove`.
    action: String,
}

async fn my_emails(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<EmailForm>,
) -> Result<Response, Problem> {
    let app = state.app(caller.account);
    let done = match form.action.as_str() {
        "remove" => app.remove_my_email(&form.email).await,
        _ => app.add_my_email(&form.email).await,
    };
    match done {
        Ok(_) => {
            Ok(super::flash::Flash::new("Saved your addresses.")
                .redirect(&caller, "/settings#emails"))
        }
        Err(AppError::Invalid(message)) => {
            let page = page(&state, caller, None, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct DigestForm {
    csrf: String,
    every: String,
    #[serde(default)]
    to: String,
}

async fn digest_settings(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<DigestForm>,
) -> Result<Response, Problem> {
    let every = DigestEvery::parse(&form.every).ok_or_else(|| {
        Problem::new(
            Code::InvalidValue,
            format!("{:?}: choose off, daily or weekly", form.every),
        )
    })?;
    match state
        .app(caller.account)
        .set_digest_settings(Some(every), Some(&form.to))
        .await
    {
        Ok(_) => Ok(super::flash::Flash::new("Saved the digest settings.")
            .redirect(&caller, "/settings#digest")),
        Err(AppError::Invalid(message)) => {
            let page = page(&state, caller, None, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn send_digest(
    State(state): State<AppState>,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let Some(mailer) = state.mailer() else {
        let message = "this server cannot send email yet".to_string();
        let page = page(&state, caller, None, None, Some(message)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let sent = state
        .app(caller.account)
        .send_digest(&mailer, &state.config.public_url, None)
        .await;
    let (status, message, error) = match sent {
        Ok(Some(d)) => (
            StatusCode::OK,
            Some(format!("Digest sent to {}.", d.to)),
            None,
        ),
        Ok(None) => (
            StatusCode::OK,
            Some("Nothing to report now: no digest sent.".to_string()),
            None,
        ),
        Err(e @ (AppError::Invalid(_) | AppError::Mail(_))) => {
            (StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string()))
        }
        Err(e) => return Err(e.into()),
    };
    let page = page(&state, caller, None, message, error).await?;
    Ok((status, page).into_response())
}

/// The mail settings form (also what the page shows: never a password).
#[derive(Deserialize, Default)]
struct MailForm {
    csrf: String,
    /// `save`, `test` or `remove`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    security: String,
    #[serde(default)]
    username: String,
    /// Empty: keep the saved one. On the page: "(kept)" when one is saved.
    #[serde(default)]
    password: String,
    #[serde(default)]
    from: String,
}

impl MailForm {
    fn settings(&self) -> Result<kith_app::mail_settings::MailSettings, String> {
        let port = match self.port.trim() {
            "" => None,
            p => Some(
                p.parse::<u16>()
                    .map_err(|_| format!("port {p:?}: give a number such as 587"))?,
            ),
        };
        let security = kith_app::mail_settings::parse_security(self.security.trim())
            .ok_or_else(|| format!("security {:?}: starttls, tls or none", self.security))?;
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(kith_app::mail_settings::MailSettings {
            host: self.host.trim().to_string(),
            port,
            security,
            username: text(&self.username),
            password: Some(self.password.clone()).filter(|p| !p.is_empty() && p != "(kept)"),
            from: self.from.trim().to_string(),
        })
    }
}

/// The server's mail, set by an administrator: save, send a test message,
/// or remove (back to kith.toml's, if any).
async fn mail_settings(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<MailForm>,
) -> Result<Response, Problem> {
    use super::flash::Flash;
    let back = "/settings#mail";
    let outcome = match form.action.as_str() {
        "remove" => kith_app::mail_settings::save(&state.store, caller.account, None)
            .await
            .map(|m| {
                state.use_page_mailer(m);
                "The mail settings are removed.".to_string()
            }),
        "test" => {
            let app = state.app(caller.account);
            let to = app.digest_address().await?;
            match (state.mailer(), to) {
                (None, _) => Err(AppError::Invalid("save the mail settings first".into())),
                (_, None) => Err(AppError::Invalid(
                    "add one of your email addresses first: the test message goes to it".into(),
                )),
                (Some(mailer), Some(to)) => mailer
                    .send(
                        &to,
                        "kith: a test message",
                        "This server can send mail.".into(),
                        "<p>This server can send mail.</p>".into(),
                    )
                    .await
                    .map(|()| format!("A test message went to {to}.")),
            }
        }
        _ => match form.settings() {
            Err(message) => Err(AppError::Invalid(message)),
            Ok(settings) => {
                kith_app::mail_settings::save(&state.store, caller.account, Some(settings))
                    .await
                    .map(|m| {
                        state.use_page_mailer(m);
                        "Saved: this server sends mail with these settings.".to_string()
                    })
            }
        },
    };
    match outcome {
        Ok(done) => Ok(Flash::new(done).redirect(&caller, back)),
        Err(e @ (AppError::Invalid(_) | AppError::Mail(_))) => {
            Ok(Flash::error(e.to_string()).redirect(&caller, back))
        }
        Err(e) => Err(e.into()),
    }
}

crate::http::caller::has_csrf!(
    DigestForm,
    EmailForm,
    MailForm,
    PasswordForm,
    RegionForm,
    TokenForm
);
