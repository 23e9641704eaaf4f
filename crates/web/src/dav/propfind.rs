//! PROPFIND: the root, the principal (also the address-book home), an
//! address book and its cards, with the properties clients ask for.

use super::*;

/// Answers a PROPFIND on one resource and, at depth 1, its members.
pub(super) fn propfind_answer(
    request: &PropFind,
    resources: Vec<(String, Vec<(PropName, Value)>)>,
) -> Response {
    let mut ms = Multistatus::new();
    for (href, props) in resources {
        match request {
            PropFind::AllProp => ms.response(&href, &props, &[]),
            PropFind::PropName => {
                let names: Vec<(PropName, Value)> =
                    props.into_iter().map(|(n, _)| (n, Value::Empty)).collect();
                ms.response(&href, &names, &[]);
            }
            PropFind::Prop(wanted) => {
                let mut found = Vec::new();
                let mut missing = Vec::new();
                for w in wanted {
                    match props.iter().find(|(n, _)| n == w) {
                        Some((n, v)) => found.push((n.clone(), v.clone())),
                        None => missing.push(w.clone()),
                    }
                }
                ms.response(&href, &found, &missing);
            }
        }
    }
    multistatus(ms)
}

pub(super) fn parse_propfind(req: &Request) -> Result<PropFind, Response> {
    dav_proto::parse_propfind(&req.body).map_err(|e| bad_request(e.0))
}

pub(super) fn collection_props(req: &Request, display: &str) -> Vec<(PropName, Value)> {
    vec![
        (
            PropName::dav("current-user-principal"),
            Value::Href(req.principal()),
        ),
        (PropName::dav("displayname"), Value::Text(display.into())),
    ]
}

pub(super) async fn root(req: &Request) -> Response {
    root_at(req, "/dav/").await
}

pub(super) async fn root_at(req: &Request, href: &str) -> Response {
    if req.method.as_str() != "PROPFIND" {
        return method_not_allowed();
    }
    let (request, depth) = match (parse_propfind(req), req.depth()) {
        (Ok(r), Ok(d)) => (r, d),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let mut props = collection_props(req, "kith");
    props.push((
        PropName::dav("resourcetype"),
        resourcetype(&[PropName::dav("collection")]),
    ));
    props.push((
        PropName::dav("principal-collection-set"),
        Value::Href("/dav/".into()),
    ));
    let mut resources = vec![(href.to_string(), props)];
    if depth == 1 {
        resources.push((req.principal(), principal_props(req)));
    }
    propfind_answer(&request, resources)
}

pub(super) fn principal_props(req: &Request) -> Vec<(PropName, Value)> {
    let mut props = collection_props(req, &req.user);
    props.extend([
        (
            PropName::dav("resourcetype"),
            resourcetype(&[PropName::dav("collection"), PropName::dav("principal")]),
        ),
        (PropName::dav("principal-URL"), Value::Href(req.principal())),
        (
            PropName::carddav("addressbook-home-set"),
            Value::Href(req.principal()),
        ),
        (
            PropName::dav("principal-collection-set"),
            Value::Href("/dav/".into()),
        ),
        (
            PropName::dav("current-user-privilege-set"),
            privileges(&["read"]),
        ),
        (
            PropName::dav("supported-report-set"),
            supported_reports(&[]),
        ),
    ]);
    props
}

pub(super) async fn principal(req: &Request) -> Response {
    match req.method.as_str() {
        "PROPFIND" => {}
        "GET" | "HEAD" => return text_page(req),
        _ => return method_not_allowed(),
    }
    let (request, depth) = match (parse_propfind(req), req.depth()) {
        (Ok(r), Ok(d)) => (r, d),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let mut resources = vec![(req.principal(), principal_props(req))];
    if depth == 1 {
        let books = match req.app.dav_books().await {
            Ok(b) => b,
            Err(e) => return internal(e),
        };
        for b in &books {
            match book_props(req, b).await {
                Ok(p) => resources.push((req.book_href(&b.name), p)),
                Err(e) => return internal(e),
            }
        }
    }
    propfind_answer(&request, resources)
}

pub(super) async fn book_props(
    req: &Request,
    book: &DavBook,
) -> Result<Vec<(PropName, Value)>, kith_app::AppError> {
    let token = req.app.dav_token().await?;
    let name = book.displayname.clone().unwrap_or_else(|| {
        if book.name == DEFAULT_BOOK {
            "Contacts".into()
        } else {
            book.name.clone()
        }
    });
    let description = book.description.clone().unwrap_or_else(|| {
        if book.name == DEFAULT_BOOK {
            format!("{}'s people in kith", req.user)
        } else {
            String::new()
        }
    });
    let mut props = collection_props(req, &name);
    props.extend([
        (
            PropName::dav("resourcetype"),
            resourcetype(&[
                PropName::dav("collection"),
                PropName::carddav("addressbook"),
            ]),
        ),
        (PropName::dav("owner"), Value::Href(req.principal())),
        (
            PropName::dav("current-user-privilege-set"),
            privileges(&[
                "read",
                "write",
                "write-properties",
                "write-content",
                "bind",
                "unbind",
            ]),
        ),
        (
            PropName::dav("supported-report-set"),
            supported_reports(&[
                PropName::dav("sync-collection"),
                PropName::carddav("addressbook-multiget"),
                PropName::carddav("addressbook-query"),
            ]),
        ),
        (
            PropName::carddav("supported-address-data"),
            supported_address_data(&["3.0", "4.0"]),
        ),
        (
            PropName::carddav("max-resource-size"),
            Value::Text(kith_app::carddav::MAX_CARD_BYTES.to_string()),
        ),
        (
            PropName::carddav("addressbook-description"),
            Value::Text(description),
        ),
        (PropName::new(CS, "getctag"), Value::Text(token.clone())),
        (PropName::dav("sync-token"), Value::Text(token)),
    ]);
    Ok(props)
}

pub(super) fn card_props(req: &Request, etag: &str) -> Vec<(PropName, Value)> {
    vec![
        (PropName::dav("resourcetype"), Value::Empty),
        (PropName::dav("getetag"), Value::Text(etag.to_string())),
        (
            PropName::dav("getcontenttype"),
            Value::Text("text/vcard; charset=utf-8".into()),
        ),
        (
            PropName::dav("current-user-principal"),
            Value::Href(req.principal()),
        ),
    ]
}

pub(super) async fn book_propfind(req: &Request) -> Response {
    let (request, depth) = match (parse_propfind(req), req.depth()) {
        (Ok(r), Ok(d)) => (r, d),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let book = match req.app.dav_book(&req.book).await {
        Ok(Some(b)) => b,
        Ok(None) => return not_found(),
        Err(e) => return internal(e),
    };
    let props = match book_props(req, &book).await {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    let mut resources = vec![(req.book(), props)];
    if depth == 1 {
        let wants_data = matches!(&request, PropFind::Prop(w) if w.iter().any(|p| p.is(CARDDAV, "address-data")));
        let cards = match req.app.dav_list(&req.book).await {
            Ok(c) => c,
            Err(e) => return internal(e),
        };
        let bodies = if wants_data {
            let hrefs: Vec<String> = cards.iter().map(|c| c.href.clone()).collect();
            match req.app.dav_read(&req.book, &hrefs, None).await {
                Ok(b) => b
                    .into_iter()
                    .filter_map(|(_, b)| b)
                    .map(|b| (b.href.clone(), b))
                    .collect(),
                Err(e) => return internal(e),
            }
        } else {
            std::collections::HashMap::<String, CardBody>::new()
        };
        for c in cards {
            let mut props = card_props(req, &c.etag);
            if let Some(b) = bodies.get(&c.href) {
                props.push((
                    PropName::carddav("address-data"),
                    Value::Text(b.text.clone()),
                ));
            }
            resources.push((req.card_href(&c.href), props));
        }
    }
    propfind_answer(&request, resources)
}
