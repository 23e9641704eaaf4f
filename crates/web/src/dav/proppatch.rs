//! PROPPATCH on an address book: its display name and description.

use super::*;

pub(super) async fn book_proppatch(req: &Request) -> Response {
    let patch = match dav_proto::parse_proppatch(&req.body) {
        Ok(p) => p,
        Err(e) => return bad_request(e.0),
    };
    let settable = |p: &PropName| {
        if p.is(DAV, "displayname") {
            Some(BookLabel::Name)
        } else if p.is(CARDDAV, "addressbook-description") {
            Some(BookLabel::Description)
        } else {
            None
        }
    };
    let all: Vec<PropName> = patch
        .set
        .iter()
        .map(|(p, _)| p.clone())
        .chain(patch.remove.iter().cloned())
        .collect();
    let refused: Vec<PropName> = all
        .iter()
        .filter(|p| settable(p).is_none())
        .cloned()
        .collect();
    let mut ms = Multistatus::new();
    if !refused.is_empty() {
        // All or nothing (RFC 4918 §9.2): the others fail by dependency.
        let others: Vec<PropName> = all
            .iter()
            .filter(|p| settable(p).is_some())
            .cloned()
            .collect();
        ms.response_statuses(&req.book(), &[(403, refused), (424, others)]);
        return multistatus(ms);
    }
    for (p, value) in &patch.set {
        if let Some(which) = settable(p)
            && let Err(e) = req
                .app
                .set_dav_book_label(&req.book, which, Some(value))
                .await
        {
            return internal(e);
        }
    }
    for p in &patch.remove {
        if let Some(which) = settable(p)
            && let Err(e) = req.app.set_dav_book_label(&req.book, which, None).await
        {
            return internal(e);
        }
    }
    ms.response_statuses(&req.book(), &[(200, all)]);
    multistatus(ms)
}
