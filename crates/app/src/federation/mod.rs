//! Federation (docs/federation.md): members of different kith servers
//! connecting, their cards following them, over ActivityPub with HTTP
//! signatures as Mastodon and its peers use them. Off unless the server
//! has a `public_url`: then each member is `name@host`, found by
//! WebFinger, with an actor document carrying their public card.
//!
//! `links.rs` holds the use cases (invite, accept, follow, a card change
//! sent on), `inbox.rs` what arrives, `outbox.rs` delivery (persisted,
//! in order per inbox, retried), `client.rs` kith's requests (signed,
//! through the address policy), `actor.rs` the documents, `keys.rs` and
//! `signature.rs` the cryptography.

mod actor;
mod client;
pub mod inbox;
mod intros;
mod keys;
mod links;
pub mod outbox;
mod queries;
mod signature;

use crate::sources::net::AddressPolicy;
use crate::{AppError, Result};
use kith_core::AccountId;
use kith_store::Store;
use kith_store::federation::ActorRow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use url::Url;

pub use inbox::{Inbound, Refused};
pub(crate) use intros::intro_changed;
pub use links::{
    FederationStatus, FollowView, block_for_server, server_blocks, unblock_for_server,
};
pub use queries::{PathsReport, QUERY_WAIT, ReachReport};

/// How federation runs on this server (kith.toml `public_url` and
/// `[federation]`).
#[derive(Clone, Debug)]
pub struct FederationConfig {
    /// Where this server is reached; None: federation is off.
    pub public_url: Option<Url>,
    /// Which addresses kith may reach (actors, inboxes, WebFinger).
    pub policy: AddressPolicy,
    /// The first wait before a failed delivery is tried again (it doubles
    /// up to [`MAX_RETRY`]).
    pub retry: Duration,
}

/// The longest wait between two tries of a delivery.
pub const MAX_RETRY: Duration = Duration::from_secs(15 * 60);
/// A delivery still failing after this long is given up.
pub const GIVE_UP: Duration = Duration::from_secs(3 * 24 * 3600);

impl Default for FederationConfig {
    fn default() -> Self {
        FederationConfig {
            public_url: None,
            policy: AddressPolicy {
                allow_private: false,
                section: "federation",
            },
            retry: Duration::from_secs(30),
        }
    }
}

impl FederationConfig {
    pub fn enabled(&self) -> bool {
        self.public_url.is_some()
    }

    /// The server's public URL, or why federation cannot be used.
    pub(crate) fn base(&self) -> Result<&Url> {
        self.public_url.as_ref().ok_or_else(|| {
            AppError::Invalid(
                "this server does not federate: its operator sets public_url in kith.toml to reach members of other servers".into(),
            )
        })
    }

    /// `host[:port]` of handles (the port only when not the scheme's own).
    pub fn authority(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .map(|u| crate::sources::http::host_header(u).to_ascii_lowercase())
    }

    /// A member's actor id.
    pub(crate) fn actor_id(&self, name: &str) -> Result<String> {
        Ok(actor_id(self.base()?, name))
    }

    /// The member an actor id of this server names (None: not one of
    /// this server's).
    pub(crate) fn local_name(&self, actor: &str) -> Option<String> {
        let base = self.public_url.as_ref()?;
        let url = Url::parse(actor).ok()?;
        let same = url.scheme() == base.scheme()
            && crate::sources::http::host_header(&url)
                .eq_ignore_ascii_case(&crate::sources::http::host_header(base));
        if !same {
            return None;
        }
        let mut segs: Vec<String> = url.path_segments()?.map(percent_decode).collect();
        let name = segs.pop()?;
        (segs.last().map(String::as_str) == Some("fed") && actor_id(base, &name) == actor)
            .then_some(name)
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// `{public_url}/fed/{name}`.
fn actor_id(base: &Url, name: &str) -> String {
    let mut u = base.clone();
    u.set_query(None);
    u.set_fragment(None);
    if let Ok(mut segs) = u.path_segments_mut() {
        segs.pop_if_empty();
        segs.push("fed");
        segs.push(name);
    }
    u.to_string()
}

/// A handle as typed: `bob@host`, `@bob@host`, `acct:bob@host`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Handle {
    pub(crate) user: String,
    /// Lower case, with the port when one was given.
    pub(crate) host: String,
}

impl Handle {
    pub(crate) fn parse(s: &str) -> Option<Handle> {
        let s = s.trim();
        let s = s.strip_prefix("acct:").unwrap_or(s);
        let s = s.strip_prefix('@').unwrap_or(s);
        let (user, host) = s.split_once('@')?;
        let host_ok = !host.is_empty()
            && host.len() <= 255
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        let user_ok = !user.is_empty()
            && user.chars().count() <= 128
            && user
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'));
        (host_ok && user_ok).then(|| Handle {
            user: user.to_string(),
            host: host.to_ascii_lowercase(),
        })
    }

    pub(crate) fn text(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }
}

/// The handle of an actor id kith has no WebFinger answer for:
/// `preferredUsername@host[:port]`.
pub(crate) fn handle_of(actor: &str, username: &str) -> String {
    let host = Url::parse(actor)
        .map(|u| crate::sources::http::host_header(&u).to_ascii_lowercase())
        .unwrap_or_default();
    let user = if username.is_empty() {
        actor.rsplit('/').next().unwrap_or("someone")
    } else {
        username
    };
    format!("{user}@{host}")
}

/// A member's signing key, ready to sign.
#[derive(Clone)]
pub(crate) struct MemberKey {
    pub(crate) key_id: String,
    signer: Arc<keys::Signer>,
}

/// Signers by (member, key number): reading a PKCS#8 key costs more than
/// a signature.
type Signers = Mutex<HashMap<(AccountId, i64), Arc<keys::Signer>>>;

fn signers() -> &'static Signers {
    static SIGNERS: OnceLock<Signers> = OnceLock::new();
    SIGNERS.get_or_init(Default::default)
}

/// A member's current key (made on first use, on a thread of its own:
/// RSA key generation takes a moment).
pub(crate) async fn member_key(
    store: &Store,
    config: &FederationConfig,
    account: AccountId,
) -> Result<(MemberKey, String)> {
    let name = member_name(store, account).await?;
    let actor = config.actor_id(&name)?;
    for _ in 0..3 {
        let keys = store.fed_keys(account).await?;
        if let Some(k) = keys.iter().find(|k| k.retired_at.is_none()) {
            let cached = signers()
                .lock()
                .ok()
                .and_then(|m| m.get(&(account, k.key_no)).cloned());
            let signer = match cached {
                Some(s) => s,
                None => {
                    let s =
                        Arc::new(keys::Signer::new(&k.private_pkcs8).map_err(AppError::Invalid)?);
                    if let Ok(mut m) = signers().lock() {
                        if m.len() > 10_000 {
                            m.clear();
                        }
                        m.insert((account, k.key_no), s.clone());
                    }
                    s
                }
            };
            return Ok((
                MemberKey {
                    key_id: format!("{actor}#key-{}", k.key_no),
                    signer,
                },
                k.public_pem.clone(),
            ));
        }
        let next = keys.first().map_or(1, |k| k.key_no + 1);
        new_key(store, account, next).await?;
    }
    Err(AppError::Invalid("no signing key could be made".into()))
}

/// A member's account name (their handle's first part).
pub(crate) async fn member_name(store: &Store, account: AccountId) -> Result<String> {
    Ok(store
        .account_by_id(account)
        .await?
        .ok_or_else(|| AppError::NotFound("that member no longer exists".into()))?
        .name)
}

/// Makes key number `key_no` (false: another server made it first).
async fn new_key(store: &Store, account: AccountId, key_no: i64) -> Result<bool> {
    let (pkcs8, pem) = tokio::task::spawn_blocking(keys::generate)
        .await
        .map_err(|e| AppError::Invalid(format!("making a key: {e}")))?
        .map_err(AppError::Invalid)?;
    Ok(store.add_fed_key(account, key_no, &pkcs8, &pem).await?)
}

/// How long a fetched actor is trusted before it is fetched again.
const ACTOR_FRESH: i64 = 24 * 3600 * 1_000_000;

/// A remote actor by id: kept, or fetched (signed as `key`'s member).
pub(crate) async fn actor(
    store: &Store,
    config: &FederationConfig,
    key: &MemberKey,
    id: &str,
    refetch: bool,
) -> Result<ActorRow> {
    if !refetch
        && let Some(a) = store.fed_actor(id).await?
        && kith_store::now_micros() - a.fetched_at < ACTOR_FRESH
    {
        return Ok(a);
    }
    let url = Url::parse(id).map_err(|_| AppError::Invalid(format!("{id:?} is not a URL")))?;
    let mut client = client::Client::new(config.policy, key.clone());
    let remote = client.fetch_actor(&url).await.map_err(AppError::Remote)?;
    let known = store.fed_actor(&remote.id).await?;
    let handle = known
        .map(|k| k.handle)
        .unwrap_or_else(|| handle_of(&remote.id, &remote.profile.username));
    keep_actor(store, remote, handle).await
}

async fn keep_actor(store: &Store, remote: actor::RemoteActor, handle: String) -> Result<ActorRow> {
    let row = ActorRow {
        id: remote.id,
        handle,
        inbox: remote.inbox,
        key_id: remote.key_id,
        public_pem: remote.public_pem,
        profile: serde_json::to_string(&remote.profile)
            .map_err(|e| AppError::Invalid(e.to_string()))?,
        fetched_at: kith_store::now_micros(),
    };
    store.put_fed_actor(&row).await?;
    Ok(row)
}

/// The actor a handle names: kept, or found by WebFinger and fetched.
pub(crate) async fn actor_by_handle(
    store: &Store,
    config: &FederationConfig,
    key: &MemberKey,
    handle: &Handle,
) -> Result<ActorRow> {
    if let Some(a) = store
        .fed_actor_by_handle(&handle.text().to_lowercase())
        .await?
        && kith_store::now_micros() - a.fetched_at < ACTOR_FRESH
    {
        return Ok(a);
    }
    let mut client = client::Client::new(config.policy, key.clone());
    let id = client.webfinger(handle).await.map_err(AppError::Remote)?;
    let remote = client.fetch_actor(&id).await.map_err(AppError::Remote)?;
    keep_actor(store, remote, handle.text().to_lowercase()).await
}

/// A kept actor's profile.
pub(crate) fn profile(a: &ActorRow) -> actor::Profile {
    serde_json::from_str(&a.profile).unwrap_or_default()
}

/// Whether a server or handle is blocked for the whole server or for
/// `account`.
pub(crate) async fn blocked(store: &Store, account: AccountId, handle: &str) -> Result<bool> {
    let host = handle.rsplit('@').next().unwrap_or_default();
    let member = account.0.to_string();
    Ok(store.fed_blocked(&["*", &member], &[host, handle]).await?)
}

/// The headers (`Date`, `Digest`, `Signature`) `account` would sign a
/// request with, dated `when`: for tests that deliver as a member would
/// (again, or late).
#[cfg(feature = "testing")]
pub async fn signed_headers(
    store: &Store,
    config: &FederationConfig,
    account: AccountId,
    url: &Url,
    body: &[u8],
    when: std::time::SystemTime,
) -> Result<Vec<(String, String)>> {
    let (key, _) = member_key(store, config, account).await?;
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    Ok(signature::sign_at(
        &key.signer,
        &key.key_id,
        "POST",
        &path,
        &crate::sources::http::host_header(url),
        Some(body),
        when,
    )
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_actor_ids() {
        let h = Handle::parse("@Bob@Other.Example:8443").unwrap();
        assert_eq!(h.text(), "Bob@other.example:8443");
        assert_eq!(Handle::parse("acct:ada@x.org").unwrap().user, "ada");
        assert!(Handle::parse("bob").is_none());
        assert!(Handle::parse("bob@").is_none());
        assert!(Handle::parse("b/ob@x").is_none());
        let config = FederationConfig {
            public_url: Some(Url::parse("http://127.0.0.2:7000/").unwrap()),
            ..Default::default()
        };
        let id = config.actor_id("zoë").unwrap();
        assert_eq!(id, "http://127.0.0.2:7000/fed/zo%C3%AB");
        assert_eq!(config.local_name(&id).as_deref(), Some("zoë"));
        assert_eq!(config.local_name("http://127.0.0.3:7000/fed/zoe"), None);
        assert_eq!(config.local_name("http://127.0.0.2:7000/other/zoe"), None);
        assert_eq!(config.authority().as_deref(), Some("127.0.0.2:7000"));
        assert_eq!(
            handle_of("https://m.example/users/ada", "ada"),
            "ada@m.example"
        );
    }
}
