//! Setting up the first account, signing in and out.

use crate::http::caller::RequestParts;
use crate::http::caller::SignedForm;
use crate::http::caller::{SESSION_COOKIE, client_address};
use crate::http::encode::local_path;
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use kith_app::auth::{LoginRefused, NewSession, SetupRefused};
use serde::Deserialize;
use std::net::SocketAddr;

/// The sign-in, setup and sign-out forms are a few short fields: their
/// bodies, read before anyone is signed in, stop here.
const SMALL_FORM: usize = 16 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    // Refused from the announced length, before a byte is read.
    let small = || tower_http::limit::RequestBodyLimitLayer::new(SMALL_FORM);
    Router::new()
        .route("/setup", get(setup_page).post(setup_submit).layer(small()))
        .route("/login", get(login_page).post(login_submit).layer(small()))
        .route("/setup/local", post(local_setup).layer(small()))
        .route("/logout", post(logout).layer(small()))
}

fn session_cookie(session: &NewSession, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, session.secret.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_max_age())
        .build()
}

fn time_max_age() -> cookie::time::Duration {
    cookie::time::Duration::seconds(kith_app::auth::SESSION_LIFETIME.as_secs() as i64)
}

/// Whether cookies must be Secure: configured, or the proxy says https.
fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    token: String,
    name: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn setup_page(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, Problem> {
    let token = q.token.unwrap_or_default();
    if !state.auth.setup_secret_valid(&token).await? {
        return Err(Problem::new(
            Code::NotFound,
            "this setup link is not valid (any more): sign in, or ask whoever runs this server for a new link",
        ));
    }
    Ok(SetupPage {
        token,
        name: String::new(),
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
struct SetupForm {
    token: String,
    name: String,
    password: String,
}

async fn setup_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    parts: RequestParts,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SetupForm>,
) -> Result<Response, Problem> {
    if !parts.same_site {
        return Err(cross_site_form());
    }
    let address = client_address(peer.ip(), &headers, &state.config.trusted_proxies);
    let outcome = state
        .auth
        .complete_setup(&form.token, form.name.trim(), &form.password, address)
        .await;
    match outcome {
        Ok(Ok(session)) => {
            let jar = jar.add(session_cookie(&session, secure(&state, &headers)));
            // Home: the getting-started list says what to do first.
            Ok((jar, Redirect::to("/")).into_response())
        }
        Ok(Err(SetupRefused::LinkInvalid)) => Err(Problem::new(
            Code::NotFound,
            "this setup link is not valid (any more): sign in, or ask whoever runs this server for a new link",
        )),
        Ok(Err(SetupRefused::Throttled { retry_after })) => Err(Problem::new(
            Code::TooManyRequests,
            format!(
                "too many wrong setup links from this address: try again in {} minutes",
                retry_after.as_secs().div_ceil(60)
            ),
        )),
        Err(e @ kith_app::AppError::Invalid(_)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            SetupPage {
                token: form.token,
                name: form.name,
                error: Some(e.to_string()),
            },
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// A sign-in or setup form posted from another site (login CSRF: signing
/// the victim into the attacker's account).
fn cross_site_form() -> Problem {
    Problem::new(
        Code::CsrfFailed,
        "this form came from another site: open kith's own sign-in page and try again",
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    name: String,
    error: Option<String>,
    /// No account can sign in yet: say how to make the first one.
    first_run: FirstRun,
}

/// What the sign-in page says about setting the server up.
#[derive(PartialEq)]
enum FirstRun {
    /// An account can sign in: nothing.
    Done,
    /// No account yet, and the browser is on the server's own machine:
    /// a button that opens a fresh setup link.
    Here,
    /// No account yet, seen from elsewhere: where the link is.
    Elsewhere,
}

/// Whether a request comes straight from the server's own machine: a
/// loopback peer, addressed by a loopback name, with no proxy's headers (a
/// proxy on the same machine would make everyone look local).
fn from_this_machine(peer: std::net::IpAddr, headers: &HeaderMap) -> bool {
    let proxied = [
        "x-forwarded-for",
        "forwarded",
        "x-real-ip",
        "x-forwarded-host",
    ]
    .iter()
    .any(|h| headers.contains_key(*h));
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    let loopback_name = name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback());
    peer.is_loopback() && !proxied && loopback_name
}

async fn first_run(
    state: &AppState,
    peer: std::net::IpAddr,
    headers: &HeaderMap,
) -> Result<FirstRun, Problem> {
    if state.auth.any_account_can_sign_in().await? {
        return Ok(FirstRun::Done);
    }
    Ok(if from_this_machine(peer, headers) {
        FirstRun::Here
    } else {
        FirstRun::Elsewhere
    })
}

/// The sign-in page's "set up this server" button, for a browser on the
/// server's own machine while no account can sign in: a fresh setup link.
async fn local_setup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    parts: RequestParts,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    if !parts.same_site {
        return Err(cross_site_form());
    }
    if !from_this_machine(peer.ip(), &headers) {
        return Err(Problem::new(
            Code::NotFound,
            "only a browser on the server's own machine can open setup this way: use the setup link kith printed when it started",
        ));
    }
    match state.auth.setup_secret().await? {
        Some(secret) => Ok(Redirect::to(&format!("/setup?token={secret}")).into_response()),
        None => Ok(Redirect::to("/login").into_response()),
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// The sign-in form; while the database cannot be reached, the outage
/// page instead (a password typed now could not be checked).
async fn login_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<LoginPage, Problem> {
    state
        .store
        .schema_status()
        .await
        .map_err(|e| Problem::from(kith_app::AppError::from(e)))?;
    Ok(LoginPage {
        first_run: first_run(&state, peer.ip(), &headers).await?,
        next: local_path(q.next.as_deref().unwrap_or_default())
            .unwrap_or("/people")
            .to_string(),
        name: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    parts: RequestParts,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, Problem> {
    if !parts.same_site {
        return Err(cross_site_form());
    }
    let next = local_path(form.next.as_deref().unwrap_or_default())
        .unwrap_or("/people")
        .to_string();
    let address = client_address(peer.ip(), &headers, &state.config.trusted_proxies);
    let outcome = state
        .auth
        .login(form.name.trim(), &form.password, address)
        .await?;
    let (status, message) = match outcome {
        Ok(session) => {
            let jar = jar.add(session_cookie(&session, secure(&state, &headers)));
            return Ok((jar, Redirect::to(&next)).into_response());
        }
        Err(LoginRefused::Wrong) => (
            StatusCode::UNAUTHORIZED,
            "Wrong account name or password.".to_string(),
        ),
        Err(LoginRefused::Throttled { retry_after }) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed attempts: try again in {} minutes.",
                retry_after.as_secs().div_ceil(60)
            ),
        ),
    };
    Ok((
        status,
        LoginPage {
            next,
            name: form.name,
            error: Some(message),
            first_run: FirstRun::Done,
        },
    )
        .into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
    /// Sign out of every browser, not only this one.
    everywhere: Option<String>,
}

async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    SignedForm(caller, form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let result = if form.everywhere.is_some() {
        state.auth.logout_everywhere(caller.account).await
    } else {
        match jar.get(SESSION_COOKIE) {
            Some(c) => state.auth.logout(c.value()).await,
            None => Ok(()),
        }
    };
    result?;
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

crate::http::caller::has_csrf!(CsrfForm);
