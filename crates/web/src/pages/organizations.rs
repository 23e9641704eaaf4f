//! Organisation pages: the organisations of the address book with how many
//! people are there now and were before, and one organisation's people.

use crate::http::caller::PageCaller;
use crate::http::encode::url_encode;
use crate::http::problem::Problem;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use kith_app::orgs::MemberView;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/organizations", get(organizations_page))
        .route("/organizations/{id}", get(organization_page))
}

const PAGE_SIZE: i64 = 50;

struct OrgRow {
    id: String,
    name: String,
    current: i64,
    former: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "organizations.html")]
struct OrganizationsPage {
    user: String,
    csrf: String,
    q: String,
    orgs: Vec<OrgRow>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct OrgQuery {
    q: Option<String>,
    page: Option<i64>,
}

async fn organizations_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<OrgQuery>,
) -> Result<OrganizationsPage, Problem> {
    let q: String = query.q.unwrap_or_default().chars().take(200).collect();
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    let search = (!q.trim().is_empty()).then_some(q.as_str());
    let mut orgs = state
        .app(caller.account)
        .organizations(search, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        .await?;
    let more = orgs.len() as i64 > PAGE_SIZE;
    orgs.truncate(PAGE_SIZE as usize);
    let href = |p: i64| format!("/organizations?q={}&page={p}", url_encode(&q));
    Ok(OrganizationsPage {
        user: caller.name,
        csrf: caller.csrf,
        q: q.clone(),
        orgs: orgs
            .into_iter()
            .map(|o| OrgRow {
                id: o.id.to_string(),
                name: o.name,
                current: o.current,
                former: o.former,
            })
            .collect(),
        previous: (page > 1).then(|| href(page - 1)),
        next: more.then(|| href(page + 1)),
    })
}

struct MemberRow {
    id: String,
    name: String,
    title: String,
    when: String,
}

impl MemberRow {
    fn of(m: MemberView) -> MemberRow {
        let when = match (&m.start, &m.end) {
            (Some(s), Some(e)) => format!("{s} – {e}"),
            (Some(s), None) => format!("since {s}"),
            (None, Some(e)) => format!("until {e}"),
            (None, None) => String::new(),
        };
        MemberRow {
            id: m.id.to_string(),
            name: m.name,
            title: m.title.unwrap_or_default(),
            when,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "organization.html")]
struct OrganizationPage {
    user: String,
    csrf: String,
    name: String,
    aliases: String,
    domains: String,
    current_count: i64,
    former_count: i64,
    current: Vec<MemberRow>,
    former: Vec<MemberRow>,
    /// The strongest paths to anyone there now, through the network.
    paths: Vec<crate::pages::network::PathRow>,
    paths_note: String,
    can_ask: bool,
    can_mail: bool,
}

async fn organization_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<OrganizationPage, Problem> {
    let app = state.app(caller.account);
    let org = app.organization(&id).await?;
    let target = kith_app::network::paths::PathTarget::Org(org.name.clone());
    let (paths, paths_note) = crate::pages::network::paths_for_page(&app, &target, 3).await?;
    Ok(OrganizationPage {
        paths,
        paths_note,
        can_ask: state.can_mail() && app.has_verified_email().await?,
        can_mail: state.can_mail(),
        user: caller.name,
        csrf: caller.csrf,
        name: org.name,
        aliases: org.aliases.join(", "),
        domains: org.domains.join(", "),
        current_count: org.current_count,
        former_count: org.former_count,
        current: org.current.into_iter().map(MemberRow::of).collect(),
        former: org.former.into_iter().map(MemberRow::of).collect(),
    })
}
