//! Extended MKCOL (RFC 5689): a new address book.

use super::*;

/// Extended MKCOL (RFC 5689): a new address book.
pub(super) async fn mkcol(req: &Request) -> Response {
    let mk = match dav_proto::parse_mkcol(&req.body) {
        Ok(m) => m,
        Err(e) => return bad_request(e.0),
    };
    if !req.body.is_empty() && !mk.addressbook {
        return error(
            StatusCode::FORBIDDEN,
            &PropName::dav("valid-resourcetype"),
            None,
        );
    }
    match req
        .app
        .dav_create_book(
            &req.book,
            mk.displayname.as_deref(),
            mk.description.as_deref(),
        )
        .await
    {
        Ok(true) => StatusCode::CREATED.into_response(),
        Ok(false) => (StatusCode::METHOD_NOT_ALLOWED, "The address book exists\n").into_response(),
        Err(kith_app::AppError::Invalid(m)) => (StatusCode::FORBIDDEN, m + "\n").into_response(),
        Err(e) => internal(e),
    }
}
