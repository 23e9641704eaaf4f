//! Introductions with double opt-in: the user asks the member in the
//! middle of a path to introduce them to the next person on it; the
//! member accepts or declines; on acceptance that person is asked by email
//! whether they want the introduction, and on their yes everyone gets the
//! introduction email. Every step is logged as an interaction in the books
//! of those it concerns; the user can withdraw, a member can refuse all.

use super::NetState;
use super::paths::{MAX_PATHS, PathTarget};
use crate::auth::{new_secret, secret_hash};
use crate::clock::rfc3339;
use crate::favours::record_favour;
use crate::mailer::Mailer;
use crate::notify;
use crate::people::resolve;
use crate::{App, AppError, Result};
use kith_core::introduction::IntroStatus;
use kith_core::mycard::Visibility;
use kith_core::reciprocity::FavourDirection;
use kith_core::{AccountId, Direction, Interaction, InteractionId, InteractionKind, PersonId};
use kith_store::Store;
use kith_store::cards::Usage;
use kith_store::network::IntroRow;
use serde::Serialize;
use uuid::Uuid;

/// The account setting of a member who takes no introduction requests.
pub const REFUSE_SETTING: &str = "refuse_introductions";
/// The longest message a request may carry.
pub const MAX_MESSAGE: usize = 2000;

/// An introduction request as one of its members sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntroView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: Uuid,
    /// `requester` (the user asked), `broker` (the user was asked) or
    /// `introducer` (the user introduces two people of their own book).
    pub role: String,
    pub requester: String,
    pub broker: String,
    /// Who is to be introduced: the broker sees their contact's name, the
    /// requester what the path showed them.
    pub person: String,
    pub message: String,
    /// `asked`, `accepted` (waiting for the person's yes), `declined`,
    /// `withdrawn`, `introduced` or `refused` (the person said no).
    pub status: String,
    pub created_at: String,
}

/// What the person asked about sees on their answer page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntroInvite {
    /// The request answered (for the servers to be told, when it came
    /// from another one).
    #[serde(skip)]
    pub id: Uuid,
    pub broker: String,
    pub requester: String,
    pub message: String,
    pub status: String,
}

/// A member's name as their connections see it (their card's, else the
/// account's; never their own address book's card of themself).
async fn member_name(store: &Store, account: AccountId) -> Result<String> {
    Ok(
        crate::cards::member_as_seen(store, account, Visibility::Connections)
            .await?
            .display_name(),
    )
}

async fn verified_email(store: &Store, account: AccountId) -> Result<Option<String>> {
    Ok(store
        .member_emails(account)
        .await?
        .into_iter()
        .find(|e| e.1)
        .map(|e| e.0))
}

/// An introduction a member makes between two people of their own book
/// (from "what can I do for them"): they are broker and requester both.
fn self_brokered(row: &IntroRow) -> bool {
    row.requester == row.broker
}

/// Which side of an introduction with another server this one is
/// (`requester` or `broker`) and the other side's actor (federation keeps
/// the rest of `remote`).
pub(crate) fn remote_side(row: &IntroRow) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(row.remote.as_deref()?).ok()?;
    Some((
        v.get("side")?.as_str()?.to_string(),
        v.get("actor")?.as_str()?.to_string(),
    ))
}

/// The handle of an actor of another server (its id when unknown).
async fn handle_of(store: &Store, actor: &str) -> Result<String> {
    Ok(store
        .fed_actor(actor)
        .await?
        .map(|a| a.handle)
        .unwrap_or_else(|| actor.to_string()))
}

/// The name of who asked: a member, or in an introduction the broker
/// made, the person with the need (their card in the broker's book).
async fn requester_name(store: &Store, row: &IntroRow) -> Result<String> {
    if !self_brokered(row) {
        return member_name(store, row.requester).await;
    }
    let mut tx = store.begin_read(row.broker).await?;
    Ok(match row.requester_person {
        Some(p) => tx.person(p).await?.map(|sp| sp.person.card.display_name()),
        None => None,
    }
    .unwrap_or_else(|| row.goal.clone()))
}

async fn requester_email(store: &Store, row: &IntroRow) -> Result<Option<String>> {
    if !self_brokered(row) {
        return verified_email(store, row.requester).await;
    }
    let mut tx = store.begin_read(row.broker).await?;
    Ok(match row.requester_person {
        Some(p) => tx.person(p).await?.and_then(|sp| {
            sp.person
                .card
                .emails
                .first()
                .map(|e| e.value.trim().to_string())
        }),
        None => None,
    })
}

/// Logs a step in an account's book, with those of `people` still living.
pub(crate) async fn log_step(
    store: &Store,
    account: AccountId,
    people: &[Option<PersonId>],
    direction: Direction,
    note: String,
) -> Result<()> {
    let mut tx = store.begin(account).await?;
    let mut living = Vec::new();
    for p in people.iter().flatten() {
        if tx.person(*p).await?.is_some() {
            living.push(*p);
        }
    }
    if living.is_empty() {
        return Ok(());
    }
    let interaction = Interaction {
        id: InteractionId::new(),
        at: kith_store::now_micros(),
        kind: InteractionKind::Introduction,
        direction,
        people: living,
        note: Some(note),
        source: "introduction".into(),
    };
    tx.add_interaction(&interaction, None).await?;
    tx.commit().await?;
    Ok(())
}

async fn member_card(
    store: &Store,
    holder: AccountId,
    member: AccountId,
) -> Result<Option<PersonId>> {
    let mut tx = store.begin_read(holder).await?;
    Ok(tx.member_cards().await?.get(&member).copied())
}

impl NetState {
    /// On the viewer's paths to `targets`, the first that goes through
    /// `broker` as the viewer's direct connection: the broker's contact
    /// next on it and how the viewer saw that contact (`by_role`: through
    /// contacts seen by role too).
    fn broker_step(
        &self,
        ws: &mut kith_graph::Workspace,
        viewer: AccountId,
        broker: AccountId,
        targets: &[kith_graph::Node],
        by_role: bool,
    ) -> Option<(PersonId, String)> {
        let me = *self.me.get(&viewer)?;
        let broker_node = *self.me.get(&broker)?;
        let paths = {
            let (graph, visibility) = self.searcher(viewer);
            ws.k_best_paths(graph, me, targets, MAX_PATHS, |n| {
                visibility.allows(n) && (by_role || !self.seen_by_role(viewer, n))
            })
        };
        for p in paths {
            let Some(at) = p.nodes.iter().position(|&n| n == broker_node) else {
                continue;
            };
            // The broker must be the viewer's direct connection: only the
            // viewer's own cards, or the viewer in another address book,
            // may come between.
            let direct = (1..at).all(|i| {
                self.nodes[p.nodes[i] as usize].account == viewer
                    || self.same_person(p.nodes[i - 1], p.nodes[i])
            });
            if !direct {
                continue;
            }
            let next = p.nodes[at + 1..]
                .iter()
                .find(|&&n| self.nodes[n as usize].account == broker)?;
            let person = self.nodes[*next as usize].person?;
            return Some((person, self.shown(viewer, *next).name));
        }
        None
    }
}

impl App {
    /// Whether the user takes introduction requests.
    pub async fn refuses_introductions(&self) -> Result<bool> {
        Ok(self
            .store
            .account_setting(self.account, REFUSE_SETTING)
            .await?
            .is_some())
    }

    /// Refuses (or takes again) all introduction requests.
    pub async fn set_refuse_introductions(&self, refuse: bool) -> Result<()> {
        self.store
            .set_account_setting(self.account, REFUSE_SETTING, refuse.then_some("yes"))
            .await?;
        Ok(())
    }

    /// Whether the user has confirmed an email address (introductions
    /// are emailed to it, so asking for one needs it).
    pub async fn has_verified_email(&self) -> Result<bool> {
        Ok(verified_email(&self.store, self.account).await?.is_some())
    }

    /// Asks the member `via` to introduce the user to the next person on
    /// the user's best path to `target` that goes through them.
    pub async fn request_introduction(
        &self,
        target: &PathTarget,
        via: &str,
        message: &str,
    ) -> Result<IntroView> {
        if let Some(h) = self.remote_handle(via) {
            return self.request_introduction_remote(target, &h, message).await;
        }
        let message = message.trim();
        if message.chars().count() > MAX_MESSAGE {
            return Err(AppError::Invalid(format!(
                "the message is too long: at most {MAX_MESSAGE} characters"
            )));
        }
        let broker = self
            .store
            .account(via.trim())
            .await?
            .filter(|a| a.id != self.account)
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "you are not connected to a member called {:?}",
                    via.trim()
                ))
            })?;
        if !self
            .store
            .connections(self.account)
            .await?
            .contains(&broker.id)
        {
            return Err(AppError::NotFound(format!(
                "you are not connected to a member called {:?}",
                via.trim()
            )));
        }
        if self
            .store
            .account_setting(broker.id, REFUSE_SETTING)
            .await?
            .is_some()
        {
            return Err(AppError::Invalid(format!(
                "{} does not take introduction requests",
                broker.name
            )));
        }
        if verified_email(&self.store, self.account).await?.is_none() {
            return Err(AppError::Invalid(
                "verify your email address first (settings): the introduction email goes to it"
                    .into(),
            ));
        }
        // The target must resolve as for a path (same answers, same privacy).
        let (label, _) = self.paths(target, 1).await?;
        let own = match target {
            PathTarget::Person(q) => self.own_target(q).await?.map(|o| o.0),
            PathTarget::Org(_) => None,
        };
        // Past the day's cap of people found through contacts shared by
        // role, the broker's such contacts are left out here too.
        let open = self
            .role_finds_open(Self::role_find_subject(target, own).as_deref())
            .await?;
        let step = {
            let state = self.network().await?;
            let mut targets = state.target_nodes(self.account, target, own);
            if !open {
                targets.retain(|&n| !state.seen_by_role(self.account, n));
            }
            let mut ws = self.network.workspace();
            state.broker_step(&mut ws, self.account, broker.id, &targets, open)
        };
        let (broker_person, shown) = step.ok_or_else(|| {
            AppError::Invalid(format!(
                "none of your paths to {label} goes through {}",
                broker.name
            ))
        })?;
        let open = self
            .store
            .introductions(self.account)
            .await?
            .into_iter()
            .any(|i| {
                i.requester == self.account
                    && i.broker_person == broker_person
                    && i.status.is_open()
            });
        if open {
            return Err(AppError::Invalid(format!(
                "you have asked {} for this introduction already",
                broker.name
            )));
        }
        let now = kith_store::now_micros();
        let row = IntroRow {
            id: Uuid::now_v7(),
            requester: self.account,
            broker: broker.id,
            broker_person,
            requester_person: own,
            goal: shown.clone(),
            message: message.to_string(),
            status: IntroStatus::Asked,
            target_email: None,
            created_at: now,
            updated_at: now,
            remote: None,
            remote_id: None,
        };
        self.store.add_introduction(&row).await?;
        let me_name = member_name(&self.store, self.account).await?;
        let broker_card = member_card(&self.store, self.account, broker.id).await?;
        log_step(
            &self.store,
            self.account,
            &[broker_card],
            Direction::Outgoing,
            format!("asked {} for an introduction to {shown}", broker.name),
        )
        .await?;
        let requester_card = member_card(&self.store, broker.id, self.account).await?;
        log_step(
            &self.store,
            broker.id,
            &[requester_card],
            Direction::Incoming,
            format!("{me_name} asked for an introduction"),
        )
        .await?;
        self.introduction(row.id).await
    }

    async fn intro_view(&self, row: IntroRow) -> Result<IntroView> {
        if let Some((side, actor)) = remote_side(&row) {
            let other = handle_of(&self.store, &actor).await?;
            let me = self
                .store
                .account_by_id(self.account)
                .await?
                .map(|a| a.name)
                .unwrap_or_default();
            let (requester, broker, person) = if side == "requester" {
                (me, other, row.goal.clone())
            } else {
                let mut tx = self.store.begin_read(self.account).await?;
                let person = tx
                    .person(row.broker_person)
                    .await?
                    .map(|sp| sp.person.card.display_name())
                    .unwrap_or_else(|| row.goal.clone());
                (other, me, person)
            };
            return Ok(IntroView {
                id: row.id,
                role: if side == "requester" {
                    "requester"
                } else {
                    "broker"
                }
                .into(),
                requester,
                broker,
                person,
                message: row.message,
                status: row.status.as_str().into(),
                created_at: rfc3339(row.created_at),
            });
        }
        let is_broker = row.broker == self.account;
        let person = if is_broker {
            let mut tx = self.store.begin_read(self.account).await?;
            tx.person(row.broker_person)
                .await?
                .map(|sp| sp.person.card.display_name())
                .unwrap_or_else(|| row.goal.clone())
        } else {
            row.goal.clone()
        };
        Ok(IntroView {
            id: row.id,
            role: if self_brokered(&row) {
                "introducer"
            } else if is_broker {
                "broker"
            } else {
                "requester"
            }
            .into(),
            requester: if self_brokered(&row) {
                requester_name(&self.store, &row).await?
            } else {
                self.store
                    .account_by_id(row.requester)
                    .await?
                    .map(|a| a.name)
                    .unwrap_or_default()
            },
            broker: self
                .store
                .account_by_id(row.broker)
                .await?
                .map(|a| a.name)
                .unwrap_or_default(),
            person,
            message: row.message,
            status: row.status.as_str().into(),
            created_at: rfc3339(row.created_at),
        })
    }

    /// The introductions the user asked for or was asked to make, newest first.
    pub async fn introductions(&self) -> Result<Vec<IntroView>> {
        let mut out = Vec::new();
        for row in self.store.introductions(self.account).await? {
            out.push(self.intro_view(row).await?);
        }
        Ok(out)
    }

    /// One introduction of the user's (404 for anyone else's).
    pub async fn introduction(&self, id: Uuid) -> Result<IntroView> {
        let row = self.intro_row(id).await?;
        self.intro_view(row).await
    }

    async fn intro_row(&self, id: Uuid) -> Result<IntroRow> {
        self.store
            .introduction(self.account, id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no introduction request {id}")))
    }

    /// Withdraws a request the user made that is still open.
    pub async fn withdraw_introduction(&self, id: Uuid) -> Result<IntroView> {
        let row = self.intro_row(id).await?;
        if row.requester != self.account
            || remote_side(&row).is_some_and(|(side, _)| side == "broker")
        {
            return Err(AppError::Invalid(
                "only who asked for an introduction can withdraw it".into(),
            ));
        }
        if !(self
            .store
            .move_introduction(id, IntroStatus::Asked, IntroStatus::Withdrawn, None, None)
            .await?
            || self
                .store
                .move_introduction(
                    id,
                    IntroStatus::Accepted,
                    IntroStatus::Withdrawn,
                    None,
                    None,
                )
                .await?)
        {
            return Err(AppError::Invalid(format!(
                "this request is {} already",
                row.status
            )));
        }
        let broker_card = member_card(&self.store, self.account, row.broker).await?;
        log_step(
            &self.store,
            self.account,
            &[broker_card],
            Direction::Outgoing,
            format!("withdrew the request for an introduction to {}", row.goal),
        )
        .await?;
        self.intro_changed_remote(id).await?;
        self.introduction(id).await
    }

    /// Declines a request the user was asked.
    pub async fn decline_introduction(&self, id: Uuid) -> Result<IntroView> {
        let row = self.broker_row(id).await?;
        if !self
            .store
            .move_introduction(id, IntroStatus::Asked, IntroStatus::Declined, None, None)
            .await?
        {
            return Err(AppError::Invalid(format!(
                "this request is {} already",
                row.status
            )));
        }
        let requester_card = match remote_side(&row) {
            Some(_) => row.requester_person,
            None => member_card(&self.store, self.account, row.requester).await?,
        };
        log_step(
            &self.store,
            self.account,
            &[requester_card],
            Direction::Outgoing,
            "declined a request for an introduction".into(),
        )
        .await?;
        self.intro_changed_remote(id).await?;
        self.introduction(id).await
    }

    async fn broker_row(&self, id: Uuid) -> Result<IntroRow> {
        let row = self.intro_row(id).await?;
        if row.broker != self.account
            || remote_side(&row).is_some_and(|(side, _)| side == "requester")
        {
            return Err(AppError::Invalid(
                "only the member asked can answer this request".into(),
            ));
        }
        Ok(row)
    }

    /// Accepts a request: the person is asked by email whether they want
    /// the introduction (the first opt-in is the member's, this the second).
    /// Without a mailer (no `[smtp]`) the request is left as it was.
    pub async fn accept_introduction(
        &self,
        id: Uuid,
        mailer: Option<&Mailer>,
        public_url: &str,
    ) -> Result<IntroView> {
        let row = self.broker_row(id).await?;
        if row.status != IntroStatus::Asked {
            return Err(AppError::Invalid(format!(
                "this request is {} already",
                row.status
            )));
        }
        let mailer = mailer.ok_or_else(|| {
            AppError::Mail(
                "this server has no [smtp] in kith.toml, so it cannot email the person".into(),
            )
        })?;
        let contact = {
            let mut tx = self.store.begin_read(self.account).await?;
            tx.person(row.broker_person).await?
        }
        .ok_or_else(|| {
            AppError::Invalid("the person to introduce is no longer in your address book".into())
        })?;
        let name = contact.person.card.display_name();
        let email = contact
            .person
            .card
            .emails
            .first()
            .map(|e| e.value.trim().to_string())
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "you have no email address for {name}: add one to their card, or decline"
                ))
            })?;
        // Each acceptance mails an address of the broker's choosing: under
        // the same daily cap as their card mailings (docs/cards.md).
        self.count_daily(
            Usage::IntroductionMail,
            self.settings.card_emails_per_day,
            "introduction emails",
        )
        .await?;
        let secret = new_secret()?;
        if !self
            .store
            .move_introduction(
                id,
                IntroStatus::Asked,
                IntroStatus::Accepted,
                Some(&secret_hash(&secret)),
                Some(&email),
            )
            .await?
        {
            return Err(AppError::Invalid(
                "this request was answered meanwhile".into(),
            ));
        }
        let broker_name = member_name(&self.store, self.account).await?;
        let requester_name = requester_name(&self.store, &row).await?;
        let link = format!(
            "{}/introductions/answer/{secret}",
            public_url.trim_end_matches('/')
        );
        let mail = notify::introduction_question(
            &name,
            &broker_name,
            &requester_name,
            &row.message,
            &link,
        );
        if let Err(e) = mailer
            .send(&email, &mail.subject, mail.text, mail.html)
            .await
        {
            self.store
                .move_introduction(id, IntroStatus::Accepted, IntroStatus::Asked, None, None)
                .await?;
            return Err(e);
        }
        log_step(
            &self.store,
            self.account,
            &[Some(row.broker_person)],
            Direction::Outgoing,
            format!("asked whether they would like to meet {requester_name}"),
        )
        .await?;
        self.intro_changed_remote(id).await?;
        self.introduction(id).await
    }

    /// Introduces two people of the user's book to each other (one with a
    /// need, one who can help), through the introduction flow: the helper
    /// is asked by email, and on their yes both get the introduction.
    pub async fn introduce(
        &self,
        person: &str,
        helper: &str,
        message: &str,
        mailer: Option<&Mailer>,
        public_url: &str,
    ) -> Result<IntroView> {
        let message = message.trim();
        if message.chars().count() > MAX_MESSAGE {
            return Err(AppError::Invalid(format!(
                "the message is too long: at most {} characters",
                MAX_MESSAGE
            )));
        }
        let (a, b) = {
            let mut tx = self.store.begin_read(self.account).await?;
            (
                resolve(&mut tx, person).await?,
                resolve(&mut tx, helper).await?,
            )
        };
        if a.person.id == b.person.id {
            return Err(AppError::Invalid("introduce two different people".into()));
        }
        if a.person.card.emails.is_empty() {
            return Err(AppError::Invalid(format!(
                "you have no email address for {}: add one to their card first",
                a.person.card.display_name()
            )));
        }
        let now = kith_store::now_micros();
        let row = IntroRow {
            id: Uuid::now_v7(),
            requester: self.account,
            broker: self.account,
            broker_person: b.person.id,
            requester_person: Some(a.person.id),
            goal: a.person.card.display_name(),
            message: message.to_string(),
            status: IntroStatus::Asked,
            target_email: None,
            created_at: now,
            updated_at: now,
            remote: None,
            remote_id: None,
        };
        self.store.add_introduction(&row).await?;
        match self.accept_introduction(row.id, mailer, public_url).await {
            Ok(v) => Ok(v),
            Err(e) => {
                self.store
                    .move_introduction(
                        row.id,
                        IntroStatus::Asked,
                        IntroStatus::Withdrawn,
                        None,
                        None,
                    )
                    .await?;
                Err(e)
            }
        }
    }
}

/// The request an answer link's secret opens.
async fn row_by_secret(store: &Store, secret: &str) -> Result<IntroRow> {
    store
        .introduction_by_token(&secret_hash(secret.trim()))
        .await?
        .ok_or_else(|| {
            AppError::NotFound("this link is unknown, was answered already or was withdrawn".into())
        })
}

/// The request behind an answer link, for the person asked about.
pub async fn introduction_invite(store: &Store, secret: &str) -> Result<IntroInvite> {
    let row = row_by_secret(store, secret).await?;
    Ok(IntroInvite {
        id: row.id,
        broker: member_name(store, row.broker).await?,
        requester: requester_name(store, &row).await?,
        message: row.message,
        status: row.status.as_str().into(),
    })
}

/// The person's answer: on yes everyone gets the introduction email.
pub async fn answer_introduction(
    store: &Store,
    secret: &str,
    yes: bool,
    mailer: &Mailer,
) -> Result<IntroInvite> {
    let row = row_by_secret(store, secret).await?;
    let to = if yes {
        IntroStatus::Introduced
    } else {
        IntroStatus::Refused
    };
    if !store
        .move_introduction(row.id, IntroStatus::Accepted, to, None, None)
        .await?
    {
        return Err(AppError::NotFound(
            "this request was withdrawn or answered meanwhile".into(),
        ));
    }
    let broker_name = member_name(store, row.broker).await?;
    let requester_name = requester_name(store, &row).await?;
    let contact = {
        let mut tx = store.begin_read(row.broker).await?;
        tx.person(row.broker_person).await?
    };
    let contact_name = contact
        .map(|c| c.person.card.display_name())
        .unwrap_or_else(|| "they".into());
    let requester_card = if self_brokered(&row) {
        row.requester_person
    } else {
        member_card(store, row.broker, row.requester).await?
    };
    if yes {
        let target_email = row.target_email.clone().unwrap_or_default();
        let requester_email = requester_email(store, &row).await?;
        let broker_email = verified_email(store, row.broker).await?;
        let mail = notify::introduction(&notify::Introduction {
            broker: &broker_name,
            requester: &requester_name,
            requester_email: requester_email.as_deref(),
            contact: &contact_name,
            contact_email: &target_email,
            // In an introduction the broker made, only the helper was asked.
            by_broker: self_brokered(&row),
            message: &row.message,
        });
        let mut recipients = vec![target_email];
        recipients.extend(requester_email);
        recipients.extend(broker_email);
        for to in recipients {
            mailer
                .send(&to, &mail.subject, mail.text.clone(), mail.html.clone())
                .await?;
        }
        log_step(
            store,
            row.broker,
            &[Some(row.broker_person), requester_card],
            Direction::Outgoing,
            format!("introduced {requester_name} and {contact_name}"),
        )
        .await?;
        // An introduction made is a favour: given in the broker's book,
        // received in the requester's.
        if let Some(card) = requester_card {
            record_favour(
                store,
                row.broker,
                card,
                FavourDirection::Given,
                format!("introduced them to {contact_name}"),
            )
            .await?;
        }
        if !self_brokered(&row) {
            let broker_card = member_card(store, row.requester, row.broker).await?;
            log_step(
                store,
                row.requester,
                &[broker_card, row.requester_person],
                Direction::Incoming,
                format!("{broker_name} introduced you to {contact_name}"),
            )
            .await?;
            if let Some(card) = broker_card {
                record_favour(
                    store,
                    row.requester,
                    card,
                    FavourDirection::Received,
                    format!("introduced you to {contact_name}"),
                )
                .await?;
            }
        }
    } else {
        log_step(
            store,
            row.broker,
            &[Some(row.broker_person)],
            Direction::Incoming,
            format!("{contact_name} declined to meet {requester_name}"),
        )
        .await?;
    }
    Ok(IntroInvite {
        id: row.id,
        broker: broker_name,
        requester: requester_name,
        message: row.message,
        status: to.as_str().into(),
    })
}
