//! What a member does with people on other servers: inviting, accepting,
//! declining and removing connections with kith members there, following
//! any fediverse account, and sending each change of their card on (to
//! each connection alone, only what they share with connections; the
//! public profile to followers). The activities kith sends are written
//! here, and how a card received from another server is taken into the
//! holder's book.

use super::actor::{self, AS};
use super::{FederationConfig, Handle, MemberKey, actor_by_handle, blocked, member_key, outbox};
use crate::clock::rfc3339;
use crate::network::members::ConnectionView;
use crate::{App, AppError, Result};
use kith_core::mycard::{MyCard, Visibility};
use kith_core::{AccountId, Card, Person, PersonId};
use kith_store::Store;
use kith_store::federation::{ActorRow, LinkRow};
use kith_store::tx::PersonWrite;
use serde::Serialize;
use serde_json::{Value, json};

pub(crate) const CONNECTION: &str = "connection";
pub(crate) const FOLLOWING: &str = "following";
pub(crate) const FOLLOWER: &str = "follower";
pub(crate) const PENDING: &str = "pending";
pub(crate) const ACCEPTED: &str = "accepted";
pub(crate) const DECLINED: &str = "declined";

/// A fediverse account the user follows, or one following the user.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowView {
    /// `name@host`.
    pub handle: String,
    /// The name their profile gives.
    pub name: String,
    /// `following`, `requested` (not accepted yet) or `follower`.
    pub status: String,
    pub since: String,
}

/// Where the user stands in federation.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FederationStatus {
    /// The user's handle (`name@host`); None: the server does not federate.
    pub handle: Option<String>,
    /// Activities of every member of this server waiting for delivery.
    pub waiting: i64,
    /// How long the oldest has waited, in seconds.
    pub oldest_seconds: Option<i64>,
}

/// A new activity's id (under the sending actor).
pub(crate) fn activity_id(actor: &str) -> String {
    format!("{actor}/activities/{}", uuid::Uuid::now_v7())
}

fn follow(me: &str, them: &str, id: &str, connect: bool) -> Value {
    let mut a = json!({
        "@context": actor::context(), "id": id, "type": "Follow",
        "actor": me, "object": them, "to": [them],
    });
    if connect {
        a["connect"] = Value::Bool(true);
    }
    a
}

/// `Accept` or `Reject` of the Follow `follow_id` that `them` sent `me`.
pub(crate) fn answer(kind: &str, me: &str, them: &str, follow_id: &str) -> Value {
    json!({
        "@context": AS, "id": activity_id(me), "type": kind, "actor": me, "to": [them],
        "object": {"id": follow_id, "type": "Follow", "actor": them, "object": me},
    })
}

fn undo(me: &str, them: &str, follow_id: &str) -> Value {
    json!({
        "@context": AS, "id": activity_id(me), "type": "Undo", "actor": me, "to": [them],
        "object": {"id": follow_id, "type": "Follow", "actor": me, "object": them},
    })
}

/// The card a member shares with connections, as sent to one of them
/// alone (never public), numbered so that an older one is ignored.
pub(crate) fn card_update(me: &str, them: &str, card: &MyCard, seq: i64) -> Value {
    let fields: Vec<Value> = card
        .seen_by(Visibility::Connections)
        .map(|f| json!({"field": f.field.as_str(), "value": f.value, "visibility": f.visibility.as_str()}))
        .collect();
    json!({
        "@context": actor::context(), "id": activity_id(me), "type": "Update",
        "actor": me, "to": [them],
        "object": {"id": format!("{me}/card"), "type": "KithCard", "attributedTo": me,
                   "seq": seq, "fields": fields},
    })
}

/// The member's actor document as an `Update`, to one follower.
fn profile_update(me: &str, them: &str, doc: Value) -> Value {
    json!({
        "@context": actor::context(), "id": activity_id(me), "type": "Update",
        "actor": me, "to": [them], "object": doc,
    })
}

/// A link the member asked for (a Follow `follow_id` sent), pending.
fn asked(account: AccountId, actor: &str, kind: &str, follow_id: &str) -> LinkRow {
    LinkRow {
        account,
        actor: actor.into(),
        kind: kind.into(),
        status: PENDING.into(),
        outgoing: true,
        follow_id: follow_id.into(),
        person: None,
        card: None,
        card_seq: 0,
        created_at: kith_store::now_micros(),
        answered_at: None,
    }
}

/// A member's actor document (their public card, their key).
pub(crate) async fn actor_document(
    store: &Store,
    config: &FederationConfig,
    account: AccountId,
    name: &str,
) -> Result<Value> {
    let (_, pem) = member_key(store, config, account).await?;
    let keys = store.fed_keys(account).await?;
    let key_no = keys
        .iter()
        .find(|k| k.retired_at.is_none())
        .map_or(1, |k| k.key_no);
    let card = crate::cards::load_card(store, account).await?;
    Ok(actor::actor_document(
        &config.actor_id(name)?,
        name,
        &card,
        (key_no, &pem),
    ))
}

/// The source of values a remote actor's card puts on a held card.
fn remote_source(handle: &str) -> kith_core::Source {
    crate::cards::member_source(handle)
}

/// Takes a card an actor sent (number `seq`) into the holder's book: the
/// person that follows the actor (found by the card's addresses or made,
/// the first time) follows it from the card sent before, as a member of
/// this server's card would; the change is news. False when the card was
/// older than one already taken.
pub(crate) async fn take_card(
    store: &Store,
    link: &LinkRow,
    handle: &str,
    card: &MyCard,
    audience: Visibility,
    seq: i64,
) -> Result<bool> {
    if seq <= link.card_seq {
        return Ok(false);
    }
    let src = remote_source(handle);
    let after = card.to_card(audience, &src);
    let before: Card = link
        .card
        .as_deref()
        .and_then(|c| serde_json::from_str::<MyCard>(c).ok())
        .map(|c| c.to_card(audience, &src))
        .unwrap_or_default();
    let person = match link.person {
        // A person the holder deleted stays deleted (as with a member of
        // this server): the card is kept, nothing is written to the book.
        Some(id) if !person_exists(store, link.account, id).await? => id,
        Some(id) => {
            let news = kith_core::changes::changes(&before, &after);
            crate::cards::apply_to(store, link.account, id, &before, &after, &src, &news).await?;
            id
        }
        None => place(store, link.account, &after, &src).await?,
    };
    let json = serde_json::to_string(card).map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(store
        .set_fed_link_card(link.account, &link.actor, &link.kind, person, &json, seq)
        .await?)
}

async fn person_exists(store: &Store, holder: AccountId, id: PersonId) -> Result<bool> {
    let mut tx = store.begin_read(holder).await?;
    Ok(tx.person(id).await?.is_some())
}

/// The person who follows a remote card from now on: one of the holder's
/// with the card's email address or profile (taking the card's values),
/// else a new one.
pub(super) async fn place(
    store: &Store,
    holder: AccountId,
    shown: &Card,
    src: &kith_core::Source,
) -> Result<PersonId> {
    let keys: Vec<String> = kith_core::identity::keys(shown)
        .into_iter()
        .filter(|k| {
            matches!(
                k.kind(),
                kith_core::identity::KeyKind::Email | kith_core::identity::KeyKind::Linkedin
            )
        })
        .map(|k| k.0)
        .collect();
    let mut tx = store.begin(holder).await?;
    let mut found = None;
    for k in &keys {
        if let Some(id) = tx.people_with_key(k).await?.first() {
            found = Some(*id);
            break;
        }
    }
    match found {
        Some(id) => {
            drop(tx);
            crate::cards::apply_to(store, holder, id, &Card::default(), shown, src, &[]).await?;
            Ok(id)
        }
        None => {
            let person = Person {
                id: PersonId::new(),
                card: shown.clone(),
            };
            tx.put_people(&[PersonWrite {
                person: &person,
                is_me: false,
                fresh: true,
            }])
            .await?;
            tx.commit().await?;
            Ok(person.id)
        }
    }
}

impl App {
    fn fed(&self) -> &FederationConfig {
        &self.settings.federation
    }

    /// The user's actor id and key.
    async fn me(&self) -> Result<(String, MemberKey)> {
        let name = super::member_name(&self.store, self.account).await?;
        let actor = self.fed().actor_id(&name)?;
        let (key, _) = member_key(&self.store, self.fed(), self.account).await?;
        Ok((actor, key))
    }

    /// The handle `typed` names when it is a member of another server (a
    /// bare name, or one with this server's host, is a member here).
    pub(crate) fn remote_handle(&self, typed: &str) -> Option<Handle> {
        let h = Handle::parse(typed)?;
        (Some(&h.host) != self.fed().authority().as_ref()).then_some(h)
    }

    /// The local name in `typed` (`bob` or `bob@this-server`).
    pub(crate) fn local_part<'a>(&self, typed: &'a str) -> &'a str {
        match (Handle::parse(typed), self.fed().authority()) {
            (Some(h), Some(a)) if h.host == a => {
                let t = typed
                    .trim()
                    .trim_start_matches("acct:")
                    .trim_start_matches('@');
                t.split('@').next().unwrap_or(t)
            }
            _ => typed,
        }
    }

    async fn refuse_blocked(&self, handle: &str) -> Result<()> {
        if blocked(&self.store, self.account, handle).await? {
            return Err(AppError::Invalid(format!(
                "{handle} is blocked on this server"
            )));
        }
        Ok(())
    }

    /// A kept actor a handle names (one the user has a link with).
    async fn known_actor(&self, h: &Handle) -> Result<ActorRow> {
        self.store
            .fed_actor_by_handle(&h.text().to_lowercase())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("you have nothing with {}", h.text())))
    }

    /// Invites a kith member of another server (or accepts their
    /// invitation, if they sent one first).
    pub(crate) async fn invite_remote(&self, h: &Handle) -> Result<String> {
        let (me, key) = self.me().await?;
        self.refuse_blocked(&h.text().to_lowercase()).await?;
        let them = actor_by_handle(&self.store, self.fed(), &key, h).await?;
        if !super::profile(&them).kith {
            return Err(AppError::Invalid(format!(
                "{} is not a kith member, so cannot connect: follow them instead (kith follow {})",
                h.text(),
                h.text()
            )));
        }
        match self
            .store
            .fed_link(self.account, &them.id, CONNECTION)
            .await?
        {
            Some(l) if l.status == ACCEPTED => {
                return Err(AppError::Invalid(format!(
                    "you are already connected to {}",
                    h.text()
                )));
            }
            Some(l) if l.status == PENDING && l.outgoing => {
                return Err(AppError::Invalid(format!(
                    "you invited {} already: they have not answered yet",
                    h.text()
                )));
            }
            Some(l) if l.status == PENDING => {
                self.accept_remote(h).await?;
                return Ok(format!(
                    "{} had invited you: you are now connected",
                    h.text()
                ));
            }
            _ => {}
        }
        let id = activity_id(&me);
        self.store
            .put_fed_link(&asked(self.account, &them.id, CONNECTION, &id))
            .await?;
        outbox::enqueue(
            &self.store,
            self.account,
            &[(them.inbox.clone(), follow(&me, &them.id, &id, true))],
        )
        .await?;
        Ok(format!("invited {}", h.text()))
    }

    /// The pending invitation a member of another server sent the user.
    async fn invitation_from(&self, h: &Handle) -> Result<(ActorRow, LinkRow)> {
        let them = self.known_actor(h).await?;
        let link = self
            .store
            .fed_link(self.account, &them.id, CONNECTION)
            .await?
            .filter(|l| !l.outgoing && l.status == PENDING)
            .ok_or_else(|| AppError::NotFound(format!("{} has not invited you", h.text())))?;
        Ok((them, link))
    }

    /// Accepts the invitation of a member of another server: each then
    /// gets the card the other shares with connections.
    pub(crate) async fn accept_remote(&self, h: &Handle) -> Result<()> {
        let (them, link) = self.invitation_from(h).await?;
        let (me, _) = self.me().await?;
        self.store
            .answer_fed_link(self.account, &them.id, CONNECTION, ACCEPTED)
            .await?;
        let card = crate::cards::load_card(&self.store, self.account).await?;
        outbox::enqueue(
            &self.store,
            self.account,
            &[
                (
                    them.inbox.clone(),
                    answer("Accept", &me, &them.id, &link.follow_id),
                ),
                (
                    them.inbox.clone(),
                    card_update(&me, &them.id, &card, kith_store::now_micros()),
                ),
            ],
        )
        .await
    }

    /// Declines the invitation of a member of another server.
    pub(crate) async fn decline_remote(&self, h: &Handle) -> Result<()> {
        let (them, link) = self.invitation_from(h).await?;
        let (me, _) = self.me().await?;
        self.store
            .answer_fed_link(self.account, &them.id, CONNECTION, DECLINED)
            .await?;
        outbox::enqueue(
            &self.store,
            self.account,
            &[(
                them.inbox.clone(),
                answer("Reject", &me, &them.id, &link.follow_id),
            )],
        )
        .await
    }

    /// Ends a connection (or withdraws an invitation) with a member of
    /// another server: no update goes either way after this. The card stays
    /// in the book, no longer following them.
    pub(crate) async fn disconnect_remote(&self, h: &Handle) -> Result<()> {
        let them = self.known_actor(h).await?;
        self.end_link(&them, CONNECTION, h).await
    }

    async fn end_link(&self, them: &ActorRow, kind: &str, h: &Handle) -> Result<()> {
        let link = self
            .store
            .fed_link(self.account, &them.id, kind)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("you are not connected to {}", h.text())))?;
        let (me, _) = self.me().await?;
        self.store
            .remove_fed_link(self.account, &them.id, kind)
            .await?;
        let activity = if link.outgoing {
            undo(&me, &them.id, &link.follow_id)
        } else {
            answer("Reject", &me, &them.id, &link.follow_id)
        };
        outbox::enqueue(&self.store, self.account, &[(them.inbox.clone(), activity)]).await
    }

    /// The user's connections and invitations with members of other
    /// servers, named by handle.
    pub(crate) async fn remote_connections(&self) -> Result<Vec<ConnectionView>> {
        if !self.fed().enabled() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for l in self.store.fed_links(self.account, Some(CONNECTION)).await? {
            let handle = match self.store.fed_actor(&l.actor).await? {
                Some(a) => a.handle,
                None => l.actor.clone(),
            };
            out.push(ConnectionView {
                name: handle,
                status: match (l.status.as_str(), l.outgoing) {
                    (ACCEPTED, _) => "connected",
                    (PENDING, true) => "invited",
                    (PENDING, false) => "invited_you",
                    _ => "declined",
                }
                .into(),
                since: rfc3339(l.created_at),
            });
        }
        Ok(out)
    }

    /// The user's handle and the delivery backlog.
    pub async fn federation_status(&self) -> Result<FederationStatus> {
        let name = super::member_name(&self.store, self.account).await?;
        let (waiting, oldest_seconds) = outbox::backlog(&self.store).await?;
        Ok(FederationStatus {
            handle: self.fed().authority().map(|a| format!("{name}@{a}")),
            waiting,
            oldest_seconds,
        })
    }

    /// Follows a fediverse account (Mastodon or any ActivityPub server):
    /// once it accepts, a person in the book follows its profile's name,
    /// bio and fields.
    pub async fn follow_account(&self, typed: &str) -> Result<String> {
        let h = self.remote_handle(typed).ok_or_else(|| {
            AppError::Invalid(format!(
                "{:?} is not a handle of another server: write it as @name@server",
                typed.trim()
            ))
        })?;
        let (me, key) = self.me().await?;
        self.refuse_blocked(&h.text().to_lowercase()).await?;
        let them = actor_by_handle(&self.store, self.fed(), &key, &h).await?;
        if let Some(l) = self
            .store
            .fed_link(self.account, &them.id, FOLLOWING)
            .await?
        {
            return Err(AppError::Invalid(format!(
                "you {} {} already",
                if l.status == ACCEPTED {
                    "follow"
                } else {
                    "asked to follow"
                },
                h.text()
            )));
        }
        let id = activity_id(&me);
        self.store
            .put_fed_link(&asked(self.account, &them.id, FOLLOWING, &id))
            .await?;
        outbox::enqueue(
            &self.store,
            self.account,
            &[(them.inbox.clone(), follow(&me, &them.id, &id, false))],
        )
        .await?;
        Ok(format!("asked to follow {}", h.text()))
    }

    /// Stops following a fediverse account (the person stays, no longer
    /// following the profile).
    pub async fn unfollow_account(&self, typed: &str) -> Result<()> {
        let h = Handle::parse(typed)
            .ok_or_else(|| AppError::Invalid(format!("{:?} is not a handle", typed.trim())))?;
        let them = self.known_actor(&h).await?;
        self.end_link(&them, FOLLOWING, &h).await
    }

    /// Accounts the user follows and accounts following the user.
    pub async fn follows(&self) -> Result<Vec<FollowView>> {
        if !self.fed().enabled() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for l in self.store.fed_links(self.account, None).await? {
            let status = match (l.kind.as_str(), l.status.as_str()) {
                (FOLLOWING, ACCEPTED) => "following",
                (FOLLOWING, _) => "requested",
                (FOLLOWER, ACCEPTED) => "follower",
                _ => continue,
            };
            let (handle, name) = match self.store.fed_actor(&l.actor).await? {
                Some(a) => {
                    let p = super::profile(&a);
                    (a.handle, p.name)
                }
                None => (l.actor.clone(), String::new()),
            };
            out.push(FollowView {
                handle,
                name,
                status: status.into(),
                since: rfc3339(l.created_at),
            });
        }
        Ok(out)
    }

    /// Sends a change of the user's card on: what they share with
    /// connections to each connection on another server (addressed to
    /// that connection only), the public profile to followers. How many
    /// connections it goes to.
    pub(crate) async fn card_changed_remote(
        &self,
        before: &MyCard,
        after: &MyCard,
    ) -> Result<usize> {
        if !self.fed().enabled() {
            return Ok(0);
        }
        let links = self.store.fed_links(self.account, None).await?;
        if links.is_empty() {
            return Ok(0);
        }
        let shared = |c: &MyCard| {
            c.seen_by(Visibility::Connections)
                .cloned()
                .collect::<Vec<_>>()
        };
        let public = |c: &MyCard| c.seen_by(Visibility::Public).cloned().collect::<Vec<_>>();
        let (me, _) = self.me().await?;
        let seq = kith_store::now_micros();
        let mut items = Vec::new();
        let mut connections = 0;
        let doc = if public(before) != public(after) {
            let name = super::member_name(&self.store, self.account).await?;
            Some(actor_document(&self.store, self.fed(), self.account, &name).await?)
        } else {
            None
        };
        for l in links.iter().filter(|l| l.status == ACCEPTED) {
            let Some(them) = self.store.fed_actor(&l.actor).await? else {
                continue;
            };
            if l.kind == CONNECTION && shared(before) != shared(after) {
                items.push((them.inbox.clone(), card_update(&me, &them.id, after, seq)));
                connections += 1;
            } else if l.kind == FOLLOWER
                && let Some(doc) = &doc
            {
                items.push((
                    them.inbox.clone(),
                    profile_update(&me, &them.id, doc.clone()),
                ));
            }
        }
        outbox::enqueue(&self.store, self.account, &items).await?;
        Ok(connections)
    }

    /// Replaces the user's signing key with a new one (under a new key
    /// id, so that servers which keep keys by id fetch it); everyone the
    /// user has a link with is told. The new key's id.
    pub async fn rotate_key(&self) -> Result<String> {
        let (me, _) = self.me().await?;
        let next = self
            .store
            .fed_keys(self.account)
            .await?
            .first()
            .map_or(1, |k| k.key_no + 1);
        super::new_key(&self.store, self.account, next).await?;
        let name = super::member_name(&self.store, self.account).await?;
        let doc = actor_document(&self.store, self.fed(), self.account, &name).await?;
        let mut items = Vec::new();
        for l in self.store.fed_links(self.account, None).await? {
            if let Some(them) = self.store.fed_actor(&l.actor).await? {
                items.push((
                    them.inbox.clone(),
                    profile_update(&me, &them.id, doc.clone()),
                ));
            }
        }
        outbox::enqueue(&self.store, self.account, &items).await?;
        Ok(format!("{me}#key-{next}"))
    }

    /// Blocks a server (`host`) or handle for the user: nothing from it is
    /// taken, and a link with it ends.
    pub async fn block(&self, target: &str) -> Result<()> {
        let t = block_target(target)?;
        // The links end first: their last word goes before the block.
        for l in self.store.fed_links(self.account, None).await? {
            if let Some(a) = self.store.fed_actor(&l.actor).await?
                && (a.handle == t || a.handle.ends_with(&format!("@{t}")))
                && let Some(h) = Handle::parse(&a.handle)
            {
                self.end_link(&a, &l.kind, &h).await?;
            }
        }
        self.store
            .add_fed_block(&self.account.0.to_string(), &t)
            .await?;
        Ok(())
    }

    /// Lifts one of the user's blocks.
    pub async fn unblock(&self, target: &str) -> Result<()> {
        let t = block_target(target)?;
        if !self
            .store
            .remove_fed_block(&self.account.0.to_string(), &t)
            .await?
        {
            return Err(AppError::NotFound(format!("you have not blocked {t}")));
        }
        Ok(())
    }

    /// The user's blocks.
    pub async fn blocks(&self) -> Result<Vec<String>> {
        Ok(self.store.fed_blocks(&self.account.0.to_string()).await?)
    }
}

/// A block's target as stored: `name@host` or `host`, lower case.
pub(crate) fn block_target(typed: &str) -> Result<String> {
    let t = typed.trim().trim_start_matches('@').to_ascii_lowercase();
    let host_ok = |h: &str| {
        !h.is_empty()
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    };
    match Handle::parse(&t) {
        Some(h) => Ok(h.text().to_lowercase()),
        None if host_ok(&t) => Ok(t),
        None => Err(AppError::Invalid(format!(
            "{:?} is neither a server (host) nor a handle (name@host)",
            typed.trim()
        ))),
    }
}

/// Blocks a server or handle for the whole server (the operator's).
pub async fn block_for_server(store: &Store, target: &str) -> Result<String> {
    let t = block_target(target)?;
    store.add_fed_block("*", &t).await?;
    Ok(t)
}

/// Lifts a server-wide block.
pub async fn unblock_for_server(store: &Store, target: &str) -> Result<()> {
    let t = block_target(target)?;
    if !store.remove_fed_block("*", &t).await? {
        return Err(AppError::NotFound(format!("{t} is not blocked")));
    }
    Ok(())
}

/// The server-wide blocks.
pub async fn server_blocks(store: &Store) -> Result<Vec<String>> {
    Ok(store.fed_blocks("*").await?)
}
