//! Reading a CalDAV or CardDAV server: finding its calendars or address
//! books from any URL of the account (the collection itself, the home,
//! the principal, the server's root or `/.well-known/`), listing a
//! collection's members with their ETags, and fetching changed members in
//! multigets of [`MULTIGET`]. Every answer is bounded in size; a 401 or
//! 403 is a wrong password, other failures say what was asked.

use super::http::Http;
use super::{SourceError, SyncContext};
use dav_proto::client::{Entry, parse_multistatus};
use hyper::{Method, StatusCode};
use url::Url;

/// Members fetched in one multiget.
pub(crate) const MULTIGET: usize = 100;
/// The largest multistatus answer read (a listing of 100,000 members is
/// about 20 MB).
const MAX_ANSWER: usize = 48 * 1024 * 1024;
/// The largest ICS file read.
pub(crate) const MAX_ICS: usize = 64 * 1024 * 1024;
/// Collections one source follows.
const MAX_COLLECTIONS: usize = 50;

/// Which collections a source reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    Calendars,
    AddressBooks,
}

impl Want {
    fn matches(self, e: &Entry) -> bool {
        match self {
            // A calendar that says what it holds must hold events.
            Want::Calendars => {
                e.is_calendar()
                    && (e.components.is_empty() || e.components.iter().any(|c| c == "VEVENT"))
            }
            Want::AddressBooks => e.is_addressbook(),
        }
    }
    fn home(self, e: &Entry) -> Option<&str> {
        match self {
            Want::Calendars => e.calendar_home.as_deref(),
            Want::AddressBooks => e.addressbook_home.as_deref(),
        }
    }
    fn well_known(self) -> &'static str {
        match self {
            Want::Calendars => "/.well-known/caldav",
            Want::AddressBooks => "/.well-known/carddav",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Want::Calendars => "calendar",
            Want::AddressBooks => "address book",
        }
    }
}

/// One member of a collection: its URL (the key kith keeps) and ETag.
pub(crate) struct Member {
    pub(crate) url: String,
    pub(crate) href: String,
    pub(crate) etag: Option<String>,
}

/// The HTTP side of one sync.
pub(crate) struct Dav {
    http: Http,
}

impl Dav {
    pub(crate) fn new(ctx: &SyncContext<'_>) -> Result<Dav, SourceError> {
        Ok(Dav {
            http: Http::new(
                ctx.policy,
                ctx.row.login.as_deref(),
                ctx.password.as_deref(),
            ),
        })
    }

    async fn multistatus(
        &mut self,
        method: &str,
        url: &Url,
        depth: &str,
        body: String,
        what: &str,
    ) -> Result<Vec<Entry>, SourceError> {
        let method = Method::from_bytes(method.as_bytes()).expect("a WebDAV method");
        let answer = self
            .http
            .send(
                method,
                url,
                &[("Depth", depth)],
                Some(body),
                MAX_ANSWER,
                what,
            )
            .await?;
        parse_multistatus(&answer.body, "the server's answer")
            .map_err(|e| SourceError::protocol(format!("{what}: {}", e.0)))
    }

    /// The calendars or address books to read, found from `start`.
    pub(crate) async fn collections(
        &mut self,
        start: &Url,
        want: Want,
    ) -> Result<Vec<Url>, SourceError> {
        let what = format!("looking for {}s at {start}", want.noun());
        let mut tried = Vec::new();
        // A stack: the URL first, then the server's well-known address.
        let mut next = Vec::new();
        if start.path() == "/" || start.path().is_empty() {
            next.push(
                start
                    .join(want.well_known())
                    .map_err(|e| SourceError::protocol(e.to_string()))?,
            );
        }
        next.push(start.clone());
        // Each step: the URL itself, what it points to (home, principal).
        while let Some(url) = next.pop() {
            if tried.contains(&url) || tried.len() >= 6 {
                continue;
            }
            tried.push(url.clone());
            let entries = match self
                .multistatus(
                    "PROPFIND",
                    &url,
                    "0",
                    dav_proto::client::propfind_discovery(),
                    &what,
                )
                .await
            {
                Ok(e) => e,
                Err(e) if e.kind == super::FailureKind::Protocol && tried.len() > 1 => continue,
                Err(e) => return Err(e),
            };
            let Some(me) = entries.iter().find(|e| e.ok) else {
                continue;
            };
            if want.matches(me) {
                return Ok(vec![url]);
            }
            if let Some(home) = want.home(me) {
                let home = url
                    .join(home)
                    .map_err(|e| SourceError::protocol(e.to_string()))?;
                let found = self.children(&home, want, &what).await?;
                if !found.is_empty() {
                    return Ok(found);
                }
            }
            if let Some(principal) = me.principal.as_deref() {
                next.push(
                    url.join(principal)
                        .map_err(|e| SourceError::protocol(e.to_string()))?,
                );
            }
            // A collection of collections (a home given as the URL).
            if me.is_collection() {
                let found = self.children(&url, want, &what).await?;
                if !found.is_empty() {
                    return Ok(found);
                }
            }
        }
        Err(SourceError::protocol(format!(
            "no {} found at {start}: give the URL of the {} itself, or of your account on that server",
            want.noun(),
            want.noun()
        )))
    }

    /// The collections of the wanted kind directly inside `home`.
    async fn children(
        &mut self,
        home: &Url,
        want: Want,
        what: &str,
    ) -> Result<Vec<Url>, SourceError> {
        let entries = self
            .multistatus(
                "PROPFIND",
                home,
                "1",
                dav_proto::client::propfind_discovery(),
                what,
            )
            .await?;
        let mut out = Vec::new();
        for e in entries.iter().filter(|e| e.ok && want.matches(e)) {
            let url = home
                .join(&e.href)
                .map_err(|e| SourceError::protocol(e.to_string()))?;
            if !out.contains(&url) && out.len() < MAX_COLLECTIONS {
                out.push(url);
            }
        }
        Ok(out)
    }

    /// The members of each collection: those found last time (`cached`),
    /// else (or when one of them is gone) those found from `start` now.
    pub(crate) async fn list_collections(
        &mut self,
        start: &Url,
        cached: Vec<Url>,
        want: Want,
    ) -> Result<(Vec<Url>, Vec<(Url, Vec<Member>)>), SourceError> {
        let fresh = cached.is_empty();
        let collections = if fresh {
            self.collections(start, want).await?
        } else {
            cached
        };
        let mut listed = Vec::new();
        for c in &collections {
            match self.members(c).await {
                Ok(m) => listed.push((c.clone(), m)),
                // A collection moved or removed since: look again, once.
                Err(e) if e.kind == super::FailureKind::Protocol && !fresh => {
                    return Box::pin(self.list_collections(start, Vec::new(), want)).await;
                }
                Err(e) => return Err(e),
            }
        }
        Ok((collections, listed))
    }

    /// A collection's members (not sub-collections) with their ETags.
    pub(crate) async fn members(&mut self, collection: &Url) -> Result<Vec<Member>, SourceError> {
        let what = format!("listing {collection}");
        let entries = self
            .multistatus(
                "PROPFIND",
                collection,
                "1",
                dav_proto::client::propfind_etags(),
                &what,
            )
            .await?;
        let mut out = Vec::new();
        for e in entries {
            if !e.ok || e.is_collection() {
                continue;
            }
            let url = collection.join(&e.href).map_err(|err| {
                SourceError::protocol(format!("{what}: the href {:?}: {err}", e.href))
            })?;
            out.push(Member {
                url: url.to_string(),
                href: e.href,
                etag: e.etag,
            });
        }
        Ok(out)
    }

    /// The members' data (calendar objects or vCards), by URL, with ETags.
    pub(crate) async fn multiget(
        &mut self,
        collection: &Url,
        hrefs: &[&str],
        want: Want,
    ) -> Result<Vec<(String, Option<String>, String)>, SourceError> {
        let what = format!("reading {collection}");
        let mut out = Vec::new();
        for chunk in hrefs.chunks(MULTIGET) {
            let body = match want {
                Want::Calendars => dav_proto::client::calendar_multiget(chunk.iter().copied()),
                Want::AddressBooks => {
                    dav_proto::client::addressbook_multiget(chunk.iter().copied())
                }
            };
            for e in self
                .multistatus("REPORT", collection, "1", body, &what)
                .await?
            {
                if let (true, Some(data)) = (e.ok, e.data) {
                    let url = collection
                        .join(&e.href)
                        .map_err(|err| SourceError::protocol(format!("{what}: {err}")))?;
                    out.push((url.to_string(), e.etag, data));
                }
            }
        }
        Ok(out)
    }

    /// A file (an ICS link): None when it has not changed since `etag`.
    pub(crate) async fn get(
        &mut self,
        url: &Url,
        etag: Option<&str>,
    ) -> Result<Option<(Vec<u8>, Option<String>)>, SourceError> {
        let what = format!("downloading {}", url.host_str().unwrap_or("the calendar"));
        let headers: Vec<(&str, &str)> = etag.map(|e| ("If-None-Match", e)).into_iter().collect();
        let answer = self
            .http
            .send(Method::GET, url, &headers, None, MAX_ICS, &what)
            .await?;
        if answer.status == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        Ok(Some((answer.body, answer.etag)))
    }
}
