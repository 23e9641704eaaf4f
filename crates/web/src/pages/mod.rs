//! The HTML pages (askama, rendered on the server, working without
//! JavaScript), one module per part of the app. Pages take their input
//! through `crate::http`; none imports an API module (the tidy test checks).

mod assets;
mod card;
mod dav_setup;
mod flash;
mod home;
mod import;
mod network;
mod network_map;
mod organizations;
mod people;
mod people_forms;
mod review;
mod search;
mod session;
mod settings;
mod sources;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;

/// "Engineer at Acme", "Acme", "Engineer" or "": a person's current role.
pub(crate) fn role_line(title: Option<&str>, organization: Option<&str>) -> String {
    match (title, organization) {
        (Some(t), Some(o)) => format!("{t} at {o}"),
        (None, Some(o)) => o.to_string(),
        (Some(t), None) => t.to_string(),
        (None, None) => String::new(),
    }
}

/// What tells a person apart in a list: their role, else their first email.
pub(crate) fn person_line(p: &kith_app::PersonView) -> String {
    match role_line(p.title.as_deref(), p.organization.as_deref()) {
        line if line.is_empty() => p.emails.first().cloned().unwrap_or_default(),
        line => line,
    }
}

/// Every page's route.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(people::routes())
        .merge(people_forms::routes())
        .merge(review::routes())
        .merge(import::routes())
        .merge(settings::routes())
        .merge(sources::routes())
        .merge(organizations::routes())
        .merge(home::routes())
        .merge(network::routes())
        .merge(card::routes())
        .merge(dav_setup::routes())
        .merge(search::routes())
        .route("/static/kith.css", get(assets::stylesheet))
        .route("/static/search.js", get(assets::search_script))
        .route("/static/kith.js", get(assets::page_script))
        .layer(axum::middleware::from_fn(flash::render))
}
