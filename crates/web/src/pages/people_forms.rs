//! The pages that change people: add, edit (refused when someone else
//! changed the person since the form was loaded), delete.

use super::flash::Flash;
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
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kith_app::{AppError, PersonView};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/people/new", get(new_page).post(create))
        .route("/people/{id}/edit", get(edit_page).post(update))
        .route("/people/{id}/delete", post(delete))
        .route("/people/{id}/interactions", post(log_interaction))
        .route(
            "/people/{id}/interactions/{interaction}",
            post(edit_interaction),
        )
        .route(
            "/people/{id}/interactions/{interaction}/delete",
            post(delete_interaction),
        )
        .route("/people/{id}/notes", post(add_note))
        .route("/people/{id}/restore", post(restore))
        .route("/trash", get(trash_page))
}

/// A birthday as typed, with "MM-DD" (no year) written as vCard's
/// "--MM-DD"; anything else as it is.
fn year_less(birthday: &str) -> String {
    let b = birthday.trim();
    let bytes = b.as_bytes();
    let month_day = bytes.len() == 5
        && bytes[2] == b'-'
        && bytes[..2].iter().chain(&bytes[3..]).all(u8::is_ascii_digit);
    if month_day {
        format!("--{b}")
    } else {
        b.to_string()
    }
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
            birthday: p
                .birthday
                .as_deref()
                .map(|b| b.strip_prefix("--").unwrap_or(b).to_string())
                .unwrap_or_default(),
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
            birthday: {
                let birthday = year_less(&self.birthday);
                match current {
                    Some(p) => changed(&birthday, p.birthday.as_ref()),
                    None => text(&birthday),
                }
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
        Ok(person) => Ok(Flash::new(format!("Added {}.", person.name))
            .redirect(&caller, &format!("/people/{}", person.id))),
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
        Ok(_) => Ok(Flash::new("Saved.").redirect(&caller, &format!("/people/{id}"))),
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
    let gone = state.app(caller.account).delete_person(&id).await?;
    Ok(Flash::new(format!(
        "{} is in the deleted people for 30 days.",
        gone.name
    ))
    .undo(&format!("/people/{id}/restore"), &[])
    .redirect(&caller, "/people"))
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
    let back = format!("/people/{id}#interactions");
    let kind = match crate::http::input::parse_kind(&form.kind) {
        Ok(kind) => kind,
        Err(e) => return Ok(Flash::error(e.detail).redirect(&caller, &back)),
    };
    let logged = state
        .app(caller.account)
        .log_interaction(&kith_app::interactions::NewInteraction {
            people: vec![id.clone()],
            kind,
            when: form.date,
            note: Some(form.note),
            direction: None,
        })
        .await;
    match logged {
        Ok(i) => Ok(Flash::new(format!(
            "Logged a {} on {}.",
            i.kind.as_str(),
            i.at.chars().take(10).collect::<String>()
        ))
        .undo(&format!("/people/{id}/interactions/{}/delete", i.id), &[])
        .redirect(&caller, &back)),
        Err(AppError::Invalid(message)) => Ok(Flash::error(message).redirect(&caller, &back)),
        Err(e) => Err(e.into()),
    }
}

/// The person and interaction of an interaction's path.
#[derive(Deserialize)]
struct InteractionPath {
    id: String,
    interaction: String,
}

/// Changes a logged interaction from the person page.
async fn edit_interaction(
    State(state): State<AppState>,
    axum::extract::Path(path): axum::extract::Path<InteractionPath>,
    SignedForm(caller, form): SignedForm<InteractionForm>,
) -> Result<Response, Problem> {
    let id = crate::http::problem::person_id(&path.id)?;
    let back = format!("/people/{id}#interactions");
    let kind = match crate::http::input::parse_kind(&form.kind) {
        Ok(kind) => kind,
        Err(e) => return Ok(Flash::error(e.detail).redirect(&caller, &back)),
    };
    let edited = state
        .app(caller.account)
        .edit_interaction(&path.interaction, kind, &form.date, &form.note)
        .await;
    match edited {
        Ok(()) => Ok(Flash::new("Saved the interaction.").redirect(&caller, &back)),
        Err(AppError::Invalid(message)) => Ok(Flash::error(message).redirect(&caller, &back)),
        Err(e) => Err(e.into()),
    }
}

async fn delete_interaction(
    State(state): State<AppState>,
    axum::extract::Path(path): axum::extract::Path<InteractionPath>,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let id = crate::http::problem::person_id(&path.id)?;
    state
        .app(caller.account)
        .delete_interaction(&path.interaction)
        .await?;
    Ok(Flash::new("Deleted the interaction.")
        .redirect(&caller, &format!("/people/{id}#interactions")))
}

#[derive(Deserialize)]
struct NoteForm {
    csrf: String,
    note: String,
}

/// Adds a note to the person's card.
async fn add_note(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<NoteForm>,
) -> Result<Response, Problem> {
    let back = format!("/people/{id}#details");
    let note = form.note.trim();
    if note.is_empty() {
        return Ok(Flash::error("Write the note first.").redirect(&caller, &back));
    }
    let edit = kith_app::people::PersonEdit {
        add_notes: vec![note.to_string()],
        ..Default::default()
    };
    match state.app(caller.account).edit_person(&id, &edit).await {
        Ok(_) => Ok(Flash::new("Added the note.").redirect(&caller, &back)),
        Err(AppError::Invalid(message)) => Ok(Flash::error(message).redirect(&caller, &back)),
        Err(e) => Err(e.into()),
    }
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
    Ok(Flash::new(format!("Restored {}.", person.name))
        .redirect(&caller, &format!("/people/{}", person.id)))
}

crate::http::caller::has_csrf!(InteractionForm, PersonForm, NoteForm);
