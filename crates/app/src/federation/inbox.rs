//! What this server answers other servers: WebFinger, members' actor
//! documents, and their inboxes. A delivery's signature is checked against
//! the sending actor's key before its body is read (the key fetched when
//! unknown, and once more when it no longer verifies: a rotated key); then
//! the body's digest; the activity must be its signer's own; it applies
//! once (by id) and only to the member whose inbox it reached; blocked
//! servers and handles are refused.

use super::actor::{self, profile_card};
use super::links::{
    ACCEPTED, CONNECTION, DECLINED, FOLLOWER, FOLLOWING, PENDING, answer, card_update, take_card,
};
use super::signature::{self, Received};
use super::{FederationConfig, actor as fetch_actor, blocked, keys, member_key, outbox, profile};
use crate::{AppError, Settings};
use kith_core::AccountId;
use kith_core::mycard::{Field, MyCard, Visibility};
use kith_store::Store;
use kith_store::federation::{ActorRow, LinkRow};
use serde_json::Value;
use url::Url;

/// The largest activity an inbox reads.
pub const MAX_ACTIVITY: usize = 256 * 1024;
/// The most remote connections, and the most followers, a member has.
pub const MAX_LINKS: i64 = 10_000;
/// The most fields a card sent by another server may carry.
const MAX_CARD_FIELDS: usize = 64;

/// A request to an inbox, before its body is read.
pub struct Inbound<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    /// A header's value by lower-case name.
    pub header: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

/// Why a request from another server was refused.
#[derive(Debug)]
pub enum Refused {
    /// No member, or federation is off (404).
    NotFound(String),
    /// The signature is missing, wrong or too old (401).
    Unauthorized(String),
    /// A blocked server or handle (403).
    Forbidden(String),
    /// The activity cannot be read (400).
    Invalid(String),
    /// kith failed (500, or 503 without its database).
    Failed(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::Failed(e)
    }
}

impl From<kith_store::StoreError> for Refused {
    fn from(e: kith_store::StoreError) -> Refused {
        Refused::Failed(e.into())
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotFound(m)
            | Refused::Unauthorized(m)
            | Refused::Forbidden(m)
            | Refused::Invalid(m) => f.write_str(m),
            Refused::Failed(e) => write!(f, "{e}"),
        }
    }
}

type Outcome<T> = std::result::Result<T, Refused>;

/// A request whose signature holds: who sent it, to whom.
pub struct Verified {
    account: AccountId,
    actor: ActorRow,
    signature: signature::Signature,
}

impl Verified {
    pub(crate) fn account(&self) -> AccountId {
        self.account
    }

    pub(crate) fn actor_id(&self) -> &str {
        &self.actor.id
    }

    pub(crate) fn handle(&self) -> &str {
        &self.actor.handle
    }

    /// The sender's server (`host[:port]`), for rate limits.
    pub fn host(&self) -> String {
        Url::parse(&self.actor.id)
            .map(|u| crate::sources::http::host_header(&u).to_ascii_lowercase())
            .unwrap_or_default()
    }
}

/// What became of a delivered activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// It had been applied already (delivered twice): nothing changed.
    Again,
}

/// This server's side of federation, for the front door other servers use.
#[derive(Clone)]
pub struct Federation {
    store: Store,
    config: std::sync::Arc<FederationConfig>,
    settings: Settings,
    network: crate::network::Network,
}

impl Federation {
    pub fn new(store: Store, settings: &Settings, network: crate::network::Network) -> Federation {
        Federation {
            store,
            config: settings.federation.clone(),
            settings: settings.clone(),
            network,
        }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn config(&self) -> &FederationConfig {
        &self.config
    }

    /// The member's use cases, on this server's shared graph.
    pub(crate) fn app_for(&self, account: AccountId) -> crate::App {
        crate::App::new(self.store.clone(), account, self.settings.clone())
            .with_network(self.network.clone())
    }

    pub fn enabled(&self) -> bool {
        self.config.enabled()
    }

    async fn member(&self, name: &str) -> Outcome<kith_store::Account> {
        if !self.config.enabled() {
            return Err(Refused::NotFound("this server does not federate".into()));
        }
        self.store
            .account(name)
            .await?
            .ok_or_else(|| Refused::NotFound(format!("no member is called {name:?}")))
    }

    /// WebFinger's answer for `acct:name@host` (this server's host).
    pub async fn webfinger(&self, resource: &str) -> Outcome<Value> {
        let authority = self.config.authority().unwrap_or_default();
        let decoded = super::percent_decode(resource);
        let h = super::Handle::parse(&decoded)
            .ok_or_else(|| Refused::Invalid(format!("{resource:?} is not acct:name@host")))?;
        if h.host != authority {
            return Err(Refused::NotFound(format!("{} is not this server", h.host)));
        }
        let account = self.member(&h.user).await?;
        let actor = self.config.actor_id(&account.name)?;
        Ok(actor::webfinger(
            &format!("acct:{}@{authority}", account.name),
            &actor,
        ))
    }

    /// A member's actor document.
    pub async fn actor(&self, name: &str) -> Outcome<Value> {
        let account = self.member(name).await?;
        Ok(
            super::links::actor_document(&self.store, &self.config, account.id, &account.name)
                .await?,
        )
    }

    /// How many accepted followers and follows a member has (their
    /// collections show counts only).
    pub async fn counts(&self, name: &str) -> Outcome<(usize, usize)> {
        let account = self.member(name).await?;
        let links = self.store.fed_links(account.id, None).await?;
        let count = |kinds: &[&str]| {
            links
                .iter()
                .filter(|l| l.status == ACCEPTED && kinds.contains(&l.kind.as_str()))
                .count()
        };
        Ok((
            count(&[FOLLOWER, CONNECTION]),
            count(&[FOLLOWING, CONNECTION]),
        ))
    }

    /// Checks a delivery's signature before its body is read: the sender
    /// and the member it is for.
    pub async fn authenticate(&self, name: &str, r: &Inbound<'_>) -> Outcome<Verified> {
        let account = self.member(name).await?;
        let header = (r.header)("signature").ok_or_else(|| {
            Refused::Unauthorized("the request is not signed (no Signature header)".into())
        })?;
        let sig = signature::parse(&header).map_err(Refused::Unauthorized)?;
        let received = Received {
            method: r.method,
            path: r.path,
            query: r.query,
            header: r.header,
        };
        sig.check_rules(&received, true)
            .map_err(Refused::Unauthorized)?;
        let actor_id = sig.key_id.split('#').next().unwrap_or_default().to_string();
        let url = Url::parse(&actor_id).map_err(|_| {
            Refused::Unauthorized(format!("the keyId {:?} is not a URL", sig.key_id))
        })?;
        let host = crate::sources::http::host_header(&url).to_ascii_lowercase();
        if blocked(&self.store, account.id, &host).await? {
            return Err(Refused::Forbidden(format!("{host} is blocked here")));
        }
        let kept = self
            .store
            .fed_actor(&actor_id)
            .await?
            .filter(|a| a.key_id == sig.key_id);
        let fresh = kept.is_none();
        let mut sender = match kept {
            Some(a) => a,
            None => self.fetch_sender(account.id, &actor_id).await?,
        };
        let holds = |a: &ActorRow| {
            a.key_id == sig.key_id
                && keys::public_der(&a.public_pem).is_ok_and(|der| sig.verify(&received, &der))
        };
        if !holds(&sender) {
            if fresh {
                return Err(Refused::Unauthorized("the signature does not hold".into()));
            }
            // A key that no longer verifies may have been replaced.
            sender = self.fetch_sender(account.id, &actor_id).await?;
            if !holds(&sender) {
                return Err(Refused::Unauthorized("the signature does not hold".into()));
            }
        }
        if blocked(&self.store, account.id, &sender.handle).await? {
            return Err(Refused::Forbidden(format!(
                "{} is blocked here",
                sender.handle
            )));
        }
        // A server heard from again gets what waits for it at once.
        if self.store.activities_due_now(&host).await? {
            outbox::wake_up();
        }
        Ok(Verified {
            account: account.id,
            actor: sender,
            signature: sig,
        })
    }

    /// Fetches the sender's actor document (signed as the member it was
    /// sent to: some servers answer only signed requests).
    async fn fetch_sender(&self, account: AccountId, actor_id: &str) -> Outcome<ActorRow> {
        let (key, _) = member_key(&self.store, &self.config, account).await?;
        fetch_actor(&self.store, &self.config, &key, actor_id, true)
            .await
            .map_err(|e| Refused::Unauthorized(format!("the sender's key cannot be read: {e}")))
    }

    /// Applies a delivered activity (its body, read after
    /// [`Federation::authenticate`]).
    pub async fn receive(
        &self,
        v: &Verified,
        body: &[u8],
        digest: Option<&str>,
    ) -> Outcome<Applied> {
        if !v.signature.headers.iter().any(|h| h == "digest") {
            return Err(Refused::Unauthorized(
                "the signature does not cover the body".into(),
            ));
        }
        let digest =
            digest.ok_or_else(|| Refused::Unauthorized("the request has no Digest".into()))?;
        if !signature::digest_matches(digest, body) {
            return Err(Refused::Unauthorized(
                "the body does not match its Digest".into(),
            ));
        }
        let activity: Value = serde_json::from_slice(body)
            .map_err(|e| Refused::Invalid(format!("the activity is not JSON: {e}")))?;
        if id_of(activity.get("actor")).as_deref() != Some(v.actor.id.as_str()) {
            return Err(Refused::Unauthorized(
                "the activity's actor is not the one who signed it".into(),
            ));
        }
        let id = id_of(activity.get("id"))
            .ok_or_else(|| Refused::Invalid("the activity has no id".into()))?;
        if !same_origin(&id, &v.actor.id) {
            return Err(Refused::Invalid(format!(
                "the activity {id} is not from the server of {}",
                v.actor.id
            )));
        }
        if !self.store.mark_activity_seen(&id).await? {
            return Ok(Applied::Again);
        }
        match self.apply(v, &activity).await {
            Ok(()) => Ok(Applied::Done),
            Err(e) => {
                // Not applied: a later delivery of it may be.
                let _ = self.store.forget_activity(&id).await;
                Err(e)
            }
        }
    }

    async fn apply(&self, v: &Verified, a: &Value) -> Outcome<()> {
        let kind = a.get("type").and_then(Value::as_str).unwrap_or_default();
        let object = a.get("object").cloned().unwrap_or(Value::Null);
        match kind {
            "Follow" => self.on_follow(v, a, &object).await,
            "Accept" => self.on_accept(v, &object).await,
            "Reject" => self.on_reject(v, &object).await,
            "Undo" => self.on_undo(v, &object).await,
            "Update" if object.get("type").and_then(Value::as_str) == Some("KithIntroduction") => {
                self.on_intro_update(v, &object).await
            }
            "Update" => self.on_update(v, &object).await,
            "Offer" if object.get("type").and_then(Value::as_str) == Some("KithIntroduction") => {
                self.on_intro_offer(v, &object).await
            }
            "Delete" if id_of(Some(&object)).as_deref() == Some(v.actor.id.as_str()) => {
                for kind in [CONNECTION, FOLLOWING, FOLLOWER] {
                    self.store
                        .remove_fed_link(v.account, &v.actor.id, kind)
                        .await?;
                }
                Ok(())
            }
            // Anything else (notes, likes, boosts) is not kith's business.
            _ => Ok(()),
        }
    }

    /// The member's actor id and name.
    async fn me(&self, account: AccountId) -> Outcome<String> {
        let name = super::member_name(&self.store, account).await?;
        Ok(self.config.actor_id(&name)?)
    }

    async fn on_follow(&self, v: &Verified, a: &Value, object: &Value) -> Outcome<()> {
        let me = self.me(v.account).await?;
        if id_of(Some(object)).as_deref() != Some(me.as_str()) {
            return Err(Refused::Invalid("the Follow is not for this member".into()));
        }
        let follow_id = id_of(a.get("id")).unwrap_or_default();
        let connect = a.get("connect").and_then(Value::as_bool).unwrap_or(false);
        let them = &v.actor;
        let mut send = Vec::new();
        // Every change of the member's card goes to each link: their
        // number is bounded, so that no one can make a change cost more.
        let kind = if connect { CONNECTION } else { FOLLOWER };
        let known = self
            .store
            .fed_link(v.account, &them.id, kind)
            .await?
            .is_some();
        if !known && self.store.fed_link_count_of(v.account, kind).await? >= MAX_LINKS {
            let reject = answer("Reject", &me, &them.id, &follow_id);
            outbox::enqueue(&self.store, v.account, &[(them.inbox.clone(), reject)]).await?;
            return Ok(());
        }
        if connect {
            match self.store.fed_link(v.account, &them.id, CONNECTION).await? {
                Some(l) if l.status == ACCEPTED || (l.status == PENDING && l.outgoing) => {
                    // Connected already (their server forgot), or both
                    // invited each other: connected, each card sent.
                    self.store
                        .answer_fed_link(v.account, &them.id, CONNECTION, ACCEPTED)
                        .await?;
                    let card = crate::cards::load_card(&self.store, v.account).await?;
                    send.push((
                        them.inbox.clone(),
                        answer("Accept", &me, &them.id, &follow_id),
                    ));
                    send.push((
                        them.inbox.clone(),
                        card_update(&me, &them.id, &card, kith_store::now_micros()),
                    ));
                }
                _ => {
                    self.store
                        .put_fed_link(&new_link(v, CONNECTION, PENDING, &follow_id))
                        .await?;
                }
            }
        } else {
            // Anyone may follow a member's public profile (as on an
            // unlocked Mastodon account): accepted at once.
            self.store
                .put_fed_link(&new_link(v, FOLLOWER, ACCEPTED, &follow_id))
                .await?;
            send.push((
                them.inbox.clone(),
                answer("Accept", &me, &them.id, &follow_id),
            ));
        }
        outbox::enqueue(&self.store, v.account, &send).await?;
        Ok(())
    }

    /// The member's link that a Follow (named by `object`) made.
    async fn link_of(&self, v: &Verified, object: &Value) -> Outcome<Option<LinkRow>> {
        let Some(follow_id) = id_of(Some(object)) else {
            return Ok(None);
        };
        Ok(self
            .store
            .fed_links_by_follow(&follow_id, &v.actor.id)
            .await?
            .into_iter()
            .find(|l| l.account == v.account))
    }

    async fn on_accept(&self, v: &Verified, object: &Value) -> Outcome<()> {
        let Some(link) = self.link_of(v, object).await? else {
            return Ok(());
        };
        if !link.outgoing {
            return Ok(());
        }
        let newly = self
            .store
            .answer_fed_link(v.account, &v.actor.id, &link.kind, ACCEPTED)
            .await?;
        if !newly {
            return Ok(());
        }
        if link.kind == CONNECTION {
            let me = self.me(v.account).await?;
            let card = crate::cards::load_card(&self.store, v.account).await?;
            outbox::enqueue(
                &self.store,
                v.account,
                &[(
                    v.actor.inbox.clone(),
                    card_update(&me, &v.actor.id, &card, kith_store::now_micros()),
                )],
            )
            .await?;
        } else if link.kind == FOLLOWING {
            let card = profile_card(&profile(&v.actor));
            take_card(
                &self.store,
                &link,
                &v.actor.handle,
                &card,
                Visibility::Public,
                kith_store::now_micros(),
            )
            .await?;
        }
        Ok(())
    }

    async fn on_reject(&self, v: &Verified, object: &Value) -> Outcome<()> {
        let Some(link) = self.link_of(v, object).await? else {
            return Ok(());
        };
        if link.status == PENDING && link.outgoing {
            self.store
                .answer_fed_link(v.account, &v.actor.id, &link.kind, DECLINED)
                .await?;
        } else {
            // They ended it: no update goes either way from now on.
            self.store
                .remove_fed_link(v.account, &v.actor.id, &link.kind)
                .await?;
        }
        Ok(())
    }

    async fn on_undo(&self, v: &Verified, object: &Value) -> Outcome<()> {
        if let Some(link) = self.link_of(v, object).await?
            && !link.outgoing
        {
            self.store
                .remove_fed_link(v.account, &v.actor.id, &link.kind)
                .await?;
        }
        Ok(())
    }

    async fn on_update(&self, v: &Verified, object: &Value) -> Outcome<()> {
        let kind = object
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if kind == "KithCard" {
            let Some(link) = self
                .store
                .fed_link(v.account, &v.actor.id, CONNECTION)
                .await?
                .filter(|l| l.status == ACCEPTED)
            else {
                // Not a connection (any more): its card is not taken.
                return Ok(());
            };
            let seq = object.get("seq").and_then(Value::as_i64).unwrap_or(0);
            let card = read_card(object)?;
            take_card(
                &self.store,
                &link,
                &v.actor.handle,
                &card,
                Visibility::Connections,
                seq,
            )
            .await?;
            return Ok(());
        }
        if id_of(Some(object)).as_deref() != Some(v.actor.id.as_str()) {
            return Ok(());
        }
        // The actor's own profile changed.
        let url = Url::parse(&v.actor.id).map_err(|_| Refused::Invalid("bad actor id".into()))?;
        // (A document without its key or inbox keeps the ones known: it
        // was signed with that key.)
        let remote = actor::read_actor(object, &url).unwrap_or_else(|_| actor::RemoteActor {
            id: v.actor.id.clone(),
            inbox: v.actor.inbox.clone(),
            key_id: v.actor.key_id.clone(),
            public_pem: v.actor.public_pem.clone(),
            profile: actor::read_profile(object),
        });
        let row = super::keep_actor(&self.store, remote, v.actor.handle.clone()).await?;
        if let Some(link) = self
            .store
            .fed_link(v.account, &row.id, FOLLOWING)
            .await?
            .filter(|l| l.status == ACCEPTED)
        {
            let card = profile_card(&profile(&row));
            take_card(
                &self.store,
                &link,
                &row.handle,
                &card,
                Visibility::Public,
                kith_store::now_micros(),
            )
            .await?;
        }
        Ok(())
    }
}

fn new_link(v: &Verified, kind: &str, status: &str, follow_id: &str) -> LinkRow {
    let now = kith_store::now_micros();
    LinkRow {
        account: v.account,
        actor: v.actor.id.clone(),
        kind: kind.into(),
        status: status.into(),
        outgoing: false,
        follow_id: follow_id.into(),
        person: None,
        card: None,
        card_seq: 0,
        created_at: now,
        answered_at: (status == ACCEPTED).then_some(now),
    }
}

/// A card another kith server sent: its fields, each checked as the
/// member's own would be (unknown fields and bad values left out).
fn read_card(object: &Value) -> Outcome<MyCard> {
    let fields = object
        .get("fields")
        .and_then(Value::as_array)
        .ok_or_else(|| Refused::Invalid("the card has no fields".into()))?;
    if fields.len() > MAX_CARD_FIELDS {
        return Err(Refused::Invalid(format!(
            "the card has {} fields; kith takes at most {MAX_CARD_FIELDS}",
            fields.len()
        )));
    }
    let mut card = MyCard::default();
    for f in fields {
        let (Some(name), Some(value)) = (
            f.get("field").and_then(Value::as_str),
            f.get("value").and_then(Value::as_str),
        ) else {
            continue;
        };
        if let Some(field) = Field::parse(name) {
            let _ = card.set(field, value, Some(Visibility::Connections));
        }
    }
    Ok(card)
}

/// An id given as a string or as an object with an `id`.
fn id_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

fn same_origin(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}
