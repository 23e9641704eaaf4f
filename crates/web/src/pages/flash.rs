//! What just happened: a change made by a form says so on the page it leads
//! back to ("Merged Bob Smith into Robert Smith. [Undo]"). The handler
//! redirects with a short-lived cookie; the next HTML page shows it once,
//! in the place `base.html` keeps for it, then the cookie is cleared.
//!
//! The cookie carries the session's form token for the Undo button, so a
//! cookie planted by someone else makes a button whose form is refused.

use crate::http::caller::PageCaller;
use crate::http::encode::local_path;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

const FLASH_COOKIE: &str = "kith_flash";
/// Where base.html wants the notice.
const MARK: &str = "<!--kith:flash-->";
/// A page bigger than this is shown without its notice rather than held.
const MAX_PAGE: usize = 16 * 1024 * 1024;

/// A notice, and what its Undo button posts (if kith can undo the change).
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct Flash {
    #[serde(rename = "t")]
    text: String,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    undo: Option<Undo>,
    #[serde(rename = "c", default)]
    csrf: String,
    /// Something went wrong (shown as an alert, not a status).
    #[serde(rename = "e", default, skip_serializing_if = "std::ops::Not::not")]
    error: bool,
}

#[derive(Serialize, Deserialize)]
struct Undo {
    #[serde(rename = "a")]
    action: String,
    #[serde(rename = "f")]
    fields: Vec<(String, String)>,
}

impl Flash {
    pub(crate) fn new(text: impl Into<String>) -> Flash {
        Flash {
            text: text.into(),
            ..Flash::default()
        }
    }

    /// A form that could not be used, said on the page it came from.
    pub(crate) fn error(text: impl Into<String>) -> Flash {
        Flash {
            text: text.into(),
            error: true,
            ..Flash::default()
        }
    }

    /// Adds an Undo button that posts `fields` to the local path `action`.
    pub(crate) fn undo(mut self, action: &str, fields: &[(&str, &str)]) -> Flash {
        self.undo = Some(Undo {
            action: action.to_string(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        });
        self
    }

    /// Redirects to `to` (a local path, else Home) with this notice.
    pub(crate) fn redirect(mut self, caller: &PageCaller, to: &str) -> Response {
        self.csrf = caller.csrf.clone();
        let value = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self).unwrap_or_default());
        let cookie = Cookie::build((FLASH_COOKIE, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::seconds(120))
            .build();
        let to = local_path(to).unwrap_or("/");
        (CookieJar::new().add(cookie), Redirect::to(to)).into_response()
    }

    fn html(&self) -> String {
        let mut out = String::from(if self.error {
            "<div class=\"notice error\" role=\"alert\"><span>"
        } else {
            "<div class=\"notice\" role=\"status\"><span>"
        });
        out.push_str(&kith_app::notify::html_escape(&self.text));
        out.push_str("</span>");
        if let Some(undo) = &self.undo
            && let Some(action) = local_path(&undo.action)
        {
            out.push_str("<form method=\"post\" class=\"inline\" action=\"");
            out.push_str(&kith_app::notify::html_escape(action));
            out.push_str("\"><input type=\"hidden\" name=\"csrf\" value=\"");
            out.push_str(&kith_app::notify::html_escape(&self.csrf));
            out.push_str("\">");
            for (k, v) in &undo.fields {
                out.push_str("<input type=\"hidden\" name=\"");
                out.push_str(&kith_app::notify::html_escape(k));
                out.push_str("\" value=\"");
                out.push_str(&kith_app::notify::html_escape(v));
                out.push_str("\">");
            }
            out.push_str("<button type=\"submit\" class=\"secondary\">Undo</button></form>");
        }
        out.push_str("</div>");
        out
    }
}

/// Shows a pending notice on the next HTML page and clears it.
pub(crate) async fn render(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let Some(flash) = jar.get(FLASH_COOKIE).map(|c| c.value().to_string()) else {
        return next.run(request).await;
    };
    let response = next.run(request).await;
    let is_page = response.status() == StatusCode::OK
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !is_page {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the page was too large").into_response();
    };
    let notice = URL_SAFE_NO_PAD
        .decode(flash.as_bytes())
        .ok()
        .and_then(|b| serde_json::from_slice::<Flash>(&b).ok())
        .map(|f| f.html())
        .unwrap_or_default();
    let page = String::from_utf8_lossy(&bytes).replacen(MARK, &notice, 1);
    parts.headers.remove(header::CONTENT_LENGTH);
    let clear = Cookie::build((FLASH_COOKIE, ""))
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build();
    if let Ok(value) = HeaderValue::from_str(&clear.to_string()) {
        parts.headers.append(header::SET_COOKIE, value);
    }
    Response::from_parts(parts, Body::from(page))
}
