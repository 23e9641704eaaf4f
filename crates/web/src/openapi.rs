//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers'
//! annotations (utoipa) and served at `/api/v1/openapi.json`.

use crate::api;
use crate::problem::Problem;
use axum::Json;
use kith_app::PersonView;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kith",
        description = "kith's JSON API: your address book. Authenticate with `Authorization: Bearer TOKEN` (kith token create). Errors are RFC 9457 problem documents with a stable `code`.",
    ),
    paths(
        api::list_people,
        api::create_person,
        api::get_person,
        api::patch_person,
        api::delete_person
    ),
    components(schemas(PersonView, api::PersonInput, api::PeoplePage, Problem)),
    modifiers(&Bearer),
    security(("bearer" = [])),
    tags((name = "people", description = "The people in your address book")),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /api/v1/openapi.json` (public: it describes, it does not reveal).
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
