//! The whole address book as a download, for the API and the export page.

use crate::http::problem::Problem;
use crate::state::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kith_app::export::ExportFormat;

/// The whole address book of `account` as a download.
pub(crate) async fn export_download(
    state: &AppState,
    account: kith_core::AccountId,
    format: ExportFormat,
    file: &str,
    content_type: &str,
) -> Result<Response, Problem> {
    let body = state.app(account).export_bytes(format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}
