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
use kith_core::AccountId;
use kith_formats::vcard::Version;
use kith_store::auth::TokenKind;
use kith_store::dav::{DEFAULT_BOOK, DavBook};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// What stays unencoded in hrefs: unreserved characters, `@` and `:`.
const HREF_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@')
    .remove(b':');

pub fn routes() -> Router<AppState> {
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

/// The account a Basic header proves: its name and one of its device passwords.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Option<(AccountId, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (name, password) = decoded.split_once(':')?;
    let account = state
        .auth
        .token_account(password, TokenKind::Dav)
        .await
        .ok()??;
    let found = state.store.account_by_id(account).await.ok()??;
    (found.name == name).then_some((account, found.name))
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
        let Some((account, user)) = authenticate(state, &headers).await else {
            return Err(unauthorized());
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
            app: state.app(account),
            user,
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

fn internal(e: impl std::fmt::Display) -> Response {
    eprintln!("kith serve: CardDAV: {e}");
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
pub async fn site_root(
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
            let exists = match req.app.dav_book(b).await {
                Ok(found) => found.is_some(),
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

/// Extended MKCOL (RFC 5689): a new address book.
async fn mkcol(req: &Request) -> Response {
    let mk = match dav_proto::parse_mkcol(&req.body) {
        Ok(m) => m,
        Err(e) => return bad_request(e.0),
    };
    if !req.body.is_empty() && !mk.addressbook {
        return error(
            StatusCode::FORBIDDEN,
            &PropName::dav("valid-resourcetype"),
            None,
        );
    }
    match req
        .app
        .dav_create_book(
            &req.book,
            mk.displayname.as_deref(),
            mk.description.as_deref(),
        )
        .await
    {
        Ok(true) => StatusCode::CREATED.into_response(),
        Ok(false) => (StatusCode::METHOD_NOT_ALLOWED, "The address book exists\n").into_response(),
        Err(kith_app::AppError::Invalid(m)) => (StatusCode::FORBIDDEN, m + "\n").into_response(),
        Err(e) => internal(e),
    }
}

/// Answers a PROPFIND on one resource and, at depth 1, its members.
fn propfind_answer(
    request: &PropFind,
    resources: Vec<(String, Vec<(PropName, Value)>)>,
) -> Response {
    let mut ms = Multistatus::new();
    for (href, props) in resources {
        match request {
            PropFind::AllProp => ms.response(&href, &props, &[]),
            PropFind::PropName => {
                let names: Vec<(PropName, Value)> =
                    props.into_iter().map(|(n, _)| (n, Value::Empty)).collect();
                ms.response(&href, &names, &[]);
            }
            PropFind::Prop(wanted) => {
                let mut found = Vec::new();
                let mut missing = Vec::new();
                for w in wanted {
                    match props.iter().find(|(n, _)| n == w) {
                        Some((n, v)) => found.push((n.clone(), v.clone())),
                        None => missing.push(w.clone()),
                    }
                }
                ms.response(&href, &found, &missing);
            }
        }
    }
    multistatus(ms)
}

fn parse_propfind(req: &Request) -> Result<PropFind, Response> {
    dav_proto::parse_propfind(&req.body).map_err(|e| bad_request(e.0))
}

fn collection_props(req: &Request, display: &str) -> Vec<(PropName, Value)> {
    vec![
        (
            PropName::dav("current-user-principal"),
            Value::Href(req.principal()),
        ),
        (PropName::dav("displayname"), Value::Text(display.into())),
    ]
}

async fn root(req: &Request) -> Response {
    root_at(req, "/dav/").await
}

async fn root_at(req: &Request, href: &str) -> Response {
    if req.method.as_str() != "PROPFIND" {
        return method_not_allowed();
    }
    let (request, depth) = match (parse_propfind(req), req.depth()) {
        (Ok(r), Ok(d)) => (r, d),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let mut props = collection_props(req, "kith");
    props.push((
        PropName::dav("resourcetype"),
        resourcetype(&[PropName::dav("collection")]),
    ));
    props.push((
        PropName::dav("principal-collection-set"),
        Value::Href("/dav/".into()),
    ));
    let mut resources = vec![(href.to_string(), props)];
    if depth == 1 {
        resources.push((req.principal(), principal_props(req)));
    }
    propfind_answer(&request, resources)
}

fn principal_props(req: &Request) -> Vec<(PropName, Value)> {
    let mut props = collection_props(req, &req.user);
    props.extend([
        (
            PropName::dav("resourcetype"),
            resourcetype(&[PropName::dav("collection"), PropName::dav("principal")]),
        ),
        (PropName::dav("principal-URL"), Value::Href(req.principal())),
        (
            PropName::carddav("addressbook-home-set"),
            Value::Href(req.principal()),
        ),
        (
            PropName::dav("principal-collection-set"),
            Value::Href("/dav/".into()),
        ),
        (
            PropName::dav("current-user-privilege-set"),
            privileges(&["read"]),
        ),
        (
            PropName::dav("supported-report-set"),
            supported_reports(&[]),
        ),
    ]);
    props
}

async fn principal(req: &Request) -> Response {
    match req.method.as_str() {
        "PROPFIND" => {}
        "GET" | "HEAD" => return text_page(req),
        _ => return method_not_allowed(),
    }
    let (request, depth) = match (parse_propfind(req), req.depth()) {
        (Ok(r), Ok(d)) => (r, d),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let mut resources = vec![(req.principal(), principal_props(req))];
    if depth == 1 {
        let books = match req.app.dav_books().await {
            Ok(b) => b,
            Err(e) => return internal(e),
        };
        for b in &books {
            match book_props(req, b).await {
                Ok(p) => resources.push((req.book_href(&b.name), p)),
                Err(e) => return internal(e),
            }
        }
    }
    propfind_answer(&request, resources)
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

async fn book_props(
    req: &Request,
    book: &DavBook,
) -> Result<Vec<(PropName, Value)>, kith_app::AppError> {
    let token = req.app.dav_token().await?;
    let name = book.displayname.clone().unwrap_or_else(|| {
        if book.name == DEFAULT_BOOK {
            "Contacts".into()
        } else {
            book.name.clone()
        }
    });
    let description = book.description.clone().unwrap_or_else(|| {
        if book.name == DEFAULT_BOOK {
            format!("{}'s people in kith", req.user)
        } else {
            String::new()
        }
    });
    let mut props = collection_props(req, &name);
    props.extend([
        (
            PropName::dav("resourcetype"),
            resourcetype(&[
                PropName::dav("collection"),
                PropName::carddav("addressbook"),
            ]),
        ),
        (PropName::dav("owner"), Value::Href(req.principal())),
        (
            PropName::dav("current-user-privilege-set"),
            privileges(&[
                "read",
                "write",
                "write-properties",
                "write-content",
                "bind",
                "unbind",
            ]),
        ),
        (
            PropName::dav("supported-report-set"),
            supported_reports(&[
                PropName::dav("sync-collection"),
                PropName::carddav("addressbook-multiget"),
                PropName::carddav("addressbook-query"),
            ]),
        ),
        (
            PropName::carddav("supported-address-data"),
            supported_address_data(&["3.0", "4.0"]),
        ),
        (
            PropName::carddav("max-resource-size"),
            Value::Text(kith_app::carddav::MAX_CARD_BYTES.to_string()),
        ),
        (
            PropName::carddav("addressbook-description"),
            Value::Text(description),
        ),
        (PropName::new(CS, "getctag"), Value::Text(token.clone())),
        (PropName::dav("sync-token"), Value::Text(token)),
    ]);
    Ok(props)
}

fn card_props(req: &Request, etag: &str) -> Vec<(PropName, Value)> {
    vec![
        (PropName::dav("resourcetype"), Value::Empty),
        (PropName::dav("getetag"), Value::Text(etag.to_string())),
        (
            PropName::dav("getcontenttype"),
            Value::Text("text/vcard; charset=utf-8".into()),
        ),
        (
            PropName::dav("current-user-principal"),
            Value::Href(req.principal()),
        ),
    ]
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

async fn book_propfind(req: &Request) -> Response {
    let (request, depth) = match (parse_propfind(req), req.depth()) {
        (Ok(r), Ok(d)) => (r, d),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let book = match req.app.dav_book(&req.book).await {
        Ok(Some(b)) => b,
        Ok(None) => return not_found(),
        Err(e) => return internal(e),
    };
    let props = match book_props(req, &book).await {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    let mut resources = vec![(req.book(), props)];
    if depth == 1 {
        let wants_data = matches!(&request, PropFind::Prop(w) if w.iter().any(|p| p.is(CARDDAV, "address-data")));
        let cards = match req.app.dav_list(&req.book).await {
            Ok(c) => c,
            Err(e) => return internal(e),
        };
        let bodies = if wants_data {
            let hrefs: Vec<String> = cards.iter().map(|c| c.href.clone()).collect();
            match req.app.dav_read(&req.book, &hrefs, None).await {
                Ok(b) => b
                    .into_iter()
                    .filter_map(|(_, b)| b)
                    .map(|b| (b.href.clone(), b))
                    .collect(),
                Err(e) => return internal(e),
            }
        } else {
            std::collections::HashMap::<String, CardBody>::new()
        };
        for c in cards {
            let mut props = card_props(req, &c.etag);
            if let Some(b) = bodies.get(&c.href) {
                props.push((
                    PropName::carddav("address-data"),
                    Value::Text(b.text.clone()),
                ));
            }
            resources.push((req.card_href(&c.href), props));
        }
    }
    propfind_answer(&request, resources)
}

fn wanted_version(props: &ReportProps) -> Result<Option<Version>, Response> {
    match props
        .address_data
        .as_ref()
        .and_then(|a| a.version.as_deref())
    {
        None => Ok(None),
        Some(v) => Version::parse(v).map(Some).ok_or_else(|| {
            error(
                StatusCode::FORBIDDEN,
                &PropName::carddav("supported-address-data-conversion"),
                None,
            )
        }),
    }
}

/// What a REPORT answers for each card, worked out once from what it asks
/// for: the properties every card has alike, whether the ETag and the
/// card's text are wanted, and the properties no card has.
struct CardAnswer {
    alike: Vec<(PropName, Value)>,
    etag: bool,
    data: bool,
    missing: Vec<PropName>,
}

impl CardAnswer {
    fn new(req: &Request, props: &ReportProps) -> CardAnswer {
        let getetag = PropName::dav("getetag");
        let all = card_props(req, "");
        let mut answer = CardAnswer {
            alike: Vec::new(),
            etag: false,
            data: props.address_data.is_some(),
            missing: Vec::new(),
        };
        for p in &props.props {
            if *p == getetag {
                answer.etag = true;
            } else {
                match all.iter().find(|(n, _)| n == p) {
                    Some(found) => answer.alike.push(found.clone()),
                    None => answer.missing.push(p.clone()),
                }
            }
        }
        answer
    }

    fn write(&self, ms: &mut Multistatus, req: &Request, body: &CardBody) {
        let mut found = Vec::with_capacity(self.alike.len() + 1);
        if self.etag {
            found.push((PropName::dav("getetag"), Value::Text(body.etag.clone())));
        }
        found.extend(self.alike.iter().cloned());
        let address_data = PropName::carddav("address-data");
        let data = self.data.then_some((&address_data, body.text.as_str()));
        ms.card(&req.card_href(&body.href), &found, data, &self.missing);
    }
}

/// Room for the answer of these cards (their text and the XML around it).
fn reserve_for<'a>(ms: &mut Multistatus, bodies: impl Iterator<Item = &'a CardBody>) {
    ms.reserve(bodies.map(|b| b.text.len() + b.text.len() / 16 + 400).sum());
}

/// The card name an href in a REPORT points at, if it is in this book.
fn card_name(req: &Request, href: &str) -> Option<String> {
    let path = match href.find("://") {
        Some(i) => {
            let rest = &href[i + 3..];
            &rest[rest.find('/')?..]
        }
        None => href,
    };
    let path = percent_decode_str(path).decode_utf8_lossy().into_owned();
    let book = percent_decode_str(&req.book())
        .decode_utf8_lossy()
        .into_owned();
    let name = path.strip_prefix(&book)?;
    (!name.is_empty() && !name.contains('/')).then(|| name.to_string())
}

async fn book_report(req: &Request) -> Response {
    let report = match dav_proto::parse_report(&req.body) {
        Ok(r) => r,
        Err(e) => return bad_request(e.0),
    };
    match report {
        Report::Multiget { props, hrefs } => {
            let version = match wanted_version(&props) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let names: Vec<Option<String>> = hrefs.iter().map(|h| card_name(req, h)).collect();
            let known: Vec<String> = names.iter().flatten().cloned().collect();
            let read = match req.app.dav_read(&req.book, &known, version).await {
                Ok(r) => r,
                Err(e) => return internal(e),
            };
            let bodies: std::collections::HashMap<String, CardBody> = read
                .into_iter()
                .filter_map(|(href, body)| Some((href, body?)))
                .collect();
            let answer = CardAnswer::new(req, &props);
            let mut ms = Multistatus::new();
            reserve_for(&mut ms, bodies.values());
            for (href, name) in hrefs.iter().zip(names) {
                match name.and_then(|n| bodies.get(&n)) {
                    Some(body) => answer.write(&mut ms, req, body),
                    None => ms.status(href, 404),
                }
            }
            multistatus(ms)
        }
        Report::Query {
            props,
            filter,
            limit,
        } => {
            let version = match wanted_version(&props) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let keep = |text: &str| filter.matches(text);
            let found = match req.app.dav_query(&req.book, &keep, version, limit).await {
                Ok(f) => f,
                Err(e) => return internal(e),
            };
            let answer = CardAnswer::new(req, &props);
            let mut ms = Multistatus::new();
            reserve_for(&mut ms, found.iter());
            for body in &found {
                answer.write(&mut ms, req, body);
            }
            multistatus(ms)
        }
        Report::SyncCollection { token, props, .. } => {
            let version = match wanted_version(&props) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let changes = match req.app.dav_changes(&req.book, &token).await {
                Ok(c) => c,
                Err(DavError::InvalidToken) => {
                    return error(
                        StatusCode::FORBIDDEN,
                        &PropName::dav("valid-sync-token"),
                        None,
                    );
                }
                Err(e) => return internal(e),
            };
            let answer = CardAnswer::new(req, &props);
            let mut ms = Multistatus::new();
            if props.address_data.is_some() {
                let hrefs: Vec<String> = changes.changed.iter().map(|c| c.href.clone()).collect();
                let read = match req.app.dav_read(&req.book, &hrefs, version).await {
                    Ok(r) => r,
                    Err(e) => return internal(e),
                };
                let bodies: Vec<CardBody> = read.into_iter().filter_map(|(_, b)| b).collect();
                reserve_for(&mut ms, bodies.iter());
                for body in &bodies {
                    answer.write(&mut ms, req, body);
                }
            } else {
                for c in &changes.changed {
                    let body = CardBody {
                        href: c.href.clone(),
                        etag: c.etag.clone(),
                        text: String::new(),
                    };
                    answer.write(&mut ms, req, &body);
                }
            }
            for href in &changes.removed {
                ms.status(&req.card_href(href), 404);
            }
            ms.sync_token(&changes.token);
            multistatus(ms)
        }
        // expand-property and the principal searches: an empty answer, as
        // web clients break on errors here.
        Report::Unsupported { .. } => multistatus(Multistatus::new()),
    }
}

async fn book_proppatch(req: &Request) -> Response {
    let patch = match dav_proto::parse_proppatch(&req.body) {
        Ok(p) => p,
        Err(e) => return bad_request(e.0),
    };
    let settable = |p: &PropName| {
        if p.is(DAV, "displayname") {
            Some(BookLabel::Name)
        } else if p.is(CARDDAV, "addressbook-description") {
            Some(BookLabel::Description)
        } else {
            None
        }
    };
    let all: Vec<PropName> = patch
        .set
        .iter()
        .map(|(p, _)| p.clone())
        .chain(patch.remove.iter().cloned())
        .collect();
    let refused: Vec<PropName> = all
        .iter()
        .filter(|p| settable(p).is_none())
        .cloned()
        .collect();
    let mut ms = Multistatus::new();
    if !refused.is_empty() {
        // All or nothing (RFC 4918 §9.2): the others fail by dependency.
        let others: Vec<PropName> = all
            .iter()
            .filter(|p| settable(p).is_some())
            .cloned()
            .collect();
        ms.response_statuses(&req.book(), &[(403, refused), (424, others)]);
        return multistatus(ms);
    }
    for (p, value) in &patch.set {
        if let Some(which) = settable(p)
            && let Err(e) = req
                .app
                .set_dav_book_label(&req.book, which, Some(value))
                .await
        {
            return internal(e);
        }
    }
    for p in &patch.remove {
        if let Some(which) = settable(p)
            && let Err(e) = req.app.set_dav_book_label(&req.book, which, None).await
        {
            return internal(e);
        }
    }
    ms.response_statuses(&req.book(), &[(200, all)]);
    multistatus(ms)
}

async fn card(req: &Request, name: &str) -> Response {
    match req.method.as_str() {
        "GET" | "HEAD" => {
            // Content negotiation: `Accept: text/vcard; version=4.0`.
            let wanted = req.header("accept").and_then(|a| {
                a.split([';', ',']).find_map(|p| {
                    let v = p.trim().strip_prefix("version=")?;
                    Version::parse(v.trim_matches('"'))
                })
            });
            let read = match req
                .app
                .dav_read(&req.book, &[name.to_string()], wanted)
                .await
            {
                Ok(r) => r,
                Err(e) => return internal(e),
            };
            let Some(Some(body)) = read.into_iter().next().map(|(_, b)| b) else {
                return not_found();
            };
            let etag =
                HeaderValue::from_str(&body.etag).unwrap_or(HeaderValue::from_static("\"\""));
            let content = if req.method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(body.text)
            };
            (
                StatusCode::OK,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/vcard; charset=utf-8"),
                    ),
                    (header::ETAG, etag),
                ],
                content,
            )
                .into_response()
        }
        "PUT" => put_card(req, name).await,
        "DELETE" => match req
            .app
            .dav_delete(&req.book, name, req.header("if-match"))
            .await
        {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(DavError::NotFound) => not_found(),
            Err(DavError::PreconditionFailed) => (
                StatusCode::PRECONDITION_FAILED,
                "The card changed since you read it\n",
            )
                .into_response(),
            Err(e) => internal(e),
        },
        "PROPFIND" => {
            let request = match parse_propfind(req) {
                Ok(r) => r,
                Err(e) => return e,
            };
            let read = match req.app.dav_read(&req.book, &[name.to_string()], None).await {
                Ok(r) => r,
                Err(e) => return internal(e),
            };
            let Some(Some(body)) = read.into_iter().next().map(|(_, b)| b) else {
                return not_found();
            };
            let mut props = card_props(req, &body.etag);
            props.push((PropName::carddav("address-data"), Value::Text(body.text)));
            propfind_answer(&request, vec![(req.card_href(name), props)])
        }
        _ => method_not_allowed(),
    }
}

async fn put_card(req: &Request, name: &str) -> Response {
    let Ok(text) = std::str::from_utf8(&req.body) else {
        return error(
            StatusCode::FORBIDDEN,
            &PropName::carddav("supported-address-data"),
            None,
        );
    };
    let if_none_match = req.header("if-none-match").is_some_and(|v| v.trim() == "*");
    match req
        .app
        .dav_put(&req.book, name, text, req.header("if-match"), if_none_match)
        .await
    {
        Ok(stored) => {
            let status = if stored.created {
                StatusCode::CREATED
            } else {
                StatusCode::NO_CONTENT
            };
            let etag =
                HeaderValue::from_str(&stored.etag).unwrap_or(HeaderValue::from_static("\"\""));
            (status, [(header::ETAG, etag)]).into_response()
        }
        Err(DavError::PreconditionFailed) => (
            StatusCode::PRECONDITION_FAILED,
            "The card changed (or exists) since you read it\n",
        )
            .into_response(),
        Err(DavError::UidConflict(href)) => error(
            StatusCode::CONFLICT,
            &PropName::carddav("no-uid-conflict"),
            Some(&format!(
                "<D:href>{}</D:href>",
                dav_proto::xml::escape(&req.card_href(&href))
            )),
        ),
        Err(DavError::InvalidCard(message)) => {
            eprintln!("kith serve: CardDAV: refused {name}: {message}");
            error(
                StatusCode::FORBIDDEN,
                &PropName::carddav("valid-address-data"),
                None,
            )
        }
        Err(DavError::NotFound) => not_found(),
        Err(e) => internal(e),
    }
}
