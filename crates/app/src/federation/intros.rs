//! Introductions between members of different servers, double opt-in as
//! on one server: the request travels as an `Offer` of a
//! `KithIntroduction`, and each step after it (accepted: the person is
//! being asked; declined; introduced, with the person's name and address
//! as they agreed to share them; refused; withdrawn) as an `Update` of it.
//! On the broker's server the request is an introduction the broker makes
//! between the requester's card and their own contact, so the person is
//! asked and everyone told exactly as there; on the requester's server it
//! is a request whose broker is the connection's card.

use super::actor;
use super::inbox::{Federation, Refused, Verified};
use super::links::{ACCEPTED, CONNECTION, activity_id};
use super::{Handle, outbox};
use crate::network::intros::{IntroView, MAX_MESSAGE, REFUSE_SETTING, log_step, remote_side};
use crate::network::paths::PathTarget;
use crate::{App, AppError, Result};
use kith_core::introduction::IntroStatus;
use kith_core::mycard::{Field, MyCard, Visibility};
use kith_core::reciprocity::FavourDirection;
use kith_core::{AccountId, Direction};
use kith_store::Store;
use kith_store::network::IntroRow;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

/// What an introduction with another server keeps of it (`remote`).
#[derive(Debug, Serialize, Deserialize)]
struct Remote {
    /// `requester` or `broker`: which side this server is.
    side: String,
    /// The other side's actor.
    actor: String,
    /// The introduction's id between the servers.
    id: String,
    /// This side's actor.
    me: String,
}

fn clip(s: &str, n: usize) -> String {
    s.trim().chars().take(n).collect()
}

impl App {
    /// Asks a connection on another server to introduce the user to the
    /// next person on the user's best path through them.
    pub(crate) async fn request_introduction_remote(
        &self,
        target: &PathTarget,
        h: &Handle,
        message: &str,
    ) -> Result<IntroView> {
        let message = message.trim();
        if message.chars().count() > MAX_MESSAGE {
            return Err(AppError::Invalid(format!(
                "the message is too long: at most {MAX_MESSAGE} characters"
            )));
        }
        let not_connected = || AppError::NotFound(format!("you are not connected to {}", h.text()));
        let them = self
            .store
            .fed_actor_by_handle(&h.text().to_lowercase())
            .await?
            .ok_or_else(not_connected)?;
        let link = self
            .store
            .fed_link(self.account, &them.id, CONNECTION)
            .await?
            .filter(|l| l.status == ACCEPTED)
            .ok_or_else(not_connected)?;
        let broker_card = link.person.ok_or_else(|| {
            AppError::Invalid(format!("{}'s card has not reached you yet", h.text()))
        })?;
        let report = self
            .paths_everywhere(target, crate::network::paths::MAX_PATHS)
            .await?;
        let goal = report
            .paths
            .iter()
            .find_map(|p| {
                let at = p
                    .people
                    .iter()
                    .position(|x| x.member.as_deref() == Some(them.handle.as_str()))?;
                p.people.get(at + 1).map(|x| x.name.clone())
            })
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "none of your paths to {} goes through {}",
                    report.label,
                    h.text()
                ))
            })?;
        let open = self
            .store
            .introductions(self.account)
            .await?
            .into_iter()
            .any(|i| {
                i.status.is_open()
                    && i.goal == goal
                    && remote_side(&i)
                        .is_some_and(|(side, actor)| side == "requester" && actor == them.id)
            });
        if open {
            return Err(AppError::Invalid(format!(
                "you have asked {} for this introduction already",
                h.text()
            )));
        }
        let own = match target {
            PathTarget::Person(q) => self.own_target(q).await?.map(|o| o.0),
            PathTarget::Org(_) => None,
        };
        let name = super::member_name(&self.store, self.account).await?;
        let me = self.settings.federation.actor_id(&name)?;
        let remote_id = format!("{me}/introductions/{}", Uuid::now_v7());
        let remote = Remote {
            side: "requester".into(),
            actor: them.id.clone(),
            id: remote_id.clone(),
            me: me.clone(),
        };
        let now = kith_store::now_micros();
        let row = IntroRow {
            id: Uuid::now_v7(),
            requester: self.account,
            broker: self.account,
            broker_person: broker_card,
            requester_person: own,
            goal: goal.clone(),
            message: message.to_string(),
            status: IntroStatus::Asked,
            target_email: None,
            created_at: now,
            updated_at: now,
            remote: serde_json::to_string(&remote).ok(),
            remote_id: Some(remote_id.clone()),
        };
        self.store.add_introduction(&row).await?;
        log_step(
            &self.store,
            self.account,
            &[Some(broker_card)],
            Direction::Outgoing,
            format!("asked {} for an introduction to {goal}", h.text()),
        )
        .await?;
        let wanted = match target {
            PathTarget::Person(q) => json!({"person": q}),
            PathTarget::Org(q) => json!({"org": q}),
        };
        let offer = json!({
            "@context": actor::context(), "id": activity_id(&me), "type": "Offer",
            "actor": me, "to": [them.id],
            "object": {"type": "KithIntroduction", "id": remote_id, "target": wanted,
                       "goal": goal, "message": message},
        });
        outbox::enqueue(&self.store, self.account, &[(them.inbox.clone(), offer)]).await?;
        self.introduction(row.id).await
    }

    /// Tells the other server where an introduction with it stands.
    pub(crate) async fn intro_changed_remote(&self, id: Uuid) -> Result<()> {
        intro_changed(&self.store, id).await
    }
}

/// Tells the other side of an introduction with another server where it
/// now stands (nothing for one of this server's own).
pub(crate) async fn intro_changed(store: &Store, id: Uuid) -> Result<()> {
    let Some(row) = store.introduction_by_id(id).await? else {
        return Ok(());
    };
    let Some(remote) = row
        .remote
        .as_deref()
        .and_then(|r| serde_json::from_str::<Remote>(r).ok())
    else {
        return Ok(());
    };
    let Some(them) = store.fed_actor(&remote.actor).await? else {
        return Ok(());
    };
    let mut object =
        json!({"type": "KithIntroduction", "id": remote.id, "status": row.status.as_str()});
    if remote.side == "broker" && row.status == IntroStatus::Introduced {
        // The person said yes: their name, and the address they were
        // asked at, go to the requester.
        let mut tx = store.begin_read(row.broker).await?;
        let name = tx
            .person(row.broker_person)
            .await?
            .map(|p| p.person.card.display_name())
            .unwrap_or_else(|| row.goal.clone());
        object["contact"] = json!({"name": name, "email": row.target_email});
    }
    let update = json!({
        "@context": actor::context(), "id": activity_id(&remote.me), "type": "Update",
        "actor": remote.me, "to": [remote.actor], "object": object,
    });
    outbox::enqueue(store, row.broker, &[(them.inbox, update)]).await
}

impl Federation {
    /// A connection on another server asks the member to introduce them.
    pub(crate) async fn on_intro_offer(
        &self,
        v: &Verified,
        object: &Value,
    ) -> std::result::Result<(), Refused> {
        let account = v.account();
        let Some(link) = self
            .store()
            .fed_link(account, v.actor_id(), CONNECTION)
            .await?
            .filter(|l| l.status == ACCEPTED)
        else {
            return Ok(());
        };
        let id = object
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| Refused::Invalid("the introduction has no id".into()))?
            .to_string();
        if self
            .store()
            .introduction_by_remote(account, &id)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let target = object.get("target");
        let target = match (
            target.and_then(|t| t.get("person")).and_then(Value::as_str),
            target.and_then(|t| t.get("org")).and_then(Value::as_str),
        ) {
            (Some(p), None) => PathTarget::Person(clip(p, 300)),
            (None, Some(o)) => PathTarget::Org(clip(o, 300)),
            _ => {
                return Err(Refused::Invalid(
                    "the introduction names no person or organisation".into(),
                ));
            }
        };
        let message = clip(
            object.get("message").and_then(Value::as_str).unwrap_or(""),
            MAX_MESSAGE,
        );
        let name = super::member_name(self.store(), account).await?;
        let me = self.config().actor_id(&name)?;
        let remote = Remote {
            side: "broker".into(),
            actor: v.actor_id().to_string(),
            id: id.clone(),
            me,
        };
        let refuses = self
            .store()
            .account_setting(account, REFUSE_SETTING)
            .await?
            .is_some();
        let step = if refuses {
            None
        } else {
            self.app_for(account).remote_broker_step(&target).await?
        };
        let now = kith_store::now_micros();
        let (person, goal, status) = match step {
            Some((person, shown)) => (person, shown, IntroStatus::Asked),
            // Kept as declined, and the requester told so.
            None => match link.person {
                Some(p) => (p, String::new(), IntroStatus::Declined),
                None => return Ok(()),
            },
        };
        let row = IntroRow {
            id: Uuid::now_v7(),
            requester: account,
            broker: account,
            broker_person: person,
            requester_person: link.person,
            goal,
            message,
            status,
            target_email: None,
            created_at: now,
            updated_at: now,
            remote: serde_json::to_string(&remote).ok(),
            remote_id: Some(id),
        };
        self.store().add_introduction(&row).await?;
        if status == IntroStatus::Declined {
            intro_changed(self.store(), row.id).await?;
            return Ok(());
        }
        log_step(
            self.store(),
            account,
            &[link.person],
            Direction::Incoming,
            format!("{} asked for an introduction", v.handle()),
        )
        .await?;
        Ok(())
    }

    /// The other server says where an introduction stands.
    pub(crate) async fn on_intro_update(
        &self,
        v: &Verified,
        object: &Value,
    ) -> std::result::Result<(), Refused> {
        let account = v.account();
        let Some(id) = object.get("id").and_then(Value::as_str) else {
            return Ok(());
        };
        let Some(row) = self.store().introduction_by_remote(account, id).await? else {
            return Ok(());
        };
        let Some((side, actor)) = remote_side(&row) else {
            return Ok(());
        };
        if actor != v.actor_id() {
            return Err(Refused::Forbidden(
                "that introduction is not yours to change".into(),
            ));
        }
        let status = object
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let store = self.store();
        let moved = |from: IntroStatus, to: IntroStatus| {
            store.move_introduction(row.id, from, to, None, None)
        };
        match (side.as_str(), status) {
            ("requester", "accepted") => {
                moved(IntroStatus::Asked, IntroStatus::Accepted).await?;
            }
            ("requester", "declined") => {
                moved(IntroStatus::Asked, IntroStatus::Declined).await?;
            }
            ("requester", "refused") => {
                moved(IntroStatus::Accepted, IntroStatus::Refused).await?;
            }
            ("requester", "introduced") => {
                if !(moved(IntroStatus::Accepted, IntroStatus::Introduced).await?
                    || moved(IntroStatus::Asked, IntroStatus::Introduced).await?)
                {
                    return Ok(());
                }
                let contact = object.get("contact");
                let name = contact
                    .and_then(|c| c.get("name"))
                    .and_then(Value::as_str)
                    .map(|n| clip(n, 300))
                    .unwrap_or_else(|| row.goal.clone());
                let email = contact
                    .and_then(|c| c.get("email"))
                    .and_then(Value::as_str)
                    .map(|e| clip(e, 300));
                let met = self
                    .keep_contact(account, v.handle(), &name, email.as_deref())
                    .await?;
                log_step(
                    store,
                    account,
                    &[Some(row.broker_person), met],
                    Direction::Incoming,
                    format!("{} introduced you to {name}", v.handle()),
                )
                .await?;
                crate::favours::record_favour(
                    store,
                    account,
                    row.broker_person,
                    FavourDirection::Received,
                    format!("introduced you to {name}"),
                )
                .await?;
            }
            ("broker", "withdrawn") => {
                // Asked or already accepted: either way it stops here.
                let withdrawn = moved(IntroStatus::Asked, IntroStatus::Withdrawn).await?
                    || moved(IntroStatus::Accepted, IntroStatus::Withdrawn).await?;
                tracing::debug!(withdrawn, "an introduction withdrawn by its requester");
            }
            _ => {}
        }
        Ok(())
    }

    /// The person the requester was introduced to, in their book (one
    /// with that address already, else a new one).
    async fn keep_contact(
        &self,
        account: AccountId,
        via: &str,
        name: &str,
        email: Option<&str>,
    ) -> std::result::Result<Option<kith_core::PersonId>, Refused> {
        let mut card = MyCard::default();
        let _ = card.set(Field::Name, name, Some(Visibility::Connections));
        if let Some(e) = email {
            let _ = card.set(Field::Email, e, Some(Visibility::Connections));
        }
        if card.fields.is_empty() {
            return Ok(None);
        }
        let src = kith_core::Source {
            file: format!("introduction by {via}"),
            line: 0,
            format: "introduction".into(),
        };
        let shown = card.to_card(Visibility::Connections, &src);
        Ok(Some(
            super::links::place(self.store(), account, &shown, &src).await?,
        ))
    }
}
