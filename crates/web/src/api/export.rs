//! `/api/v1/export`: the whole address book as one file.

use crate::http::caller::ApiCaller;
use crate::http::input::ApiQuery;
use crate::http::problem::Problem;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use kith_app::PersonView;
use kith_app::export::ExportFormat;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ExportQuery {
    /// vcard4 (default), vcard3, csv or json.
    format: Option<ExportKind>,
}

/// The file formats of an export.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum ExportKind {
    Vcard4,
    Vcard3,
    Csv,
    Json,
}

/// The whole address book as one file.
#[utoipa::path(get, path = "/api/v1/export", params(ExportQuery), tag = "export",
    responses(
        (status = 200, description = "The file", content(
            (String = "text/vcard"),
            (String = "text/csv"),
            (Vec<PersonView> = "application/json"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn export(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, Problem> {
    use kith_app::types::VcardVersion as Version;
    let (format, file, content_type) = match q.format.unwrap_or(ExportKind::Vcard4) {
        ExportKind::Vcard4 => (
            ExportFormat::Vcard(Version::V4),
            "kith.vcf",
            "text/vcard; charset=utf-8",
        ),
        ExportKind::Vcard3 => (
            ExportFormat::Vcard(Version::V3),
            "kith.vcf",
            "text/vcard; charset=utf-8",
        ),
        ExportKind::Csv => (ExportFormat::Csv, "kith.csv", "text/csv; charset=utf-8"),
        ExportKind::Json => (ExportFormat::Json, "kith.json", "application/json"),
    };
    crate::export::export_download(&state, caller.account, format, file, content_type).await
}
