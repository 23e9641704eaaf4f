//! The CardDAV setup page: the server address, the user name and a device
//! password for each client (iOS and macOS Contacts, DAVx5, Thunderbird,
//! vdirsyncer and khard), with a QR code that DAVx5 opens to set itself up.

use crate::http::caller::PageCaller;
use crate::http::caller::SignedForm;
use crate::http::problem::Problem;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kith_app::AppError;
use kith_app::types::TokenKind;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/settings/carddav", get(setup_page).post(new_password))
}

#[derive(Template, WebTemplate)]
#[template(path = "carddav.html")]
struct SetupPage {
    user: String,
    csrf: String,
    /// `https://kith.example.org/`
    server: String,
    /// `https://kith.example.org/dav/alice/contacts/`
    book: String,
    /// A device password just made, shown once.
    password: Option<String>,
    /// The QR code (SVG) of the DAVx5 setup link, with that password.
    qr: Option<String>,
    error: Option<String>,
}

fn page(
    state: &AppState,
    caller: PageCaller,
    password: Option<String>,
    error: Option<String>,
) -> SetupPage {
    let server = format!("{}/", state.config.public_url.trim_end_matches('/'));
    let book = format!("{server}dav/{}/contacts/", caller.name);
    let qr = password
        .as_deref()
        .and_then(|p| crate::http::qr::qr_svg(&davx5_link(&server, &caller.name, p), 220));
    SetupPage {
        user: caller.name,
        csrf: caller.csrf,
        server,
        book,
        password,
        qr,
        error,
    }
}

/// The link DAVx5 opens to set an account up: `carddavs://` (or
/// `carddav://` for plain http), the user and password, the server.
pub(super) fn davx5_link(server: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = match server.split_once("://") {
        Some(("https", rest)) => ("carddavs", rest),
        Some((_, rest)) => ("carddav", rest),
        None => ("carddavs", server),
    };
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!("{scheme}://{}:{}@{rest}", enc(user), enc(password))
}

async fn setup_page(State(state): State<AppState>, caller: PageCaller) -> SetupPage {
    page(&state, caller, None, None)
}

#[derive(Deserialize)]
struct NewPassword {
    csrf: String,
    name: String,
}

async fn new_password(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<NewPassword>,
) -> Result<Response, Problem> {
    match state
        .auth
        .create_token(caller.account, TokenKind::Dav, &form.name)
        .await
    {
        Ok((_, secret)) => Ok(page(&state, caller, Some(secret), None).into_response()),
        Err(AppError::Invalid(message)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, caller, None, Some(message)),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_davx5_link() {
        assert_eq!(
            davx5_link("https://kith.example.org/", "ada", "kith_a+b/c"),
            "carddavs://ada:kith%5Fa%2Bb%2Fc@kith.example.org/"
        );
        assert_eq!(
            davx5_link("http://127.0.0.1:7878/", "ada", "x"),
            "carddav://ada:x@127.0.0.1:7878/"
        );
        let svg = crate::http::qr::qr_svg("carddav://ada:x@127.0.0.1:7878/", 220).unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}

crate::http::caller::has_csrf!(NewPassword);
