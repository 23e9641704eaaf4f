//! The HTML pages (askama, rendered on the server, working without
//! JavaScript), one module per part of the app. Pages take their input
//! through `crate::http`; none imports an API module (the tidy test checks).

mod assets;
mod card;
mod dav_setup;
mod home;
mod import;
mod network;
mod network_map;
mod organizations;
mod people;
mod people_forms;
mod review;
mod session;
mod settings;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;

/// Every page's route.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(people::routes())
        .merge(people_forms::routes())
        .merge(review::routes())
        .merge(import::routes())
        .merge(settings::routes())
        .merge(organizations::routes())
        .merge(home::routes())
        .merge(network::routes())
        .merge(card::routes())
        .merge(dav_setup::routes())
        .route("/static/kith.css", get(assets::stylesheet))
        .route("/static/search.js", get(assets::search_script))
}
