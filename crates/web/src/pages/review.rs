//! Pages for the address book as a whole: duplicate review (side by side,
//! merge or dismiss, undo a merge) and export downloads.

use super::flash::Flash;
use crate::http::caller::PageCaller;
use crate::http::caller::SignedForm;
use crate::http::input::PersonPath;
use crate::http::problem::{Code, Problem, person_id};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kith_app::PersonView;
use kith_app::export::ExportFormat;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/duplicates", get(duplicates_page))
        .route("/duplicates/merge", post(merge))
        .route("/duplicates/dismiss", post(dismiss))
        .route("/duplicates/restore", post(restore))
        .route("/duplicates/unmerge", post(unmerge_from_queue))
        .route("/duplicates/merge-group", post(merge_group))
        .route("/duplicates/merge-above", post(merge_above))
        .route("/people/{id}/unmerge", post(unmerge))
        .route("/export", get(export_page))
        .route("/export/{format}", get(export_download))
}

/// Suggestions shown per page.
const PER_PAGE: usize = 20;

/// One side of a suggestion, as compared.
struct Side {
    id: String,
    name: String,
    organization: String,
    emails: String,
    phones: String,
    sources: String,
}

impl Side {
    fn of(p: &PersonView) -> Side {
        Side {
            id: p.id.to_string(),
            name: p.name.clone(),
            organization: super::role_line(p.title.as_deref(), p.organization.as_deref()),
            emails: p.emails.join(", "),
            phones: p.phones.join(", "),
            sources: p
                .sources
                .iter()
                .map(|s| s.file.clone())
                .filter(|f| !f.is_empty())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

struct Pair {
    sides: [Side; 2],
    score: String,
    reasons: Vec<String>,
}

/// Three or more people the suggestions tie together: reviewed as one.
struct Group {
    sides: Vec<Side>,
    /// Their ids, comma-separated (the form's field).
    ids: String,
    reasons: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    user: String,
    csrf: String,
    total: usize,
    pairs: Vec<Pair>,
    groups: Vec<Group>,
    /// This page of the queue, to come back to after a merge.
    here: String,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<usize>,
}

async fn duplicates_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<PageQuery>,
) -> Result<DuplicatesPage, Problem> {
    let app = state.app(caller.account);
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let start = (page - 1) * PER_PAGE;
    let (total, shown) = app.duplicates_page(start, PER_PAGE).await?;
    let mut people: std::collections::HashMap<String, PersonView> = Default::default();
    for s in &shown {
        for p in &s.people {
            let id = p.id.to_string();
            if let std::collections::hash_map::Entry::Vacant(e) = people.entry(id) {
                let found = app.find_person(e.key()).await?;
                e.insert(found);
            }
        }
    }
    let ids =
        |s: &kith_app::SuggestionView| [s.people[0].id.to_string(), s.people[1].id.to_string()];
    let group_of = groups_of(&shown.iter().map(ids).collect::<Vec<_>>());
    let mut pairs = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    for (s, group) in shown.iter().zip(&group_of) {
        let [a, b] = ids(s);
        match group {
            Some(members) => {
                let key = members.join(",");
                let reasons = s
                    .reasons
                    .iter()
                    .map(|r| format!("{:.0}%: {r}", s.score * 100.0));
                match groups.iter_mut().find(|g| g.ids == key) {
                    Some(g) => g.reasons.extend(reasons),
                    None => groups.push(Group {
                        sides: members.iter().map(|id| Side::of(&people[id])).collect(),
                        ids: key,
                        reasons: reasons.collect(),
                    }),
                }
            }
            None => pairs.push(Pair {
                sides: [Side::of(&people[&a]), Side::of(&people[&b])],
                score: format!("{:.0}%", s.score * 100.0),
                reasons: s.reasons.clone(),
            }),
        }
    }
    Ok(DuplicatesPage {
        here: format!("/duplicates?page={page}"),
        user: caller.name,
        csrf: caller.csrf,
        total,
        pairs,
        groups,
        previous: (page > 1).then(|| format!("/duplicates?page={}", page - 1)),
        next: (start + PER_PAGE < total).then(|| format!("/duplicates?page={}", page + 1)),
    })
}

/// For each pair, the people of its group when the pairs tie three or
/// more people together (in the order first seen), else None.
fn groups_of(pairs: &[[String; 2]]) -> Vec<Option<Vec<String>>> {
    let mut order: Vec<&str> = Vec::new();
    for id in pairs.iter().flatten() {
        if !order.contains(&id.as_str()) {
            order.push(id);
        }
    }
    let at = |id: &str| order.iter().position(|x| *x == id).unwrap_or(0);
    let mut parent: Vec<usize> = (0..order.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for [a, b] in pairs {
        let (ra, rb) = (root(&mut parent, at(a)), root(&mut parent, at(b)));
        if ra != rb {
            parent[rb] = ra;
        }
    }
    let roots: Vec<usize> = (0..order.len()).map(|i| root(&mut parent, i)).collect();
    pairs
        .iter()
        .map(|[a, _]| {
            let r = roots[at(a)];
            let members: Vec<String> = (0..order.len())
                .filter(|&i| roots[i] == r)
                .map(|i| order[i].to_string())
                .collect();
            (members.len() > 2).then_some(members)
        })
        .collect()
}

#[derive(Deserialize)]
struct PairForm {
    csrf: String,
    /// The person who stays (their card keeps every value of both).
    a: String,
    b: String,
    /// The page to come back to (the review queue where it was).
    back: Option<String>,
    /// Whose name the merged person goes by: `b` for the second.
    name: Option<String>,
}

impl PairForm {
    fn back(&self, otherwise: &str) -> String {
        self.back
            .as_deref()
            .and_then(crate::http::encode::local_path)
            .unwrap_or(otherwise)
            .to_string()
    }
}

async fn merge(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<PairForm>,
) -> Result<Response, Problem> {
    let (a, b) = (person_id(&form.a)?, person_id(&form.b)?);
    let app = state.app(caller.account);
    let absorbed = app.find_person(&b).await?;
    let keep = match form.name.as_deref() {
        Some("b") => kith_app::people::NameKept::Absorbed,
        _ => kith_app::people::NameKept::Survivor,
    };
    let merged = app.merge_people_keeping(&a, &b, keep).await?;
    let back = form.back(&format!("/people/{}", merged.id));
    let id = merged.id.to_string();
    Ok(
        Flash::new(format!("Merged {} into {}.", absorbed.name, merged.name))
            .undo(
                "/duplicates/unmerge",
                &[("a", &id), ("b", &b), ("back", &back)],
            )
            .redirect(&caller, &back),
    )
}

async fn dismiss(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<PairForm>,
) -> Result<Response, Problem> {
    let (a, b) = (person_id(&form.a)?, person_id(&form.b)?);
    let app = state.app(caller.account);
    app.dismiss_duplicate(&a, &b).await?;
    let (pa, pb) = (app.find_person(&a).await?, app.find_person(&b).await?);
    let back = form.back("/duplicates");
    Ok(Flash::new(format!(
        "{} and {} are kept apart and will not be suggested again.",
        pa.name, pb.name
    ))
    .undo(
        "/duplicates/restore",
        &[("a", &a), ("b", &b), ("back", &back)],
    )
    .redirect(&caller, &back))
}

async fn restore(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<PairForm>,
) -> Result<Response, Problem> {
    let (a, b) = (person_id(&form.a)?, person_id(&form.b)?);
    state.app(caller.account).restore_duplicate(&a, &b).await?;
    Ok(Flash::new("The pair is back among the suggestions.")
        .redirect(&caller, &form.back("/duplicates")))
}

/// The review queue's Undo of a merge: two people again, and the pair
/// back among the suggestions.
async fn unmerge_from_queue(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<PairForm>,
) -> Result<Response, Problem> {
    let (a, b) = (person_id(&form.a)?, person_id(&form.b)?);
    let app = state.app(caller.account);
    let (survivor, restored) = app.unmerge(&a).await?;
    app.restore_duplicate(&a, &b).await?;
    Ok(Flash::new(format!(
        "Undone: {} and {} are two people again.",
        survivor.name, restored.name
    ))
    .redirect(&caller, &form.back("/duplicates")))
}

#[derive(Deserialize)]
struct GroupForm {
    csrf: String,
    /// Ids, comma-separated; the first stays.
    people: String,
    back: Option<String>,
}

/// Merges a group of three or more into its first person.
async fn merge_group(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<GroupForm>,
) -> Result<Response, Problem> {
    let ids = form
        .people
        .split(',')
        .map(person_id)
        .collect::<Result<Vec<_>, _>>()?;
    let merged = state.app(caller.account).merge_all(&ids).await?;
    let back = form
        .back
        .as_deref()
        .and_then(crate::http::encode::local_path)
        .unwrap_or("/duplicates");
    Ok(Flash::new(format!(
        "Merged {} people into {}. Each merge can be undone from their page.",
        ids.len(),
        merged.name
    ))
    .redirect(&caller, back))
}

#[derive(Deserialize)]
struct ScoreForm {
    csrf: String,
    /// A percentage.
    score: String,
}

/// Merges every suggestion at or above a score.
async fn merge_above(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<ScoreForm>,
) -> Result<Response, Problem> {
    let Ok(percent) = form.score.trim().trim_end_matches('%').parse::<f64>() else {
        return Ok(Flash::error(format!(
            "{:?} is not a score: give a percentage",
            form.score
        ))
        .redirect(&caller, "/duplicates"));
    };
    match state
        .app(caller.account)
        .merge_suggestions_above(percent / 100.0)
        .await
    {
        Ok(n) => Ok(Flash::new(format!(
            "Merged {n} pair{} scoring {percent:.0}% or more. Each merge can be undone from the person's page.",
            if n == 1 { "" } else { "s" }
        ))
        .redirect(&caller, "/duplicates")),
        Err(kith_app::AppError::Invalid(m)) => Ok(Flash::error(m).redirect(&caller, "/duplicates")),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct BackForm {
    csrf: String,
    back: Option<String>,
}

async fn unmerge(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<BackForm>,
) -> Result<Response, Problem> {
    let (a, b) = state.app(caller.account).unmerge(&id).await?;
    let back = form
        .back
        .as_deref()
        .and_then(crate::http::encode::local_path)
        .map_or_else(|| format!("/people/{}", a.id), str::to_string);
    Ok(Flash::new(format!(
        "Undone: {} and {} are two people again.",
        a.name, b.name
    ))
    .redirect(&caller, &back))
}

#[derive(Template, WebTemplate)]
#[template(path = "export.html")]
struct ExportPage {
    user: String,
    csrf: String,
}

async fn export_page(caller: PageCaller) -> ExportPage {
    ExportPage {
        user: caller.name,
        csrf: caller.csrf,
    }
}

async fn export_download(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(format): Path<String>,
) -> Result<Response, Problem> {
    use kith_app::types::VcardVersion as Version;
    let (format, file, content_type) = match format.as_str() {
        "vcard4.vcf" => (
            ExportFormat::Vcard(Version::V4),
            "kith.vcf",
            "text/vcard; charset=utf-8",
        ),
        "vcard3.vcf" => (
            ExportFormat::Vcard(Version::V3),
            "kith.vcf",
            "text/vcard; charset=utf-8",
        ),
        "people.csv" => (ExportFormat::Csv, "kith.csv", "text/csv; charset=utf-8"),
        "people.json" => (ExportFormat::Json, "kith.json", "application/json"),
        _ => return Err(Problem::new(Code::NotFound, "no such export")),
    };
    crate::export::export_download(&state, caller.account, format, file, content_type).await
}

crate::http::caller::has_csrf!(PairForm, BackForm, GroupForm, ScoreForm);
