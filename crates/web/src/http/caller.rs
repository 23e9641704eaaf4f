//! Who is asking: a browser session (cookie) or an API token (bearer), and
//! the checks that come with each: a session's state-changing requests carry
//! its CSRF token and come from this site. Handlers get an account id only
//! through these extractors, so no handler can act for nobody.

use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use kith_app::types::TokenKind;
use kith_core::AccountId;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "kith_session";
/// The header a script using a session (the pages' own JS) sends its CSRF
/// token in; forms send it as the `csrf` field.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// A caller of the JSON API: a bearer token, or a browser session (whose
/// state-changing requests must carry the CSRF header).
pub(crate) struct ApiCaller {
    pub account: AccountId,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let unauthenticated = || {
            Problem::new(
                Code::Unauthenticated,
                "send Authorization: Bearer TOKEN (kith token create) or sign in",
            )
        };
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(unauthenticated)?;
            let account = state
                .auth
                .token_account(token, TokenKind::Api)
                .await
                .map_err(Problem::from)?
                .ok_or_else(unauthenticated)?;
            return Ok(ApiCaller { account });
        }
        let session = session_of(parts, state)
            .await?
            .ok_or_else(unauthenticated)?;
        if !is_safe(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !same_site(parts) || !constant_time_eq(sent, &session.csrf) {
                return Err(Problem::new(
                    Code::CsrfFailed,
                    format!(
                        "a signed-in browser must send the {CSRF_HEADER} header from kith's own pages"
                    ),
                ));
            }
        }
        Ok(ApiCaller {
            account: session.account,
        })
    }
}

/// A form that carries nothing but the session's token.
#[derive(serde::Deserialize)]
pub(crate) struct CsrfForm {
    pub csrf: String,
}

/// A form that carries the session's token in its `csrf` field.
pub(crate) trait HasCsrf {
    fn csrf(&self) -> &str;
}

/// Says which form structs carry the session's token (`csrf`).
macro_rules! has_csrf {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::http::caller::HasCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use has_csrf;

has_csrf!(CsrfForm);

/// A signed-in browser's form, checked before the handler runs: the
/// session (else the sign-in page), then the form, then its token and
/// that it came from this site.
pub(crate) struct SignedForm<T>(pub PageCaller, pub T);

impl<T: serde::de::DeserializeOwned + HasCsrf> axum::extract::FromRequest<AppState>
    for SignedForm<T>
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let caller = PageCaller::from_request_parts(&mut parts, state).await?;
        let same_site = same_site(&parts);
        let req = axum::extract::Request::from_parts(parts, body);
        let axum::Form(form) = axum::Form::<T>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        caller
            .check_form(same_site, form.csrf())
            .map_err(IntoResponse::into_response)?;
        Ok(SignedForm(caller, form))
    }
}

/// A signed-in browser on the pages; others are sent to the sign-in page.
pub(crate) struct PageCaller {
    pub account: AccountId,
    pub name: String,
    /// The session's form token, for the forms on the page.
    pub csrf: String,
}

impl PageCaller {
    /// Checks a submitted form's token and that it came from this site.
    pub(crate) fn check_form(&self, same_site: bool, submitted: &str) -> Result<(), Problem> {
        if same_site && constant_time_eq(submitted, &self.csrf) {
            Ok(())
        } else {
            Err(Problem::new(
                Code::CsrfFailed,
                "this form is out of date or came from another site: reload the page and try again",
            ))
        }
    }
}

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = session_of(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Some(session) = session else {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = format!("/login?next={}", crate::http::encode::url_encode(next));
            return Err(Redirect::to(&target).into_response());
        };
        let name = state
            .auth
            .account_name(session.account)
            .await
            .map_err(|e| Problem::from(e).into_response())?
            .unwrap_or_default();
        Ok(PageCaller {
            account: session.account,
            name,
            csrf: session.csrf,
        })
    }
}

/// What a handler needs to know of the request's origin.
pub(crate) struct RequestParts {
    pub same_site: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestParts {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestParts {
            same_site: same_site(parts),
        })
    }
}

/// Whether the request's Origin (or, without one, Sec-Fetch-Site) says it
/// comes from this site. Requests from tools that send neither pass: they
/// are not a browser's cross-site request.
pub(crate) fn same_site(parts: &Parts) -> bool {
    if let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        return !host.is_empty() && origin_host == host;
    }
    match parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        Some(site) => site == "same-origin" || site == "none",
        None => true,
    }
}

async fn session_of(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<kith_app::types::Session>, Problem> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(None);
    };
    state
        .auth
        .session(cookie.value())
        .await
        .map_err(Problem::from)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The client's address: the peer's, or, when the peer is a trusted proxy,
/// the nearest address in `X-Forwarded-For` that is not one (the header's
/// left end is whatever the client chose to write, so it is read from the
/// right).
pub(crate) fn client_address(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |a: &std::net::IpAddr| trusted.iter().any(|n| n.contains(a));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(a) if is_trusted(&a) => continue,
            Ok(a) => return a,
            // Garbage in the chain: trust nothing before it.
            Err(_) => return peer,
        }
    }
    peer
}

/// Compares two secrets without an early exit on the first difference.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
