//! CardDAV over HTTP (RFC 6352 on RFC 4918, sync-collection, getctag):
//! `/.well-known/carddav` redirects to `/dav/`; `/dav/{user}/` is both the
//! principal and the address-book home; `/dav/{user}/contacts/` is the
//! account's one address book, whose cards are its people. Every request
//! authenticates with HTTP Basic (the account name and a device password);
//! another account's URLs answer 404. The XML is dav-proto's; the cards are
//! kith-app's.

// The errors of the helpers below are finished HTTP answers, made at most
// once per request: their size does not matter.
#![allow(clippy::result_large_err)]

use crate::state::AppState;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine;
use dav_proto::response::{privileges, resourcetype, supported_address_data, supported_reports};
use dav_proto::{
    CARDDAV, CS, DAV, Multistatus, PropFind, PropName, Report, ReportProps, Value, error_body,
};
use kith_app::App;
use kith_app::carddav::{BookLabel, CardBody, DavError};
use kith_app::types::VcardVersion as Version;
use kith_app::types::{DEFAULT_BOOK, DavBook};
use kith_app::types::{TokenKind, TokenOwner};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

mod card;
mod mkcol;
mod propfind;
mod proppatch;
mod report;

use card::card;
use mkcol::mkcol;
use propfind::{book_propfind, principal, root, root_at};
use proppatch::book_proppatch;
use report::book_report;

/// What stays unencoded in hrefs: unreserved characters, `@` and `:`.
const HREF_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@')
    .remove(b':');

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/carddav", any(well_known))
        .route("/dav", any(dav))
        .route("/dav/", any(dav))
        .route("/dav/{*rest}", any(dav))
        // The fastest level: most of the saving for a fraction of the CPU.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest),
        )
}

/// Discovery (RFC 6764): a permanent redirect, which clients follow with
/// the same method.
async fn well_known() -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/dav/")]).into_response()
}

/// A card's largest body (a vCard with photos; the importer's cap too).
const MAX_CARD_BODY: usize = 16 * 1024 * 1024;
/// A request's XML: a multiget of 5,000 hrefs is about 400 KB.
const MAX_XML_BODY: usize = 4 * 1024 * 1024;

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            "Basic realm=\"kith CardDAV\", charset=\"UTF-8\"",
        )],
        "Sign in with your account name and a device password (kith token create --dav).\n",
    )
        .into_response()
}

/// The name and password of a Basic header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (name, password) = decoded.split_once(':')?;
    Some((name.to_string(), password.to_string()))
}

/// The account a Basic header proves: its name and one of its device
/// passwords. None when it proves none; an error when the store could not
/// say (a correct password must never be told it is wrong).
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> kith_app::Result<Option<TokenOwner>> {
    let Some((name, password)) = basic_credentials(headers) else {
        return Ok(None);
    };
    let owner = state.auth.token_owner(&password, TokenKind::Dav).await?;
    Ok(owner.filter(|o| o.name == name))
}

/// One request, with who is asking.
struct Request {
    app: App,
    user: String,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
    /// The address book the URL names (the default one elsewhere).
    book: String,
}

impl Request {
    /// The request of the account its Basic credentials prove, else the
    /// answer that asks for them.
    /// The body is read only once the caller is proved, and only up to
    /// what its method needs: a card for PUT, a request's XML otherwise.
    async fn authenticated(
        state: &AppState,
        method: Method,
        headers: HeaderMap,
        body: Body,
    ) -> Result<Request, Response> {
        let owner = match authenticate(state, &headers).await {
            Ok(Some(found)) => found,
            Ok(None) => return Err(unauthorized()),
            Err(e) => return Err(internal(e)),
        };
        let limit = if method == Method::PUT {
            MAX_CARD_BODY
        } else {
            MAX_XML_BODY
        }
        .min(state.config.max_body);
        let body = axum::body::to_bytes(body, limit).await.map_err(|_| {
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is larger than this server accepts here ({limit} bytes)\n"
                ),
            )
                .into_response()
        })?;
        Ok(Request {
            app: state
                .app(owner.account)
                .with_account_settings(&owner.settings),
            user: owner.name,
            method,
            headers,
            body,
            book: DEFAULT_BOOK.into(),
        })
    }

    fn principal(&self) -> String {
        format!("/dav/{}/", encode(&self.user))
    }

    fn book(&self) -> String {
        self.book_href(&self.book)
    }

    fn book_href(&self, name: &str) -> String {
        format!("{}{}/", self.principal(), encode(name))
    }

    fn card_href(&self, name: &str) -> String {
        format!("{}{}", self.book(), encode(name))
    }

    fn depth(&self) -> Result<u8, Response> {
        match self
            .headers
            .get("depth")
            .and_then(|d| d.to_str().ok())
            .map(str::trim)
        {
            Some("0") => Ok(0),
            // Missing means infinity (RFC 4918); read as 1, as clients mean it.
            Some("1") | None => Ok(1),
            _ => Err(error(
                StatusCode::FORBIDDEN,
                &PropName::dav("propfind-finite-depth"),
                None,
            )),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn encode(s: &str) -> String {
    utf8_percent_encode(s, HREF_SET).to_string()
}

fn error(status: StatusCode, precondition: &PropName, inner: Option<&str>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        error_body(precondition, inner),
    )
        .into_response()
}

fn multistatus(ms: Multistatus) -> Response {
    (
        StatusCode::MULTI_STATUS,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        ms.finish(),
    )
        .into_response()
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message + "\n",
    )
        .into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found\n").into_response()
}

fn internal(e: impl Into<kith_app::carddav::DavError>) -> Response {
    let e = e.into();
    if matches!(&e, kith_app::carddav::DavError::App(a) if a.is_unavailable()) {
        tracing::warn!(error = %e, "CardDAV: database unavailable: answered 503");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(
                header::RETRY_AFTER,
                crate::http::problem::RETRY_AFTER_OUTAGE.to_string(),
            )],
            "kith cannot reach its database just now; try again in a few seconds\n",
        )
            .into_response();
    }
    tracing::error!(error = %e, "CardDAV: internal error");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "kith could not complete this request; its log says why\n",
    )
        .into_response()
}

fn options() -> Response {
    (
        StatusCode::OK,
        [
            (header::HeaderName::from_static("dav"), "1, 3, addressbook"),
            (
                header::ALLOW,
                "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCOL",
            ),
        ],
    )
        .into_response()
}

/// `/` for methods other than GET: a client given the server's bare
/// address asks it, as the DAV root, for the principal.
pub(crate) async fn site_root(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match Request::authenticated(&state, method, headers, body).await {
        Ok(req) if req.method == Method::OPTIONS => options(),
        Ok(req) => root_at(&req, "/").await,
        Err(refused) => refused,
    }
}

async fn dav(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut req = match Request::authenticated(&state, method, headers, body).await {
        Ok(req) => req,
        Err(refused) => return refused,
    };
    let segments: Vec<String> = uri
        .path()
        .trim_start_matches("/dav")
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    if req.method == Method::OPTIONS {
        return options();
    }
    // Another account's URLs answer exactly like URLs that do not exist.
    let mine = segments.first().is_some_and(|u| *u == req.user);
    match segments.as_slice() {
        [] => root(&req).await,
        [_] if mine => principal(&req).await,
        [_, b, ..] if mine && segments.len() <= 3 => {
            req.book = b.clone();
            let exists = match req.app.dav_book_exists(b).await {
                Ok(found) => found,
                Err(e) => return internal(e),
            };
            match (segments.get(2), exists) {
                (None, false) if req.method.as_str() == "MKCOL" => mkcol(&req).await,
                (None, true) => book(&req).await,
                (Some(name), true) => card(&req, name).await,
                _ => not_found(),
            }
        }
        _ => not_found(),
    }
}

fn text_page(req: &Request) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "kith CardDAV for {}: add {} to your contacts app with your account name and a device password.\n",
            req.user,
            req.book()
        ),
    )
        .into_response()
}

fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(
            header::ALLOW,
            "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT",
        )],
        "Method not allowed here\n",
    )
        .into_response()
}

async fn book(req: &Request) -> Response {
    match req.method.as_str() {
        "PROPFIND" => book_propfind(req).await,
        "REPORT" => book_report(req).await,
        "PROPPATCH" => book_proppatch(req).await,
        "GET" | "HEAD" => text_page(req),
        "MKCOL" => (StatusCode::METHOD_NOT_ALLOWED, "The address book exists\n").into_response(),
        "DELETE" => match req.app.dav_remove_book(&req.book).await {
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(kith_app::AppError::Invalid(m)) => {
                (StatusCode::FORBIDDEN, m + "\n").into_response()
            }
            Err(e) => internal(e),
        },
        _ => method_not_allowed(),
    }
}
