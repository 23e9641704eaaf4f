//! REPORT on an address book: addressbook-multiget, addressbook-query and
//! sync-collection, each card in the version the client asked for.

use super::propfind::card_props;
use super::*;

pub(super) fn wanted_version(props: &ReportProps) -> Result<Option<Version>, Response> {
    match props
        .address_data
        .as_ref()
        .and_then(|a| a.version.as_deref())
    {
        None => Ok(None),
        Some(v) => Version::parse(v).map(Some).ok_or_else(|| {
            error(
                StatusCode::FORBIDDEN,
                &PropName::carddav("supported-address-data-conversion"),
                None,
            )
        }),
    }
}

/// What a REPORT answers for each card, worked out once from what it asks
/// for: the properties every card has alike, whether the ETag and the
/// card's text are wanted, and the properties no card has.
pub(super) struct CardAnswer {
    alike: Vec<(PropName, Value)>,
    etag: bool,
    data: bool,
    missing: Vec<PropName>,
}

impl CardAnswer {
    fn new(req: &Request, props: &ReportProps) -> CardAnswer {
        let getetag = PropName::dav("getetag");
        let all = card_props(req, "");
        let mut answer = CardAnswer {
            alike: Vec::new(),
            etag: false,
            data: props.address_data.is_some(),
            missing: Vec::new(),
        };
        for p in &props.props {
            if *p == getetag {
                answer.etag = true;
            } else {
                match all.iter().find(|(n, _)| n == p) {
                    Some(found) => answer.alike.push(found.clone()),
                    None => answer.missing.push(p.clone()),
                }
            }
        }
        answer
    }

    fn write(&self, ms: &mut Multistatus, req: &Request, body: &CardBody) {
        let mut found = Vec::with_capacity(self.alike.len() + 1);
        if self.etag {
            found.push((PropName::dav("getetag"), Value::Text(body.etag.clone())));
        }
        found.extend(self.alike.iter().cloned());
        let address_data = PropName::carddav("address-data");
        let data = self.data.then_some((&address_data, body.text.as_str()));
        ms.card(&req.card_href(&body.href), &found, data, &self.missing);
    }
}

/// Room for the answer of these cards (their text and the XML around it).
pub(super) fn reserve_for<'a>(ms: &mut Multistatus, bodies: impl Iterator<Item = &'a CardBody>) {
    ms.reserve(bodies.map(|b| b.text.len() + b.text.len() / 16 + 400).sum());
}

/// The card name an href in a REPORT points at, if it is in this book.
pub(super) fn card_name(req: &Request, href: &str) -> Option<String> {
    let path = match href.find("://") {
        Some(i) => {
            let rest = &href[i + 3..];
            &rest[rest.find('/')?..]
        }
        None => href,
    };
    let path = percent_decode_str(path).decode_utf8_lossy().into_owned();
    let book = percent_decode_str(&req.book())
        .decode_utf8_lossy()
        .into_owned();
    let name = path.strip_prefix(&book)?;
    (!name.is_empty() && !name.contains('/')).then(|| name.to_string())
}

pub(super) async fn book_report(req: &Request) -> Response {
    let report = match dav_proto::parse_report(&req.body) {
        Ok(r) => r,
        Err(e) => return bad_request(e.0),
    };
    match report {
        Report::Multiget { props, hrefs } => {
            let version = match wanted_version(&props) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let names: Vec<Option<String>> = hrefs.iter().map(|h| card_name(req, h)).collect();
            let known: Vec<String> = names.iter().flatten().cloned().collect();
            let read = match req.app.dav_read(&req.book, &known, version).await {
                Ok(r) => r,
                Err(e) => return internal(e),
            };
            let bodies: std::collections::HashMap<String, CardBody> = read
                .into_iter()
                .filter_map(|(href, body)| Some((href, body?)))
                .collect();
            let answer = CardAnswer::new(req, &props);
            let mut ms = Multistatus::new();
            reserve_for(&mut ms, bodies.values());
            for (href, name) in hrefs.iter().zip(names) {
                match name.and_then(|n| bodies.get(&n)) {
                    Some(body) => answer.write(&mut ms, req, body),
                    None => ms.status(href, 404),
                }
            }
            multistatus(ms)
        }
        Report::Query {
            props,
            filter,
            limit,
        } => {
            let version = match wanted_version(&props) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let keep = |text: &str| filter.matches(text);
            let found = match req.app.dav_query(&req.book, &keep, version, limit).await {
                Ok(f) => f,
                Err(e) => return internal(e),
            };
            let answer = CardAnswer::new(req, &props);
            let mut ms = Multistatus::new();
            reserve_for(&mut ms, found.iter());
            for body in &found {
                answer.write(&mut ms, req, body);
            }
            multistatus(ms)
        }
        Report::SyncCollection { token, props, .. } => {
            let version = match wanted_version(&props) {
                Ok(v) => v,
                Err(e) => return e,
            };
            let changes = match req.app.dav_changes(&req.book, &token).await {
                Ok(c) => c,
                Err(DavError::InvalidToken) => {
                    return error(
                        StatusCode::FORBIDDEN,
                        &PropName::dav("valid-sync-token"),
                        None,
                    );
                }
                Err(e) => return internal(e),
            };
            let answer = CardAnswer::new(req, &props);
            let mut ms = Multistatus::new();
            if props.address_data.is_some() {
                let hrefs: Vec<String> = changes.changed.iter().map(|c| c.href.clone()).collect();
                let read = match req.app.dav_read(&req.book, &hrefs, version).await {
                    Ok(r) => r,
                    Err(e) => return internal(e),
                };
                let bodies: Vec<CardBody> = read.into_iter().filter_map(|(_, b)| b).collect();
                reserve_for(&mut ms, bodies.iter());
                for body in &bodies {
                    answer.write(&mut ms, req, body);
                }
            } else {
                for c in &changes.changed {
                    let body = CardBody {
                        href: c.href.clone(),
                        etag: c.etag.clone(),
                        text: String::new(),
                    };
                    answer.write(&mut ms, req, &body);
                }
            }
            for href in &changes.removed {
                ms.status(&req.card_href(href), 404);
            }
            ms.sync_token(&changes.token);
            let mut answer = multistatus(ms);
            answer.extensions_mut().insert(crate::ops::CardDavSync);
            answer
        }
        // expand-property and the principal searches: an empty answer, as
        // web clients break on errors here.
        Report::Unsupported { .. } => multistatus(Multistatus::new()),
    }
}
