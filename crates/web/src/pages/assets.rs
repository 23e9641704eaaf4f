//! kith's own stylesheet and script, served with a cache lifetime.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The people page's search as you type (the page works without it).
pub(crate) async fn search_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/search.js"),
    )
        .into_response()
}

/// Every page's small enhancements (the pages work without it).
pub(crate) async fn page_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/kith.js"),
    )
        .into_response()
}

pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/kith.css"),
    )
        .into_response()
}
