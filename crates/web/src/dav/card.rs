//! One card: GET/HEAD, PUT (with If-Match / If-None-Match) and DELETE.

use super::propfind::{card_props, parse_propfind, propfind_answer};
use super::*;

pub(super) async fn card(req: &Request, name: &str) -> Response {
    match req.method.as_str() {
        "GET" | "HEAD" => {
            // Content negotiation: `Accept: text/vcard; version=4.0`.
            let wanted = req.header("accept").and_then(|a| {
                a.split([';', ',']).find_map(|p| {
                    let v = p.trim().strip_prefix("version=")?;
                    Version::parse(v.trim_matches('"'))
                })
            });
            let read = match req
                .app
                .dav_read(&req.book, &[name.to_string()], wanted)
                .await
            {
                Ok(r) => r,
                Err(e) => return internal(e),
            };
            let Some(Some(body)) = read.into_iter().next().map(|(_, b)| b) else {
                return not_found();
            };
            let etag =
                HeaderValue::from_str(&body.etag).unwrap_or(HeaderValue::from_static("\"\""));
            let content = if req.method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(body.text)
            };
            (
                StatusCode::OK,
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/vcard; charset=utf-8"),
                    ),
                    (header::ETAG, etag),
                ],
                content,
            )
                .into_response()
        }
        "PUT" => put_card(req, name).await,
        "DELETE" => match req
            .app
            .dav_delete(&req.book, name, req.header("if-match"))
            .await
        {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(DavError::NotFound) => not_found(),
            Err(DavError::PreconditionFailed) => (
                StatusCode::PRECONDITION_FAILED,
                "The card changed since you read it\n",
            )
                .into_response(),
            Err(e) => internal(e),
        },
        "PROPFIND" => {
            let request = match parse_propfind(req) {
                Ok(r) => r,
                Err(e) => return e,
            };
            let read = match req.app.dav_read(&req.book, &[name.to_string()], None).await {
                Ok(r) => r,
                Err(e) => return internal(e),
            };
            let Some(Some(body)) = read.into_iter().next().map(|(_, b)| b) else {
                return not_found();
            };
            let mut props = card_props(req, &body.etag);
            props.push((PropName::carddav("address-data"), Value::Text(body.text)));
            propfind_answer(&request, vec![(req.card_href(name), props)])
        }
        _ => method_not_allowed(),
    }
}

pub(super) async fn put_card(req: &Request, name: &str) -> Response {
    let Ok(text) = std::str::from_utf8(&req.body) else {
        return error(
            StatusCode::FORBIDDEN,
            &PropName::carddav("supported-address-data"),
            None,
        );
    };
    let if_none_match = req.header("if-none-match").is_some_and(|v| v.trim() == "*");
    match req
        .app
        .dav_put(&req.book, name, text, req.header("if-match"), if_none_match)
        .await
    {
        Ok(stored) => {
            let status = if stored.created {
                StatusCode::CREATED
            } else {
                StatusCode::NO_CONTENT
            };
            let etag =
                HeaderValue::from_str(&stored.etag).unwrap_or(HeaderValue::from_static("\"\""));
            (status, [(header::ETAG, etag)]).into_response()
        }
        Err(DavError::PreconditionFailed) => (
            StatusCode::PRECONDITION_FAILED,
            "The card changed (or exists) since you read it\n",
        )
            .into_response(),
        Err(DavError::UidConflict(href)) => error(
            StatusCode::CONFLICT,
            &PropName::carddav("no-uid-conflict"),
            Some(&format!(
                "<D:href>{}</D:href>",
                dav_proto::xml::escape(&req.card_href(&href))
            )),
        ),
        Err(DavError::InvalidCard(message)) => {
            // The reason may quote the card: only at debug level.
            tracing::info!(card = %name, "CardDAV: a card was refused");
            tracing::debug!(card = %name, reason = %message, "CardDAV: why the card was refused");
            error(
                StatusCode::FORBIDDEN,
                &PropName::carddav("valid-address-data"),
                None,
            )
        }
        Err(DavError::NotFound) => not_found(),
        Err(e) => internal(e),
    }
}
