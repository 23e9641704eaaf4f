//! The HTML pages (askama, rendered on the server, working without
//! JavaScript): first-account setup, sign in and out, the people list with
//! search and paging, a person's page.

use crate::caller::{PageCaller, SESSION_COOKIE, client_address, same_site};
use crate::problem::{Code, Problem};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use kith_app::auth::{LoginRefused, NewSession, SetupRefused};
use kith_store::{PeopleFilter, PeopleSort};
use serde::Deserialize;
use std::net::SocketAddr;

/// The sign-in, setup and sign-out forms are a few short fields: their
/// bodies, read before anyone is signed in, stop here.
const SMALL_FORM: usize = 16 * 1024;

pub fn routes() -> Router<AppState> {
    // Refused from the announced length, before a byte is read.
    let small = || tower_http::limit::RequestBodyLimitLayer::new(SMALL_FORM);
    Router::new()
        .route("/setup", get(setup_page).post(setup_submit).layer(small()))
        .route("/login", get(login_page).post(login_submit).layer(small()))
        .route("/logout", post(logout).layer(small()))
        .route("/people", get(people_page))
        .route("/people/{id}", get(person_page))
        .route("/static/kith.css", get(stylesheet))
        .route("/static/search.js", get(search_script))
}

/// The people page's search as you type (the page works without it).
async fn search_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/search.js"),
    )
        .into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/kith.css"),
    )
        .into_response()
}

/// Percent-encodes a value for a query string.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only a path on this site is a place to go after signing in: it starts
/// with one `/`, holds no `\` (browsers read both `//host` and `/\host`
/// as another site) and only visible ASCII: browsers drop tabs and line
/// breaks from a URL, so `/\t/evil.example/` would become
/// `//evil.example/`, and a line break cannot go into a header at all.
pub fn local_path(next: &str) -> Option<&str> {
    let safe = next.len() <= 2048
        && next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic());
    safe.then_some(next)
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
            "this setup link is not valid (any more): sign in, or restart kith serve for a new link",
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
            Ok((jar, Redirect::to("/people")).into_response())
        }
        Ok(Err(SetupRefused::LinkInvalid)) => Err(Problem::new(
            Code::NotFound,
            "this setup link is not valid (any more): sign in, or restart kith serve for a new link",
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
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(Query(q): Query<NextQuery>) -> LoginPage {
    LoginPage {
        next: local_path(q.next.as_deref().unwrap_or_default())
            .unwrap_or("/people")
            .to_string(),
        name: String::new(),
        error: None,
    }
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
    caller: PageCaller,
    parts: RequestParts,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    caller.check_form(parts.same_site, &form.csrf)?;
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

/// What a handler needs to know of the request's origin.
pub struct RequestParts {
    pub same_site: bool,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestParts {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestParts {
            same_site: same_site(parts),
        })
    }
}

/// One row of the people list.
struct PersonRow {
    id: String,
    name: String,
    organization: String,
    title: String,
    email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "people.html")]
struct PeoplePage {
    user: String,
    csrf: String,
    q: String,
    tag: String,
    org: String,
    sort: &'static str,
    shown: String,
    people: Vec<PersonRow>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct PeopleQuery {
    q: Option<String>,
    page: Option<i64>,
    tag: Option<String>,
    org: Option<String>,
    sort: Option<String>,
}

/// A query-string value cut to a sane length, blank as None.
fn filter_value(v: &Option<String>) -> String {
    v.as_deref()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect()
}

const PAGE_SIZE: i64 = 50;

async fn people_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<PeopleQuery>,
) -> Result<PeoplePage, Problem> {
    let q = query
        .q
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect::<String>();
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    let (tag, org) = (filter_value(&query.tag), filter_value(&query.org));
    let (sort, sort_name) = match query.sort.as_deref() {
        Some("added") => (PeopleSort::Added, "added"),
        Some("changed") => (PeopleSort::Changed, "changed"),
        _ => (PeopleSort::Name, "name"),
    };
    let filter = PeopleFilter {
        search: (!q.trim().is_empty()).then(|| q.clone()),
        tag: (!tag.is_empty()).then(|| tag.clone()),
        organization: (!org.is_empty()).then(|| org.clone()),
        limit: Some(PAGE_SIZE + 1),
        offset: Some((page - 1) * PAGE_SIZE),
        sort,
    };
    let mut people = state.app(caller.account).list_people(&filter).await?;
    let more = people.len() as i64 > PAGE_SIZE;
    people.truncate(PAGE_SIZE as usize);
    let href = |p: i64| {
        format!(
            "/people?q={}&tag={}&org={}&sort={sort_name}&page={p}",
            url_encode(&q),
            url_encode(&tag),
            url_encode(&org)
        )
    };
    let filtered = !q.trim().is_empty() || !tag.is_empty() || !org.is_empty();
    let first = (page - 1) * PAGE_SIZE + 1;
    let shown = match people.len() {
        0 if !filtered => "No people yet: import your contacts with kith import.".to_string(),
        0 => "No one matches.".to_string(),
        n => format!("{first}–{} shown", first + n as i64 - 1),
    };
    Ok(PeoplePage {
        user: caller.name,
        csrf: caller.csrf,
        q: q.clone(),
        tag: tag.clone(),
        org: org.clone(),
        sort: sort_name,
        shown,
        people: people
            .into_iter()
            .map(|p| PersonRow {
                id: p.id.to_string(),
                name: p.name,
                organization: p.organization.unwrap_or_default(),
                title: p.title.unwrap_or_default(),
                email: p.emails.first().cloned().unwrap_or_default(),
            })
            .collect(),
        previous: (page > 1).then(|| href(page - 1)),
        next: more.then(|| href(page + 1)),
    })
}

struct CardRow {
    label: &'static str,
    value: String,
    source: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
struct PersonPage {
    user: String,
    csrf: String,
    id: String,
    name: String,
    headline: String,
    rows: Vec<CardRow>,
    positions: Vec<PositionRow>,
    interactions: Vec<InteractionRow>,
    kinds: Vec<&'static str>,
    /// "0.42: 3 two-way coffees in the last 90 days; …"
    strength: String,
    /// The person's own cadence in days, or empty.
    cadence: String,
    /// The circle shown, and the one pinned (empty: follows the interactions).
    circle: &'static str,
    pinned: &'static str,
    circles: [&'static str; 4],
    /// How the user is connected to them, and a clear "no" when not.
    paths: Vec<crate::network_pages::PathRow>,
    paths_note: String,
    ask_to: String,
    ties: Vec<TieRow>,
    tie_kinds: Vec<&'static str>,
    /// Needs and offers, who can help them, favours, what changed.
    cards: crate::card_pages::PersonCards,
    can_mail: bool,
}

/// One of the person's ties to someone else the user knows.
struct TieRow {
    id: String,
    name: String,
    strength: String,
    why: String,
}

/// A line of the person's interactions.
struct InteractionRow {
    day: String,
    kind: &'static str,
    with: String,
    note: String,
}

/// A line of the job history, linked to the organisation's page.
struct PositionRow {
    text: String,
    org_id: Option<String>,
}

fn source_text(sources: &[kith_core::Source]) -> String {
    sources
        .iter()
        .map(|s| {
            if s.format == "manual" {
                "you".to_string()
            } else {
                format!("{} line {}", s.file, s.line)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn person_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<PersonPage, Problem> {
    let id = id
        .parse::<kith_core::PersonId>()
        .map_err(|_| Problem::new(Code::NotFound, format!("no person with id {id}")))?;
    let person = state
        .app(caller.account)
        .find_person(&id.to_string())
        .await?;
    let card = &person.card;
    let mut rows = Vec::new();
    let mut add = |label: &'static str, value: &str, sources: &[kith_core::Source]| {
        rows.push(CardRow {
            label,
            value: value.to_string(),
            source: source_text(sources),
        })
    };
    for e in &card.emails {
        add("Email", &e.value, &e.sources);
    }
    for p in &card.phones {
        add("Phone", &p.value, &p.sources);
    }
    for u in &card.urls {
        add("Web", &u.value, &u.sources);
    }
    for n in &card.nicknames {
        add("Nickname", &n.value, &n.sources);
    }
    for b in &card.birthdays {
        add("Birthday", &b.value, &b.sources);
    }
    for t in &card.tags {
        add("Tag", &t.value, &t.sources);
    }
    for n in &card.notes {
        add("Note", &n.value, &n.sources);
    }
    let headline = match (&person.title, &person.organization) {
        (Some(t), Some(o)) => format!("{t} at {o}"),
        (Some(t), None) => t.clone(),
        (None, Some(o)) => o.clone(),
        (None, None) => String::new(),
    };
    let app = state.app(caller.account);
    let org_names: Vec<&str> = card
        .positions
        .iter()
        .map(|p| p.organization.as_str())
        .collect();
    let org_ids = app.organization_ids(&org_names).await?;
    let positions = card
        .positions
        .iter()
        .zip(org_ids)
        .map(|(p, org_id)| {
            let when = match (&p.start, &p.end) {
                (Some(s), Some(e)) => format!(" ({s} – {e})"),
                (Some(s), None) => format!(" (since {s})"),
                (None, Some(e)) => format!(" (until {e})"),
                (None, None) => String::new(),
            };
            let role = if p.title.is_empty() {
                p.organization.clone()
            } else {
                format!("{} at {}", p.title, p.organization)
            };
            PositionRow {
                text: format!("{role}{when}"),
                org_id: org_id.map(|id| id.to_string()),
            }
        })
        .collect();
    let interactions = app
        .interactions(&person.id.to_string(), 50)
        .await?
        .into_iter()
        .map(|i| InteractionRow {
            day: i.at.chars().take(10).collect(),
            kind: i.kind.as_str(),
            with: i
                .people
                .iter()
                .filter(|p| p.id != person.id)
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            note: i.note.unwrap_or_default(),
        })
        .collect();
    let strength = app.strength(&person.id.to_string()).await?;
    let target = kith_app::network::paths::PathTarget::Person(person.id.to_string());
    let (paths, paths_note) = crate::network_pages::paths_for_page(&app, &target, 3).await?;
    let ties = app
        .ties_of(&person.id.to_string())
        .await?
        .into_iter()
        .map(|t| TieRow {
            id: t.id.to_string(),
            name: t.name,
            strength: format!("{:.0}%", t.strength * 100.0),
            why: t.why.join("; "),
        })
        .collect();
    let cards = crate::card_pages::person_cards(&app, &person.id.to_string()).await?;
    Ok(PersonPage {
        cards,
        can_mail: state.config.mailer.is_some(),
        paths,
        paths_note,
        ask_to: person.id.to_string(),
        ties,
        tie_kinds: crate::network_pages::tie_kinds(),
        user: caller.name,
        csrf: caller.csrf,
        interactions,
        strength: format!("{:.2}: {}", strength.score, strength.explanation),
        circle: strength.circle.describe(),
        pinned: if strength.pinned {
            strength.circle.as_str()
        } else {
            ""
        },
        circles: kith_core::strength::Circle::ALL.map(|c| c.as_str()),
        cadence: app
            .cadence_of(&person.id.to_string())
            .await?
            .map(|d| d.to_string())
            .unwrap_or_default(),
        kinds: kith_core::InteractionKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect(),
        id: person.id.to_string(),
        name: person.name,
        headline,
        rows,
        positions,
    })
}
