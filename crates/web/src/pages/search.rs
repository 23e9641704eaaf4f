//! The search box in the bar (`/search`: people, organisations, tags,
//! notes, interactions) and the suggestions fields offer as one types
//! (`/suggest`: names of people, organisations or tags, as JSON).

use crate::http::caller::PageCaller;
use crate::http::problem::Problem;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(search_page))
        .route("/suggest", get(suggest))
}

/// Longest query read (longer ones are cut).
const MAX_QUERY: usize = 200;
/// Suggestions offered per field.
const SUGGESTIONS: usize = 8;

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
}

fn cut(q: &str) -> String {
    q.trim().chars().take(MAX_QUERY).collect()
}

struct Hit {
    href: String,
    text: String,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    user: String,
    csrf: String,
    q: String,
    people: Vec<Hit>,
    organizations: Vec<Hit>,
    tags: Vec<Hit>,
    notes: Vec<Hit>,
    interactions: Vec<Hit>,
    nothing: bool,
}

async fn search_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<SearchQuery>,
) -> Result<SearchPage, Problem> {
    let q = cut(&query.q);
    let found = state.app(caller.account).find(&q).await?;
    let enc = crate::http::encode::url_encode;
    Ok(SearchPage {
        user: caller.name,
        csrf: caller.csrf,
        nothing: !q.is_empty() && found.is_empty(),
        people: found
            .people
            .iter()
            .map(|p| Hit {
                href: format!("/people/{}", p.id),
                text: p.name.clone(),
                detail: super::person_line(p),
            })
            .collect(),
        organizations: found
            .organizations
            .iter()
            .map(|o| Hit {
                href: format!("/organizations/{}", o.id),
                text: o.name.clone(),
                detail: format!("{} there now, {} before", o.current, o.former),
            })
            .collect(),
        tags: found
            .tags
            .iter()
            .map(|t| Hit {
                href: format!("/people?tag={}", enc(&t.tag)),
                text: t.tag.clone(),
                detail: format!(
                    "{} {}",
                    t.people,
                    if t.people == 1 { "person" } else { "people" }
                ),
            })
            .collect(),
        notes: found
            .notes
            .iter()
            .map(|(p, note)| Hit {
                href: format!("/people/{}#details", p.id),
                text: p.name.clone(),
                detail: note.chars().take(200).collect(),
            })
            .collect(),
        interactions: found
            .interactions
            .iter()
            .filter_map(|i| {
                let p = i.people.first()?;
                Some(Hit {
                    href: format!("/people/{}#interactions", p.id),
                    text: format!(
                        "{} with {}, {}",
                        i.kind.as_str(),
                        i.people
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        i.at.chars().take(10).collect::<String>()
                    ),
                    detail: i
                        .note
                        .clone()
                        .unwrap_or_default()
                        .chars()
                        .take(200)
                        .collect(),
                })
            })
            .collect(),
        q,
    })
}

/// Names to offer in a field as one types: `kind` is `people`,
/// `organizations` or `tags`.
async fn suggest(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<String>>, Problem> {
    let q = cut(&query.q);
    let app = state.app(caller.account);
    if q.chars().count() < 2 {
        return Ok(Json(Vec::new()));
    }
    let names: Vec<String> = match query.kind.as_str() {
        "people" => match app.search_people(&q, 0, SUGGESTIONS).await? {
            Some(people) => people.into_iter().map(|p| p.name).collect(),
            None => Vec::new(),
        },
        "organizations" => {
            // The user's own organisations, then those their network lets
            // them see (who-at and paths look there too).
            let mut names: Vec<String> = app
                .organizations_by_word(&q, SUGGESTIONS as i64)
                .await?
                .into_iter()
                .map(|o| o.name)
                .collect();
            for name in app.org_lookup(&q).await?.names {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                    names.push(name);
                }
            }
            names.truncate(SUGGESTIONS);
            names
        }
        "tags" => {
            let wanted = kith_core::names::normalize(&q);
            app.tags()
                .await?
                .into_iter()
                .filter(|t| {
                    kith_core::names::words_begin(&wanted, &kith_core::names::normalize(&t.tag))
                })
                .take(SUGGESTIONS)
                .map(|t| t.tag)
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(Json(names))
}
