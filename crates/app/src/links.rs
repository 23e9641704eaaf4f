//! The secret-link flows, for whoever holds a link and no account: a
//! member's address verification, an introduction's invitation and answer,
//! a public card, an unsubscribe. Each proves access by the link's secret
//! alone (only its hash is stored); a front door reaches them through
//! [`Links`], never with the store in hand.

use crate::Result;
use crate::cards::{PublicCard, Unsubscribe};
use crate::mailer::Mailer;
use crate::network::intros::IntroInvite;
use kith_store::Store;

impl crate::App {
    /// The secret-link flows, on this app's store (the command line
    /// verifying a link it was mailed).
    pub fn links(&self) -> Links {
        Links::new(self.store.clone())
    }
}

/// The secret-link flows of one server. Cheap to clone.
#[derive(Clone)]
pub struct Links {
    store: Store,
}

impl Links {
    pub fn new(store: Store) -> Links {
        Links { store }
    }

    /// Marks the address a verification link was sent to as the member's:
    /// (member name, address).
    pub async fn verify_member_email(&self, secret: &str) -> Result<(String, String)> {
        crate::network::members::verify_member_email(&self.store, secret).await
    }

    /// What an introduction link asks, and where it stands.
    pub async fn introduction_invite(&self, secret: &str) -> Result<IntroInvite> {
        crate::network::intros::introduction_invite(&self.store, secret).await
    }

    /// The helper's yes or no to an introduction.
    pub async fn answer_introduction(
        &self,
        secret: &str,
        yes: bool,
        mailer: &Mailer,
    ) -> Result<IntroInvite> {
        let answer =
            crate::network::intros::answer_introduction(&self.store, secret, yes, mailer).await?;
        // A request from a member of another server: their server is told.
        crate::federation::intro_changed(&self.store, answer.id).await?;
        Ok(answer)
    }

    /// The card behind a public link (404 when unknown or revoked).
    pub async fn public_card(&self, token: &str) -> Result<PublicCard> {
        crate::cards::public_card(&self.store, token).await
    }

    /// Whose emails an unsubscribe link stops, to which address.
    pub async fn unsubscribe_info(&self, secret: &str) -> Result<Unsubscribe> {
        crate::cards::unsubscribe_info(&self.store, secret).await
    }

    /// Stops the member's emails to the address the link was sent to.
    pub async fn unsubscribe(&self, secret: &str) -> Result<Unsubscribe> {
        crate::cards::unsubscribe(&self.store, secret).await
    }
}
