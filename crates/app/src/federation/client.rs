//! kith's requests to other servers: WebFinger, actor documents and
//! deliveries, each signed with a member's key and sent through the
//! address policy (no private or loopback address unless the operator
//! allows them), each answer read with a cap.

use super::actor::{self, ACTIVITY_JSON, RemoteActor};
use super::{Handle, MemberKey, signature};
use crate::sources::http::{Http, host_header};
use crate::sources::net::{AddressPolicy, is_loopback_host};
use hyper::{Method, StatusCode};
use url::Url;

/// The largest WebFinger answer or actor document kith reads.
const DOCUMENT_CAP: usize = 1024 * 1024;
/// The largest answer to a delivery kith reads (it only needs the status).
const DELIVERY_CAP: usize = 64 * 1024;

const ACCEPT: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// A client acting for one member.
pub(crate) struct Client {
    http: Http,
    key: MemberKey,
}

impl Client {
    pub(crate) fn new(policy: AddressPolicy, key: MemberKey) -> Client {
        Client {
            http: Http::raw(policy),
            key,
        }
    }

    /// Sends a signed request; the status and body.
    async fn signed(
        &mut self,
        method: Method,
        url: &Url,
        body: Option<&str>,
        cap: usize,
        what: &str,
    ) -> Result<(StatusCode, Vec<u8>), String> {
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let signed = signature::sign(
            &self.key.signer,
            &self.key.key_id,
            method.as_str(),
            &path,
            &host_header(url),
            body.map(str::as_bytes),
        );
        let mut headers: Vec<(&str, &str)> = signed.iter().map(|(k, v)| (*k, v.as_str())).collect();
        headers.push(("Accept", ACCEPT));
        if body.is_some() {
            headers.push(("Content-Type", ACTIVITY_JSON));
        }
        let answer = self
            .http
            .send(method, url, &headers, body.map(str::to_string), cap, what)
            .await
            .map_err(|e| e.message)?;
        Ok((answer.status, answer.body))
    }

    /// The actor id a handle names, by WebFinger (https, or http to this
    /// machine).
    pub(crate) async fn webfinger(&mut self, handle: &Handle) -> Result<Url, String> {
        let scheme = if is_loopback_host(handle.host.split(':').next().unwrap_or_default())
            || handle.host.starts_with('[')
                && is_loopback_host(handle.host.split(']').next().unwrap_or_default())
        {
            "http"
        } else {
            "https"
        };
        let mut url = Url::parse(&format!("{scheme}://{}/.well-known/webfinger", handle.host))
            .map_err(|_| format!("{} is not a server's name", handle.host))?;
        url.query_pairs_mut()
            .append_pair("resource", &format!("acct:{}", handle.text()));
        let what = format!("finding {}", handle.text());
        let (status, body) = self
            .signed(Method::GET, &url, None, DOCUMENT_CAP, &what)
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Err(format!(
                "{} has no member called {}",
                handle.host, handle.user
            ));
        }
        if !status.is_success() {
            return Err(format!("{what}: {} answered {status}", handle.host));
        }
        let doc: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| format!("{what}: the answer is not JSON: {e}"))?;
        let links = doc
            .get("links")
            .and_then(|l| l.as_array())
            .cloned()
            .unwrap_or_default();
        let href = links
            .iter()
            .find(|l| {
                l.get("rel").and_then(|r| r.as_str()) == Some("self")
                    && l.get("type").and_then(|t| t.as_str()).is_some_and(|t| {
                        t.starts_with(ACTIVITY_JSON) || t.starts_with("application/ld+json")
                    })
            })
            .and_then(|l| l.get("href"))
            .and_then(|h| h.as_str())
            .ok_or_else(|| format!("{what}: {} gave no ActivityPub actor", handle.host))?;
        Url::parse(href).map_err(|_| format!("{what}: the actor {href:?} is not a URL"))
    }

    /// An actor's document, read.
    pub(crate) async fn fetch_actor(&mut self, url: &Url) -> Result<RemoteActor, String> {
        let mut at = url.clone();
        at.set_fragment(None);
        let what = format!("reading {at}");
        let (status, body) = self
            .signed(Method::GET, &at, None, DOCUMENT_CAP, &what)
            .await?;
        if !status.is_success() {
            return Err(format!("{what}: the server answered {status}"));
        }
        let doc: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| format!("{what}: not JSON: {e}"))?;
        actor::read_actor(&doc, &at).map_err(|e| format!("{what}: {e}"))
    }

    /// Sends a query (a signed POST) and reads the answer (at most `cap`
    /// bytes), which must be a success.
    pub(crate) async fn query(
        &mut self,
        url: &Url,
        body: &str,
        cap: usize,
    ) -> Result<Vec<u8>, String> {
        let what = format!("asking {url}");
        let (status, answer) = self
            .signed(Method::POST, url, Some(body), cap, &what)
            .await?;
        if !status.is_success() {
            return Err(format!("{what}: the server answered {status}"));
        }
        Ok(answer)
    }

    /// Delivers an activity to an inbox: the status it answered.
    pub(crate) async fn deliver(
        &mut self,
        inbox: &Url,
        activity: &str,
    ) -> Result<StatusCode, String> {
        let what = format!("delivering to {inbox}");
        let (status, _) = self
            .signed(Method::POST, inbox, Some(activity), DELIVERY_CAP, &what)
            .await?;
        Ok(status)
    }
}
