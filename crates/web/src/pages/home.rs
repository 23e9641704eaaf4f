//! The home page: who to reach out to now (with done and snooze),
//! birthdays and work anniversaries coming up, and the people you are
//! losing touch with. Also the person page's cadence and circle forms.

use crate::http::caller::SignedForm;
use crate::http::caller::{CsrfForm, PageCaller};
use crate::http::input::PersonPath;
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        // Other methods on `/` are CardDAV's: clients given the server's bare
        // address ask it for the principal.
        .route("/", get(home_page).fallback(crate::dav::site_root))
        .route("/due/{id}/done", post(done))
        .route("/due/{id}/snooze", post(snooze))
        .route("/people/{id}/cadence", post(set_cadence))
        .route("/people/{id}/circle", post(set_circle))
}

struct DueRow {
    id: String,
    name: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    user: String,
    csrf: String,
    due: Vec<DueRow>,
    coming: Vec<DueRow>,
    fading: Vec<DueRow>,
    /// What changed in the network, most important first.
    changes: Vec<DueRow>,
    /// Needs of people the user knows, with who can help.
    help: Vec<crate::pages::card::HelpRow>,
    can_mail: bool,
}

async fn home_page(State(state): State<AppState>, caller: PageCaller) -> Result<HomePage, Problem> {
    let app = state.app(caller.account);
    let due = app
        .due()
        .await?
        .into_iter()
        .take(50)
        .map(|d| DueRow {
            id: d.id.to_string(),
            name: d.name,
            reason: match d.give_first {
                Some(hint) => format!("{}; {hint}", d.reason),
                None => d.reason,
            },
        })
        .collect();
    let coming = app
        .coming_up(14)
        .await?
        .into_iter()
        .take(30)
        .map(|c| DueRow {
            id: c.id.to_string(),
            name: c.name,
            reason: c.text,
        })
        .collect();
    let fading = app
        .losing_touch(20)
        .await?
        .into_iter()
        .map(|f| DueRow {
            id: f.id.to_string(),
            name: f.name,
            reason: f.reason,
        })
        .collect();
    let changes = app
        .network_changes(30, 10)
        .await?
        .into_iter()
        .map(|c| DueRow {
            id: c.person_id.to_string(),
            name: c.person,
            reason: c.summary,
        })
        .collect();
    let help = crate::pages::card::help_rows(&app.help_out().await?);
    Ok(HomePage {
        user: caller.name,
        csrf: caller.csrf,
        due,
        coming,
        fading,
        changes,
        help: help.into_iter().take(20).collect(),
        can_mail: state.config.mailer.is_some(),
    })
}

async fn done(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    state.app(caller.account).done(&id, None).await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Deserialize)]
struct SnoozeForm {
    csrf: String,
    days: i64,
}

async fn snooze(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<SnoozeForm>,
) -> Result<Response, Problem> {
    state.app(caller.account).snooze(&id, form.days).await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Deserialize)]
struct CadenceForm {
    csrf: String,
    /// Empty: no cadence.
    #[serde(default)]
    every_days: String,
}

async fn set_cadence(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<CadenceForm>,
) -> Result<Response, Problem> {
    let every = match form.every_days.trim() {
        "" => None,
        days => Some(days.parse::<i64>().map_err(|_| {
            Problem::new(
                Code::InvalidValue,
                format!("every {days:?} days: give a number of days"),
            )
        })?),
    };
    state.app(caller.account).set_cadence(&id, every).await?;
    Ok(Redirect::to(&format!("/people/{id}#interactions")).into_response())
}

#[derive(Deserialize)]
struct CircleForm {
    csrf: String,
    /// Empty: follow the interactions.
    #[serde(default)]
    circle: String,
}

async fn set_circle(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<CircleForm>,
) -> Result<Response, Problem> {
    let circle = match form.circle.trim() {
        "" => None,
        name => Some(crate::http::input::parse_circle(name)?),
    };
    state.app(caller.account).pin_circle(&id, circle).await?;
    Ok(Redirect::to(&format!("/people/{id}#interactions")).into_response())
}

crate::http::caller::has_csrf!(CadenceForm, CircleForm, SnoozeForm);
