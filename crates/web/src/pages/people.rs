//! The people list (search, filters, order, paging) and a person's page.

use crate::http::caller::PageCaller;
use crate::http::encode::url_encode;
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use kith_app::types::{PeopleFilter, PeopleSort};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/people", get(people_page))
        .route("/people/{id}", get(person_page))
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
    /// How many people the book holds, and whether it holds none.
    total: i64,
    empty_book: bool,
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
        0 if !filtered => String::new(),
        0 => "No one matches.".to_string(),
        n => format!("{first}–{} shown", first + n as i64 - 1),
    };
    let total = state.app(caller.account).count_people().await?;
    Ok(PeoplePage {
        total,
        empty_book: total == 0,
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
    /// A photo from the card as a data: URI, else the initials shown.
    photo: Option<String>,
    initials: String,
    rows: Vec<CardRow>,
    positions: Vec<PositionRow>,
    /// The latest interactions, and the earlier ones (collapsed).
    interactions: Vec<InteractionRow>,
    earlier: Vec<InteractionRow>,
    last_contact: String,
    kinds: Vec<&'static str>,
    /// "42%", and why ("3 two-way coffees in the last 90 days; …").
    strength_pct: String,
    strength_why: String,
    /// Whose card was last merged into this one (while it can be undone).
    last_merge: Option<String>,
    /// The person's own cadence in days, or empty.
    cadence: String,
    /// The circle shown, and the one pinned (empty: follows the interactions).
    circle: &'static str,
    pinned: &'static str,
    circles: [&'static str; 4],
    /// How the user is connected to them, and a clear "no" when not.
    paths: Vec<crate::pages::network::PathRow>,
    paths_note: String,
    can_ask: bool,
    ties: Vec<TieRow>,
    more_ties: Vec<TieRow>,
    tie_kinds: Vec<&'static str>,
    /// Needs and offers, who can help them, favours, what changed.
    cards: crate::pages::card::PersonCards,
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
    id: String,
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

/// Interactions and ties shown before "more".
const SHOWN: usize = 5;

/// Largest photo shown inline (base64 characters).
const MAX_PHOTO: usize = 512 * 1024;

/// The card's first inline photo as a data: URI (a linked one would be
/// fetched from elsewhere: not shown).
fn photo_uri(card: &kith_core::Card) -> Option<String> {
    card.photos.iter().find_map(|p| {
        let data = p.data.as_deref()?.trim();
        let media = p
            .media_type
            .as_deref()
            .unwrap_or("image/jpeg")
            .to_ascii_lowercase();
        let media = match media.as_str() {
            "image/jpeg" | "jpeg" | "jpg" => "image/jpeg",
            "image/png" | "png" => "image/png",
            "image/gif" | "gif" => "image/gif",
            "image/webp" | "webp" => "image/webp",
            _ => return None,
        };
        let clean = data.len() <= MAX_PHOTO
            && data
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        clean.then(|| format!("data:{media};base64,{data}"))
    })
}

/// "Ada Lovelace" → "AL": the first letters of the first and last words.
pub(crate) fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = |w: &&str| w.chars().find(|c| c.is_alphanumeric());
    let letters: String = match words.as_slice() {
        [] => String::new(),
        [one] => first(one).into_iter().collect(),
        [a, .., b] => first(a).into_iter().chain(first(b)).collect(),
    };
    letters.to_uppercase()
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
    let headline = super::role_line(person.title.as_deref(), person.organization.as_deref());
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
    let mut interactions: Vec<InteractionRow> = app
        .interactions(&person.id.to_string(), 50)
        .await?
        .into_iter()
        .map(|i| InteractionRow {
            id: i.id.to_string(),
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
    let (mut paths, mut paths_note) =
        crate::pages::network::paths_for_page(&app, &target, 3).await?;
    // Someone of the user's own book: the first way to them is the user's
    // own tie, however weak, before paths through others.
    if !paths.iter().any(|p| p.steps.len() == 2) {
        paths.insert(
            0,
            crate::pages::network::direct_path(
                &person.id.to_string(),
                &person.name,
                strength.score,
                &strength.explanation,
            ),
        );
        paths_note.clear();
    }
    let mut ties: Vec<TieRow> = app
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
    let cards = crate::pages::card::person_cards(&app, &person.id.to_string()).await?;
    let more_ties = ties.split_off(ties.len().min(SHOWN));
    let earlier = interactions.split_off(interactions.len().min(SHOWN));
    let last_merge = app.last_merge(&person.id.to_string()).await?;
    Ok(PersonPage {
        photo: photo_uri(card),
        initials: initials(&person.name),
        last_contact: interactions
            .first()
            .map(|i| i.day.clone())
            .unwrap_or_default(),
        earlier,
        more_ties,
        last_merge,
        cards,
        can_mail: state.can_mail(),
        paths,
        paths_note,
        can_ask: state.can_mail() && app.has_verified_email().await?,
        ties,
        tie_kinds: crate::pages::network::tie_kinds(),
        user: caller.name,
        csrf: caller.csrf,
        interactions,
        strength_pct: format!("{:.0}%", strength.score * 100.0),
        strength_why: strength.explanation.clone(),
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
