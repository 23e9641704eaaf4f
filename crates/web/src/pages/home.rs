//! The home page: who to reach out to now (with done and snooze),
//! birthdays and work anniversaries coming up, and the people you are
//! losing touch with. Also the person page's cadence and circle forms.

use super::flash::Flash;
use crate::http::caller::SignedForm;
use crate::http::caller::{CsrfForm, PageCaller};
use crate::http::input::PersonPath;
use crate::http::problem::Problem;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
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
        .route("/cadences/tag", post(set_tag_cadence))
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
    /// Getting started, until every step is done.
    checklist: kith_app::getting_started::Checklist,
    /// Tags with a cadence (tag, days).
    tag_cadences: Vec<(String, i64)>,
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
        can_mail: state.can_mail(),
        checklist: app.checklist().await?,
        tag_cadences: app.tag_cadences().await?,
    })
}

async fn done(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let app = state.app(caller.account);
    let logged = app.done(&id, None).await?;
    let name = logged.people.first().map_or("them", |p| p.name.as_str());
    Ok(
        Flash::new(format!("Noted: you reached out to {name} today."))
            .undo(
                &format!("/people/{id}/interactions/{}/delete", logged.id),
                &[],
            )
            .redirect(&caller, "/"),
    )
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
    let app = state.app(caller.account);
    app.snooze(&id, form.days).await?;
    let name = app.find_person(&id).await?.name;
    Ok(Flash::new(format!("{name} is snoozed for {} days.", form.days)).redirect(&caller, "/"))
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
    let back = format!("/people/{id}#keep-in-touch");
    let every = match parse_days(&form.every_days) {
        Ok(every) => every,
        Err(message) => return Ok(Flash::error(message).redirect(&caller, &back)),
    };
    match state.app(caller.account).set_cadence(&id, every).await {
        Ok(()) => Ok(Flash::new(match every {
            Some(days) => format!("kith will remind you after {days} days without contact."),
            None => "No cadence of their own any more.".to_string(),
        })
        .redirect(&caller, &back)),
        Err(kith_app::AppError::Invalid(message)) => {
            Ok(Flash::error(message).redirect(&caller, &back))
        }
        Err(e) => Err(e.into()),
    }
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
    Ok(Flash::new("Saved the circle.").redirect(&caller, &format!("/people/{id}#keep-in-touch")))
}

/// "30" as Some(30), empty as None, anything else a message.
fn parse_days(text: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        days => days
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("every {days:?} days: give a number of days")),
    }
}

#[derive(Deserialize)]
struct TagCadenceForm {
    csrf: String,
    tag: String,
    /// Empty: remove the tag's cadence.
    #[serde(default)]
    every_days: String,
}

/// Keep in touch with everyone tagged …: set, change or remove.
async fn set_tag_cadence(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<TagCadenceForm>,
) -> Result<Response, Problem> {
    let back = "/#keep-in-touch";
    let every = match parse_days(&form.every_days) {
        Ok(every) => every,
        Err(message) => return Ok(Flash::error(message).redirect(&caller, back)),
    };
    let tag = form.tag.trim();
    match state.app(caller.account).set_tag_cadence(tag, every).await {
        Ok(()) => Ok(Flash::new(match every {
            Some(days) => format!("Everyone tagged {tag}: every {days} days."),
            None => format!("No cadence for {tag} any more."),
        })
        .redirect(&caller, back)),
        Err(kith_app::AppError::Invalid(message)) => {
            Ok(Flash::error(message).redirect(&caller, back))
        }
        Err(e) => Err(e.into()),
    }
}

crate::http::caller::has_csrf!(CadenceForm, CircleForm, SnoozeForm, TagCadenceForm);
