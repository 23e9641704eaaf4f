//! The pages that change people: add, edit (refused when someone else
//! changed the person since the form was loaded), delete.

use crate::http::caller::SignedForm;
use crate::http::caller::{CsrfForm, PageCaller};
use crate::http::input::PersonInput;
use crate::http::input::PersonPath;
use crate::http::problem::Problem;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::{AppError, PersonView};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/people/new", get(new_page).post(create))
        .route("/people/{id}/edit", get(edit_page).post(update))
        .route("/people/{id}/delete", post(delete))
        .route("/people/{id}/interactions", post(log_interaction))
        .route("/people/{id}/restore", post(restore))
        .route("/trash", get(trash_page))
}

/// The form's fields as shown.
#[derive(Default)]
struct Fields {
    name: String,
    emails: String,
    phones: String,
    urls: String,
    tags: String,
    organization: String,
    title: String,
    birthday: String,
}

impl Fields {
    fn of(p: &PersonView) -> Fields {
        Fields {
            name: p.name.clone(),
            emails: p.emails.join("\n"),
            phones: p.phones.join("\n"),
            urls: p.urls.join("\n"),
            tags: p.tags.join(", "),
            organization: p.organization.clone().unwrap_or_default(),
            title: p.title.clone().unwrap_or_default(),
            birthday: p.birthday.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "person_form.html")]
struct FormPage {
    user: String,
    csrf: String,
    heading: String,
    action: String,
    version: String,
    f: Fields,
    note: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PersonForm {
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    phones: String,
    #[serde(default)]
    urls: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    birthday: String,
    #[serde(default)]
    note: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

impl PersonForm {
    fn fields(&self) -> Fields {
        Fields {
            name: self.name.clone(),
            emails: self.emails.clone(),
            phones: self.phones.clone(),
            urls: self.urls.clone(),
            tags: self.tags.clone(),
            organization: self.organization.clone(),
            title: self.title.clone(),
            birthday: self.birthday.clone(),
        }
    }

    /// The change this form asks for, against `current` (None: a new person).
    fn input(&self, current: Option<&PersonView>) -> PersonInput {
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let changed = |new: &str, old: Option<&String>| {
            let new = new.trim();
            (old.map(String::as_str).unwrap_or("") != new && !new.is_empty())
                .then(|| new.to_string())
        };
        let (organization, title) = match current {
            // A new position only when the organisation or title changed.
            Some(p) => {
                let org = changed(&self.organization, p.organization.as_ref());
                let title = changed(&self.title, p.title.as_ref());
                if org.is_some() || title.is_some() {
                    (text(&self.organization), text(&self.title))
                } else {
                    (None, None)
                }
            }
            None => (text(&self.organization), text(&self.title)),
        };
        PersonInput {
            name: match current {
                Some(p) => changed(&self.name, Some(&p.name)),
                None => text(&self.name),
            },
            emails: Some(lines(&self.emails)),
            phones: Some(lines(&self.phones)),
            urls: Some(lines(&self.urls)),
            tags: Some(
                self.tags
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            notes: text(&self.note).map(|n| vec![n]),
            birthday: match current {
                Some(p) => changed(&self.birthday, p.birthday.as_ref()),
                None => text(&self.birthday),
            },
            organization,
            title,
            ..Default::default()
        }
    }
}

async fn new_page(caller: PageCaller) -> FormPage {
    FormPage {
        user: caller.name,
        csrf: caller.csrf,
        heading: "Add a person".into(),
        action: "/people/new".into(),
        version: String::new(),
        f: Fields::default(),
        note: String::new(),
        error: None,
    }
}

/// The form again, with what was typed and why it was not saved.
fn form_again(
    caller: PageCaller,
    form: &PersonForm,
    heading: &str,
    action: String,
    status: StatusCode,
    error: String,
) -> Response {
    (
        status,
        FormPage {
            user: caller.name,
            csrf: caller.csrf,
            heading: heading.into(),
            action,
            version: form.version.clone(),
            f: form.fields(),
            note: form.note.clone(),
            error: Some(error),
        },
    )
        .into_response()
}

async fn create(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<PersonForm>,
) -> Result<Response, Problem> {
    let input = form.input(None);
    if let Err(p) = input.check() {
        let action = "/people/new".to_string();
        return Ok(form_again(
            caller,
            &form,
            "Add a person",
            action,
            StatusCode::UNPROCESSABLE_ENTITY,
            p.detail,
        ));
    }
    match state
        .app(caller.account)
        .add_person(&input.edit(None))
        .await
    {
        Ok(person) => Ok(Redirect::to(&format!("/people/{}", person.id)).into_response()),
        Err(AppError::Invalid(message)) => {
            let action = "/people/new".to_string();
            Ok(form_again(
                caller,
                &form,
                "Add a person",
                action,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    caller: PageCaller,
    PersonPath(id): PersonPath,
) -> Result<FormPage, Problem> {
    let person = state.app(caller.account).find_person(&id).await?;
    Ok(FormPage {
        user: caller.name,
        csrf: caller.csrf,
        heading: format!("Edit {}", person.name),
        action: format!("/people/{id}/edit"),
        version: person.version.to_string(),
        f: Fields::of(&person),
        note: String::new(),
        error: None,
    })
}

async fn update(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<PersonForm>,
) -> Result<Response, Problem> {
    let app = state.app(caller.account);
    let current = app.find_person(&id).await?;
    let heading = format!("Edit {}", current.name);
    let action = format!("/people/{id}/edit");
    // The version the form was loaded at: without it, a save could
    // overwrite a change made meanwhile, so it is required.
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return Ok(form_again(
            caller,
            &form,
            &heading,
            action,
            StatusCode::CONFLICT,
            "This form is incomplete: open the page again.".into(),
        ));
    };
    let input = form.input(Some(&current));
    if let Err(p) = input.check() {
        return Ok(form_again(
            caller,
            &form,
            &heading,
            action,
            StatusCode::UNPROCESSABLE_ENTITY,
            p.detail,
        ));
    }
    match app.edit_person_if(&id, &input.edit(Some(&current)), Some(version)).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(AppError::Stale(_)) => Ok(form_again(
            caller,
            &form,
            &heading,
            action,
            StatusCode::CONFLICT,
            "Someone changed this person while you were editing. Nothing was saved: open the page again to see their change, then redo yours.".into(),
        )),
        Err(AppError::Invalid(message)) => Ok(form_again(caller, &form, &heading, action, StatusCode::UNPROCESSABLE_ENTITY, message)),
        Err(e) => Err(e.into()),
    }
}

async fn delete(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    state.app(caller.account).delete_person(&id).await?;
    Ok(Redirect::to("/people").into_response())
}

#[derive(Deserialize)]
struct InteractionForm {
    csrf: String,
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
}

/// Logs an interaction from the person page, then shows the page again.
async fn log_interaction(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<InteractionForm>,
) -> Result<Response, Problem> {
    let kind = crate::http::input::parse_kind(&form.kind)?;
    state
        .app(caller.account)
        .log_interaction(&kith_app::interactions::NewInteraction {
            people: vec![id.clone()],
            kind,
            when: form.date,
            note: Some(form.note),
            direction: None,
        })
        .await?;
    Ok(Redirect::to(&format!("/people/{id}#interactions")).into_response())
}

struct DeletedRow {
    id: String,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "trash.html")]
struct TrashPage {
    user: String,
    csrf: String,
    people: Vec<DeletedRow>,
}

async fn trash_page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<TrashPage, Problem> {
    let people = state.app(caller.account).deleted_people().await?;
    Ok(TrashPage {
        user: caller.name,
        csrf: caller.csrf,
        people: people
            .into_iter()
            .map(|p| DeletedRow {
                id: p.id.to_string(),
                name: p.name,
            })
            .collect(),
    })
}

async fn restore(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let person = state.app(caller.account).restore_person(&id).await?;
    Ok(Redirect::to(&format!("/people/{}", person.id)).into_response())
}

crate::http::caller::has_csrf!(InteractionForm, PersonForm);
