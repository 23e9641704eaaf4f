//! Members of one server connecting, LinkedIn style: invitations accepted
//! or declined, each member's card linked into the other's address book
//! on acceptance, members' verified email addresses, and "people you may
//! know" (contacts who are members, members several connections know).

use crate::auth::{new_secret, secret_hash};
use crate::clock::rfc3339;
use crate::mailer::Mailer;
use crate::notify;
use crate::{App, AppError, Result};
use kith_core::identity::email_key;
use kith_core::mycard::Visibility;
use kith_core::{AccountId, Person, PersonId};
use kith_store::cards::Usage;
use kith_store::network::LinkStatus;
use kith_store::tx::PersonWrite;
use kith_store::{Account, Store};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// The most emails verifying an address a member may have kith send a day.
pub const VERIFICATIONS_PER_DAY: u32 = 5;

/// A connection or invitation, seen by the user.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionView {
    /// The member's account name, or `name@host` for a member of another
    /// server.
    pub name: String,
    /// `connected`, `invited` (waiting for them), `invited_you` or `declined`.
    pub status: String,
    /// When the invitation was sent (RFC 3339).
    pub since: String,
}

/// A member the user may know, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberSuggestion {
    pub name: String,
    pub reason: String,
}

/// A member's email address.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberEmail {
    pub email: String,
    pub verified: bool,
}

impl App {
    async fn member(&self, name: &str) -> Result<Account> {
        let name = name.trim();
        let account = self
            .store
            .account(name)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no member is called {name:?}")))?;
        if account.id == self.account {
            return Err(AppError::Invalid(
                "that is you: connect with another member".into(),
            ));
        }
        Ok(account)
    }

    /// Invites a member to connect (or accepts their invitation, if they
    /// sent one first); says what happened.
    pub async fn invite(&self, name: &str) -> Result<String> {
        if let Some(h) = self.remote_handle(name) {
            return self.invite_remote(&h).await;
        }
        let name = self.local_part(name);
        let other = self.member(name).await?;
        match self.store.member_link(self.account, other.id).await? {
            Some(l) if l.status == LinkStatus::Accepted => Err(AppError::Invalid(format!(
                "you are already connected to {}",
                other.name
            ))),
            Some(l) if l.status == LinkStatus::Pending && l.outgoing => {
                Err(AppError::Invalid(format!(
                    "you invited {} already: they have not answered yet",
                    other.name
                )))
            }
            Some(l) if l.status == LinkStatus::Pending => {
                self.accept(&other.name).await?;
                Ok(format!(
                    "{} had invited you: you are now connected",
                    other.name
                ))
            }
            _ => {
                self.store
                    .remove_member_link(self.account, other.id)
                    .await?;
                self.store.invite_member(self.account, other.id).await?;
                Ok(format!("invited {}", other.name))
            }
        }
    }

    /// Accepts a member's invitation: each gets the other's card.
    pub async fn accept(&self, name: &str) -> Result<()> {
        if let Some(h) = self.remote_handle(name) {
            return self.accept_remote(&h).await;
        }
        let name = self.local_part(name);
        let other = self.member(name).await?;
        if !self
            .store
            .answer_invitation(other.id, self.account, LinkStatus::Accepted)
            .await?
        {
            return Err(AppError::NotFound(format!(
                "{} has not invited you",
                other.name
            )));
        }
        link_member_card(&self.store, self.account, other.id).await?;
        link_member_card(&self.store, other.id, self.account).await?;
        crate::cards::follow_member(&self.store, self.account, other.id).await?;
        crate::cards::follow_member(&self.store, other.id, self.account).await?;
        Ok(())
    }

    /// Declines a member's invitation.
    pub async fn decline(&self, name: &str) -> Result<()> {
        if let Some(h) = self.remote_handle(name) {
            return self.decline_remote(&h).await;
        }
        let name = self.local_part(name);
        let other = self.member(name).await?;
        if !self
            .store
            .answer_invitation(other.id, self.account, LinkStatus::Declined)
            .await?
        {
            return Err(AppError::NotFound(format!(
                "{} has not invited you",
                other.name
            )));
        }
        Ok(())
    }

    /// Ends a connection or withdraws an invitation. The cards stay in
    /// both address books, no longer linked to the member.
    pub async fn disconnect(&self, name: &str) -> Result<()> {
        if let Some(h) = self.remote_handle(name) {
            return self.disconnect_remote(&h).await;
        }
        let name = self.local_part(name);
        let other = self.member(name).await?;
        if !self
            .store
            .remove_member_link(self.account, other.id)
            .await?
        {
            return Err(AppError::NotFound(format!(
                "you are not connected to {}",
                other.name
            )));
        }
        for (holder, member) in [(self.account, other.id), (other.id, self.account)] {
            let mut tx = self.store.begin(holder).await?;
            tx.remove_member_card(member).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The user's connections and invitations, newest first.
    pub async fn connections(&self) -> Result<Vec<ConnectionView>> {
        let mut list: Vec<ConnectionView> = self
            .store
            .member_links(self.account)
            .await?
            .into_iter()
            .map(|l| ConnectionView {
                name: l.other_name,
                status: match (l.status, l.outgoing) {
                    (LinkStatus::Accepted, _) => "connected",
                    (LinkStatus::Pending, true) => "invited",
                    (LinkStatus::Pending, false) => "invited_you",
                    (LinkStatus::Declined, _) => "declined",
                }
                .to_string(),
                since: rfc3339(l.created_at),
            })
            .collect();
        // Members of other servers, by handle (federation).
        list.extend(self.remote_connections().await?);
        list.sort_by(|a, b| b.since.cmp(&a.since));
        Ok(list)
    }

    /// Members the user may know: people of their address book who are
    /// members (by an address the member verified), and members connected
    /// to at least two of the user's connections.
    pub async fn people_you_may_know(&self) -> Result<Vec<MemberSuggestion>> {
        let linked: HashSet<AccountId> = self
            .store
            .member_links(self.account)
            .await?
            .iter()
            .map(|l| l.other)
            .collect();
        let mut out: BTreeMap<String, String> = BTreeMap::new();
        let mut tx = self.store.begin_read(self.account).await?;
        let people = tx.people(&kith_store::PeopleFilter::default()).await?;
        drop(tx);
        let mut owner_of: BTreeMap<String, String> = BTreeMap::new();
        for sp in people.iter().filter(|p| !p.is_me) {
            for e in &sp.person.card.emails {
                if let Some(k) = email_key(&e.value) {
                    owner_of
                        .entry(k)
                        .or_insert_with(|| sp.person.card.display_name());
                }
            }
        }
        let emails: Vec<String> = owner_of.keys().cloned().collect();
        for (email, member) in self.store.members_by_email(&emails).await? {
            if member == self.account || linked.contains(&member) {
                continue;
            }
            if let Some(account) = self.store.account_by_id(member).await? {
                out.entry(account.name).or_insert_with(|| {
                    format!("{} in your address book is this member", owner_of[&email])
                });
            }
        }
        let mut via: BTreeMap<AccountId, Vec<String>> = BTreeMap::new();
        for l in self.store.member_links(self.account).await? {
            if l.status != LinkStatus::Accepted {
                continue;
            }
            for c in self.store.connections(l.other).await? {
                if c != self.account && !linked.contains(&c) {
                    via.entry(c).or_default().push(l.other_name.clone());
                }
            }
        }
        for (member, mut names) in via {
            names.sort();
            if names.len() >= 2
                && let Some(account) = self.store.account_by_id(member).await?
            {
                out.entry(account.name)
                    .or_insert_with(|| format!("connected to {}", names.join(" and ")));
            }
        }
        Ok(out
            .into_iter()
            .map(|(name, reason)| MemberSuggestion { name, reason })
            .collect())
    }

    /// The user's email addresses and whether each is verified.
    pub async fn member_emails(&self) -> Result<Vec<MemberEmail>> {
        Ok(self
            .store
            .member_emails(self.account)
            .await?
            .into_iter()
            .map(|(email, verified)| MemberEmail { email, verified })
            .collect())
    }

    /// Adds an address and mails it a link that verifies it.
    pub async fn add_member_email(
        &self,
        email: &str,
        mailer: &Mailer,
        public_url: &str,
    ) -> Result<()> {
        let email = email_key(email).ok_or_else(|| {
            AppError::Invalid(format!("{:?} is not an email address", email.trim()))
        })?;
        if self
            .member_emails()
            .await?
            .iter()
            .any(|e| e.email == email && e.verified)
        {
            return Err(AppError::Invalid(format!("{email} is verified already")));
        }
        // Any address can be given: a few links a day, so that kith
        // cannot be made to mail someone over and over.
        self.count_daily(
            Usage::VerificationMail,
            VERIFICATIONS_PER_DAY,
            "address verification emails",
        )
        .await?;
        let secret = new_secret()?;
        self.store
            .add_member_email(self.account, &email, &secret_hash(&secret))
            .await?;
        let link = format!("{}/verify-email/{secret}", public_url.trim_end_matches('/'));
        let name = self
            .store
            .account_by_id(self.account)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        let mail = notify::confirm_email(&name, &email, &link);
        mailer
            .send(&email, &mail.subject, mail.text, mail.html)
            .await
    }

    /// Removes one of the user's addresses.
    pub async fn remove_member_email(&self, email: &str) -> Result<()> {
        let email = email_key(email).unwrap_or_else(|| email.trim().to_lowercase());
        if !self.store.remove_member_email(self.account, &email).await? {
            return Err(AppError::NotFound(format!(
                "{email} is not one of your addresses"
            )));
        }
        Ok(())
    }
}

/// Verifies the address whose link carries `secret`: the member's name
/// and the address.
pub async fn verify_member_email(store: &Store, secret: &str) -> Result<(String, String)> {
    let (account, email) = store
        .verify_member_email(&secret_hash(secret.trim()))
        .await?
        .ok_or_else(|| AppError::NotFound("this link is unknown or was used already".into()))?;
    let name = store
        .account_by_id(account)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    Ok((name, email))
}

/// Links `member`'s card into `holder`'s address book: the person who
/// already has one of the member's verified addresses (the member agreed
/// to be found by them) or the LinkedIn profile their card shows, else a
/// new card with what the member's card shows their connections
/// ([`crate::cards::member_as_seen`]: nothing of the member's own address
/// book, where an imported profile may hold jobs they keep to themselves).
pub(crate) async fn link_member_card(
    store: &Store,
    holder: AccountId,
    member: AccountId,
) -> Result<()> {
    let verified: Vec<String> = store
        .member_emails(member)
        .await?
        .into_iter()
        .filter(|e| e.1)
        .map(|e| e.0)
        .collect();
    let shown = crate::cards::member_as_seen(store, member, Visibility::Connections).await?;
    let mut keys: Vec<String> = verified.iter().map(|e| format!("email:{e}")).collect();
    keys.extend(
        kith_core::identity::keys(&shown)
            .into_iter()
            .filter(|k| k.kind() == kith_core::identity::KeyKind::Linkedin)
            .map(|k| k.0),
    );
    let mut tx = store.begin(holder).await?;
    if tx.member_cards().await?.contains_key(&member) {
        return Ok(());
    }
    let mut found: Option<PersonId> = None;
    for k in &keys {
        if let Some(id) = tx.people_with_key(k).await?.first() {
            found = Some(*id);
            break;
        }
    }
    let id = match found {
        Some(id) => id,
        None => {
            let person = Person {
                id: PersonId::new(),
                card: shown,
            };
            tx.put_people(&[PersonWrite {
                person: &person,
                is_me: false,
                fresh: true,
            }])
            .await?;
            person.id
        }
    };
    tx.set_member_card(member, id).await?;
    tx.commit().await?;
    Ok(())
}
