//! The first steps a new user takes, and which are done: the checklist on
//! the home page until every step is.

use crate::{App, Result};

/// Each step of getting started, done or not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checklist {
    /// Contacts imported (or added): the book is not empty.
    pub imported: bool,
    /// No duplicate suggestion is waiting for review.
    pub duplicates_reviewed: bool,
    /// The user said which email addresses are theirs.
    pub email_added: bool,
    /// Someone (or a tag) has a keep-in-touch cadence.
    pub keeping_in_touch: bool,
    /// A device password exists (a phone syncs over CardDAV).
    pub phone_connected: bool,
    /// The user's own card has a field.
    pub card_made: bool,
}

impl Checklist {
    pub fn all_done(&self) -> bool {
        self.imported
            && self.duplicates_reviewed
            && self.email_added
            && self.keeping_in_touch
            && self.phone_connected
            && self.card_made
    }
}

impl App {
    /// Where this account stands in getting started.
    pub async fn checklist(&self) -> Result<Checklist> {
        let mut tx = self.store.begin_read(self.account).await?;
        let imported = tx.has_people().await?;
        let open_suggestions = tx.has_open_suggestions().await?;
        let cadences = tx.cadences().await?;
        drop(tx);
        let tokens = self.store.tokens(self.account).await?;
        Ok(Checklist {
            imported,
            duplicates_reviewed: imported && !open_suggestions,
            email_added: !self.my_emails().await?.is_empty(),
            keeping_in_touch: !cadences.people.is_empty() || !cadences.tags.is_empty(),
            phone_connected: tokens.iter().any(|t| t.kind == "dav"),
            card_made: !self.my_card().await?.fields.is_empty(),
        })
    }

    /// How many living people the address book holds: from the search
    /// index when this App keeps one (counting 100,000 rows for every page
    /// of the list took 15 ms), else from the store.
    pub async fn count_people(&self) -> Result<i64> {
        if let Some(n) = self.indexed_people().await? {
            return Ok(n as i64);
        }
        let mut tx = self.store.begin_read(self.account).await?;
        Ok(tx.count_people().await?)
    }
}
