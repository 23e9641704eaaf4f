//! The rows of self-updating cards and reciprocity. Through [`Tx`] (one
//! address book): what changed about its people, needs and offers,
//! favours. Through [`Store`] (one member, named by the caller): the
//! member's own card, its public links, "send my new details" mailings and
//! the addresses that unsubscribed from them.

use crate::db::{now_micros, on_db, on_pool};
use crate::tx::Tx;
use crate::{Result, Store, StoreError};
use kith_core::changes::{ChangeKind, ChangeOrigin};
use kith_core::reciprocity::{FavourDirection, NeedOfferKind};
use kith_core::{AccountId, PersonId};
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// A change about a person of the address book.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeRow {
    pub id: Uuid,
    pub person: PersonId,
    pub kind: ChangeKind,
    pub old: String,
    pub new: String,
    pub origin: ChangeOrigin,
    pub at: i64,
}

/// A need or an offer; `person` None is the member's own.
#[derive(Clone, Debug, PartialEq)]
pub struct NeedOfferRow {
    pub id: Uuid,
    pub person: Option<PersonId>,
    pub kind: NeedOfferKind,
    pub text: String,
    pub tags: Vec<String>,
    pub created_at: i64,
}

/// A favour given to (`given`) or received from (`received`) a person.
#[derive(Clone, Debug, PartialEq)]
pub struct FavourRow {
    pub id: Uuid,
    pub person: PersonId,
    pub direction: FavourDirection,
    pub what: String,
    pub at: i64,
}

/// A public link to a member's card (its secret is not kept, only a hash).
#[derive(Clone, Debug, PartialEq)]
pub struct CardLink {
    pub id: Uuid,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// The kinds of action counted in `usage_events` against a cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// An email asking someone to confirm an address.
    VerificationMail,
    /// An email asking someone whether they would like an introduction.
    IntroductionMail,
    /// Finding someone by organisation and role (counted per target).
    RoleFind,
}

impl Usage {
    /// The word stored in `usage_events.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Usage::VerificationMail => "verification_mail",
            Usage::IntroductionMail => "introduction_mail",
            Usage::RoleFind => "role_find",
        }
    }
}

/// A stored need/offer kind; another word is damaged data.
fn need_offer_kind(s: String) -> Result<NeedOfferKind> {
    NeedOfferKind::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("need or offer kind {s:?}")))
}

/// A stored change kind and origin; another word is damaged data.
fn change_kind(s: String) -> Result<ChangeKind> {
    ChangeKind::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("change kind {s:?}")))
}

fn change_origin(s: String) -> Result<ChangeOrigin> {
    ChangeOrigin::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("change origin {s:?}")))
}

/// A stored favour direction; another word is damaged data.
fn favour_direction(s: String) -> Result<FavourDirection> {
    FavourDirection::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("favour direction {s:?}")))
}

impl Tx {
    /// Records changes about people (each person must be of this book).
    pub async fn add_person_changes(&mut self, rows: &[ChangeRow]) -> Result<()> {
        let account = self.account.0;
        let sql = "INSERT INTO person_changes (account_id, id, person_id, kind, old_value, new_value, origin, at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        for r in rows {
            on_db!(self, c => {
                sqlx::query(sql).bind(account).bind(r.id).bind(r.person.0).bind(r.kind.as_str()).bind(&r.old)
                    .bind(&r.new).bind(r.origin.as_str()).bind(r.at).execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Changes since `since` (microseconds) about people not deleted, or
    /// every change about one person; newest first (a person purged since
    /// has no name to show: the caller leaves them out).
    pub async fn person_changes(
        &mut self,
        since: i64,
        person: Option<PersonId>,
        limit: i64,
    ) -> Result<Vec<ChangeRow>> {
        let account = self.account.0;
        // Deleted people are left out through the index on `deleted_at`
        // (they are few): a join would read every changed person's row.
        let sql = "SELECT c.id, c.person_id, c.kind, c.old_value, c.new_value, c.origin, c.at \
                   FROM person_changes c \
                   WHERE c.account_id = $1 AND c.at >= $2 AND ($3 IS NULL OR c.person_id = $3) \
                   AND c.person_id NOT IN (SELECT id FROM people WHERE account_id = $1 AND deleted_at IS NOT NULL) \
                   ORDER BY c.at DESC, c.id DESC LIMIT $4";
        on_db!(self, c => sqlx::query(sql).bind(account).bind(since).bind(person.map(|p| p.0)).bind(limit)
            .fetch_all(&mut *c).await?.iter().map(|r| Ok(ChangeRow {
                id: r.try_get("id")?,
                person: PersonId(r.try_get("person_id")?),
                kind: change_kind(r.try_get("kind")?)?,
                old: r.try_get("old_value")?,
                new: r.try_get("new_value")?,
                origin: change_origin(r.try_get("origin")?)?,
                at: r.try_get("at")?,
            })).collect())
    }

    pub async fn add_need_offer(&mut self, row: &NeedOfferRow) -> Result<()> {
        let account = self.account.0;
        let tags = serde_json::to_string(&row.tags).unwrap_or_else(|_| "[]".into());
        let sql = "INSERT INTO needs_offers (account_id, id, person_id, kind, text, tags, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on_db!(self, c => {
            sqlx::query(sql).bind(account).bind(row.id).bind(row.person.map(|p| p.0)).bind(row.kind.as_str())
                .bind(&row.text).bind(tags).bind(row.created_at).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Every need and offer of the book (the member's own included),
    /// oldest first.
    pub async fn needs_offers(&mut self) -> Result<Vec<NeedOfferRow>> {
        let account = self.account.0;
        let sql = "SELECT id, person_id, kind, text, tags, created_at FROM needs_offers \
                   WHERE account_id = $1 ORDER BY created_at, id";
        on_db!(self, c => sqlx::query(sql).bind(account).fetch_all(&mut *c).await?.iter().map(|r| {
            let tags: String = r.try_get("tags")?;
            Ok(NeedOfferRow {
                id: r.try_get("id")?,
                person: r.try_get::<Option<Uuid>, _>("person_id")?.map(PersonId),
                kind: need_offer_kind(r.try_get("kind")?)?,
                text: r.try_get("text")?,
                tags: serde_json::from_str(&tags).unwrap_or_default(),
                created_at: r.try_get("created_at")?,
            })
        }).collect())
    }

    /// Removes a need or offer; false when the book has none with this id.
    pub async fn remove_need_offer(&mut self, id: Uuid) -> Result<bool> {
        let account = self.account.0;
        let sql = "DELETE FROM needs_offers WHERE account_id = $1 AND id = $2";
        let n = on_db!(self, c => sqlx::query(sql).bind(account).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Every current position (no end date) of the living people: (person,
    /// title, organisation as first spelled). Deleted people are excluded
    /// through the index on `deleted_at` (they are few); joining every
    /// position to its person would read each card's row.
    pub async fn current_positions(&mut self) -> Result<Vec<(PersonId, String, String)>> {
        let account = self.account.0;
        let sql = "SELECT person_id, title, org_norm FROM positions \
                   WHERE account_id = $1 AND end_date IS NULL AND person_id NOT IN \
                   (SELECT id FROM people WHERE account_id = $1 AND deleted_at IS NOT NULL)";
        let rows: Vec<(PersonId, String, String)> = on_db!(self, c => sqlx::query(sql).bind(account)
            .fetch_all(&mut *c).await?.iter()
            .map(|r| Ok((PersonId(r.try_get("person_id")?), r.try_get("title")?, r.try_get("org_norm")?)))
            .collect::<Result<_>>()?);
        // Organisation names in one read (a join would look one up per row).
        let sql = "SELECT norm_name, name FROM organizations WHERE account_id = $1";
        let names: HashMap<String, String> = on_db!(self, c => sqlx::query(sql).bind(account)
            .fetch_all(&mut *c).await?.iter()
            .map(|r| Ok((r.try_get("norm_name")?, r.try_get("name")?)))
            .collect::<Result<_>>()?);
        Ok(rows
            .into_iter()
            .map(|(p, title, norm)| {
                let org = names.get(&norm).cloned().unwrap_or(norm);
                (p, title, org)
            })
            .collect())
    }

    pub async fn add_favour(&mut self, row: &FavourRow) -> Result<()> {
        let account = self.account.0;
        let sql = "INSERT INTO favours (account_id, id, person_id, direction, what, at) VALUES ($1, $2, $3, $4, $5, $6)";
        on_db!(self, c => {
            sqlx::query(sql).bind(account).bind(row.id).bind(row.person.0).bind(row.direction.as_str())
                .bind(&row.what).bind(row.at).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Favours with one person, or with everyone; newest first.
    pub async fn favours(&mut self, person: Option<PersonId>) -> Result<Vec<FavourRow>> {
        let account = self.account.0;
        let sql = "SELECT id, person_id, direction, what, at FROM favours \
                   WHERE account_id = $1 AND ($2 IS NULL OR person_id = $2) ORDER BY at DESC, id DESC";
        on_db!(self, c => sqlx::query(sql).bind(account).bind(person.map(|p| p.0)).fetch_all(&mut *c).await?
            .iter().map(|r| Ok(FavourRow {
                id: r.try_get("id")?,
                person: PersonId(r.try_get("person_id")?),
                direction: favour_direction(r.try_get("direction")?)?,
                what: r.try_get("what")?,
                at: r.try_get("at")?,
            })).collect())
    }

    pub async fn remove_favour(&mut self, id: Uuid) -> Result<bool> {
        let account = self.account.0;
        let sql = "DELETE FROM favours WHERE account_id = $1 AND id = $2";
        let n = on_db!(self, c => sqlx::query(sql).bind(account).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }
}

impl Store {
    /// A member's own card (its JSON) and when it last changed.
    pub async fn my_card(&self, account: AccountId) -> Result<Option<(String, i64)>> {
        let sql = "SELECT fields, updated_at FROM my_cards WHERE account_id = $1";
        on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).fetch_optional(p).await?
            .map(|r| Ok((r.try_get("fields")?, r.try_get("updated_at")?))).transpose())
    }

    /// Stores a member's card; their network version moves on (the graph
    /// shows their connections what the card shares).
    pub async fn set_my_card(&self, account: AccountId, fields: &str) -> Result<()> {
        let sql = "INSERT INTO my_cards (account_id, fields, updated_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (account_id) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at";
        on_pool!(&self.db, p => { sqlx::query(sql).bind(account.0).bind(fields).bind(now_micros()).execute(p).await?; });
        self.bump(&[account]).await
    }

    /// The needs and offers a member keeps for themselves (their
    /// connections see them).
    pub async fn own_needs_offers(&self, account: AccountId) -> Result<Vec<NeedOfferRow>> {
        let mut tx = self.begin_read(account).await?;
        Ok(tx
            .needs_offers()
            .await?
            .into_iter()
            .filter(|r| r.person.is_none())
            .collect())
    }

    /// Counts one `kind` of action of a member against a cap of `cap` in
    /// the period since `since` (microseconds): true when it was under the
    /// cap (and is now counted), false when the cap is reached (nothing
    /// counted). One statement, so that servers sharing the database count
    /// together.
    pub async fn take_usage(
        &self,
        account: AccountId,
        kind: Usage,
        since: i64,
        cap: i64,
    ) -> Result<bool> {
        let now = now_micros();
        let prune = "DELETE FROM usage_events WHERE account_id = $1 AND kind = $2 AND at < $3";
        let take = "INSERT INTO usage_events (account_id, kind, at) SELECT $1, $2, $3 WHERE \
                    (SELECT COUNT(*) FROM usage_events WHERE account_id = $1 AND kind = $2 AND at >= $4) < $5";
        // Two days back: every cap's period is a day at most.
        let old = now - 2 * 86_400_000_000;
        let n = on_pool!(&self.db, p => {
            sqlx::query(prune).bind(account.0).bind(kind.as_str()).bind(old).execute(p).await?;
            sqlx::query(take).bind(account.0).bind(kind.as_str()).bind(now).bind(since).bind(cap)
                .execute(p).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// Whether a member may do one more `kind` of action about `subject`
    /// under a cap of `cap` different subjects since `since`: yes when that
    /// subject is counted already, or fewer than `cap` are. Nothing is
    /// counted (see [`Store::count_usage`]).
    pub async fn usage_allows(
        &self,
        account: AccountId,
        kind: Usage,
        subject: &str,
        since: i64,
        cap: i64,
    ) -> Result<bool> {
        let sql = "SELECT COUNT(DISTINCT subject) AS n, \
                   COALESCE(SUM(CASE WHEN subject = $3 THEN 1 ELSE 0 END), 0) AS mine \
                   FROM usage_events WHERE account_id = $1 AND kind = $2 AND at >= $4";
        let (n, mine): (i64, i64) = on_pool!(&self.db, p => {
            let r = sqlx::query(sql).bind(account.0).bind(kind.as_str()).bind(subject).bind(since).fetch_one(p).await?;
            (r.try_get("n")?, r.try_get("mine")?)
        });
        Ok(mine > 0 || n < cap)
    }

    /// Counts a member's `kind` of action about `subject`.
    pub async fn count_usage(&self, account: AccountId, kind: Usage, subject: &str) -> Result<()> {
        let sql =
            "INSERT INTO usage_events (account_id, kind, subject, at) VALUES ($1, $2, $3, $4)";
        on_pool!(&self.db, p => { sqlx::query(sql).bind(account.0).bind(kind.as_str()).bind(subject).bind(now_micros()).execute(p).await?; });
        Ok(())
    }

    /// Keeps a new public link: its id and its secret's SHA-256.
    pub async fn add_card_link(
        &self,
        account: AccountId,
        id: Uuid,
        token_hash: &[u8],
    ) -> Result<()> {
        let sql = "INSERT INTO card_links (id, token_hash, account_id, created_at) VALUES ($1, $2, $3, $4)";
        on_pool!(&self.db, p => { sqlx::query(sql).bind(id).bind(token_hash).bind(account.0).bind(now_micros()).execute(p).await?; });
        Ok(())
    }

    /// A member's public links, newest first.
    pub async fn card_links(&self, account: AccountId) -> Result<Vec<CardLink>> {
        let sql = "SELECT id, created_at, revoked_at FROM card_links WHERE account_id = $1 ORDER BY created_at DESC";
        on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).fetch_all(p).await?.iter().map(|r| Ok(CardLink {
            id: r.try_get("id")?,
            created_at: r.try_get("created_at")?,
            revoked_at: r.try_get("revoked_at")?,
        })).collect())
    }

    /// Revokes a member's live links: the one with this id, the one with
    /// this secret's hash, or (neither given) all; how many.
    pub async fn revoke_card_links(
        &self,
        account: AccountId,
        id: Option<Uuid>,
        token_hash: Option<&[u8]>,
    ) -> Result<u64> {
        let sql = "UPDATE card_links SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL \
                   AND ($3 IS NULL OR id = $3) AND ($4 IS NULL OR token_hash = $4)";
        Ok(
            on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).bind(now_micros()).bind(id).bind(token_hash)
            .execute(p).await?.rows_affected()),
        )
    }

    /// The member whose live public link has this secret's hash.
    pub async fn card_link_owner(&self, token_hash: &[u8]) -> Result<Option<AccountId>> {
        let sql = "SELECT account_id FROM card_links WHERE token_hash = $1 AND revoked_at IS NULL";
        on_pool!(&self.db, p => sqlx::query(sql).bind(token_hash).fetch_optional(p).await?
            .map(|r| Ok(AccountId(r.try_get("account_id")?))).transpose())
    }

    pub async fn add_card_mailing(
        &self,
        account: AccountId,
        email: &str,
        token_hash: &[u8],
    ) -> Result<()> {
        let sql = "INSERT INTO card_mailings (account_id, email, token_hash, sent_at) VALUES ($1, $2, $3, $4)";
        on_pool!(&self.db, p => { sqlx::query(sql).bind(account.0).bind(email).bind(token_hash).bind(now_micros()).execute(p).await?; });
        Ok(())
    }

    /// How many "send my new details" emails a member sent since `since`.
    pub async fn card_mailings_since(&self, account: AccountId, since: i64) -> Result<i64> {
        let sql = "SELECT COUNT(*) AS n FROM card_mailings WHERE account_id = $1 AND sent_at >= $2";
        on_pool!(&self.db, p => Ok(sqlx::query(sql).bind(account.0).bind(since).fetch_one(p).await?.try_get("n")?))
    }

    /// The member and address an unsubscribe link was sent with.
    pub async fn card_mailing_by_token(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<(AccountId, String)>> {
        let sql = "SELECT account_id, email FROM card_mailings WHERE token_hash = $1";
        on_pool!(&self.db, p => sqlx::query(sql).bind(token_hash).fetch_optional(p).await?
            .map(|r| Ok((AccountId(r.try_get("account_id")?), r.try_get("email")?))).transpose())
    }

    pub async fn add_card_optout(&self, account: AccountId, email: &str) -> Result<()> {
        let sql = "INSERT INTO card_optouts (account_id, email, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        on_pool!(&self.db, p => { sqlx::query(sql).bind(account.0).bind(email).bind(now_micros()).execute(p).await?; });
        Ok(())
    }

    /// The addresses that unsubscribed from a member's emails.
    pub async fn card_optouts(&self, account: AccountId) -> Result<Vec<String>> {
        let sql = "SELECT email FROM card_optouts WHERE account_id = $1";
        on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).fetch_all(p).await?.iter()
            .map(|r| Ok(r.try_get("email")?)).collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::StoreError;
    use crate::db::{now_micros, on_pool};
    use crate::network::IntroRow;
    use kith_core::PersonId;
    use kith_core::changes::{ChangeKind, ChangeOrigin};
    use kith_core::introduction::IntroStatus;
    use kith_core::reciprocity::{FavourDirection, NeedOfferKind};
    use kith_core::ties::{Sharing, TieKind};
    use uuid::Uuid;

    /// Issue 21: states are enums. Each reads back as it was written, and
    /// a stored word that names no state is damaged data, said as such.
    #[tokio::test]
    async fn stored_states_read_back_and_unknown_ones_are_damage() {
        for (store, _guard) in crate::testing::stores().await {
            let engine = store.engine();
            let account = store.default_account("ana").await.unwrap().id;
            let person = PersonId::new();
            let mut tx = store.begin(account).await.unwrap();
            tx.add_need_offer(&super::NeedOfferRow {
                id: Uuid::now_v7(),
                person: None,
                kind: NeedOfferKind::Offer,
                text: "design reviews".into(),
                tags: vec![],
                created_at: now_micros(),
            })
            .await
            .unwrap();
            tx.add_favour(&super::FavourRow {
                id: Uuid::now_v7(),
                person,
                direction: FavourDirection::Received,
                what: "an intro".into(),
                at: now_micros(),
            })
            .await
            .unwrap();
            let needs = tx.needs_offers().await.unwrap();
            assert_eq!(needs[0].kind, NeedOfferKind::Offer, "{engine}");
            let favours = tx.favours(None).await.unwrap();
            assert_eq!(favours[0].direction, FavourDirection::Received, "{engine}");
            tx.set_tie(person, PersonId::new(), TieKind::IntroducedBy, None)
                .await
                .unwrap();
            assert_eq!(
                tx.ties(None).await.unwrap()[0].kind,
                TieKind::IntroducedBy,
                "{engine}"
            );
            tx.set_sharing_rule("*", Some(Sharing::Nothing))
                .await
                .unwrap();
            assert_eq!(
                tx.sharing_rules().await.unwrap(),
                [("*".to_string(), Sharing::Nothing)],
                "{engine}"
            );
            tx.add_person_changes(&[super::ChangeRow {
                id: Uuid::now_v7(),
                person,
                kind: ChangeKind::Title,
                old: "CTO".into(),
                new: "CEO".into(),
                origin: ChangeOrigin::Import,
                at: now_micros(),
            }])
            .await
            .unwrap();
            let change = &tx.person_changes(0, None, 10).await.unwrap()[0];
            assert_eq!(
                (change.kind, change.origin),
                (ChangeKind::Title, ChangeOrigin::Import),
                "{engine}"
            );
            tx.commit().await.unwrap();
            let intro = IntroRow {
                id: Uuid::now_v7(),
                requester: account,
                broker: account,
                broker_person: person,
                requester_person: None,
                goal: "Bea".into(),
                message: String::new(),
                status: IntroStatus::Asked,
                target_email: None,
                created_at: now_micros(),
                updated_at: now_micros(),
                remote: None,
                remote_id: None,
            };
            store.add_introduction(&intro).await.unwrap();
            assert!(
                store
                    .move_introduction(
                        intro.id,
                        IntroStatus::Asked,
                        IntroStatus::Withdrawn,
                        None,
                        None
                    )
                    .await
                    .unwrap()
            );
            let read = store
                .introduction(account, intro.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(read.status, IntroStatus::Withdrawn, "{engine}");

            for sql in [
                "UPDATE needs_offers SET kind = 'wish'",
                "UPDATE favours SET direction = 'lent'",
                "UPDATE introductions SET status = 'maybe'",
                "UPDATE ties SET kind = 'rival'",
                "UPDATE sharing_rules SET level = 'all'",
                "UPDATE person_changes SET origin = 'rumour'",
            ] {
                on_pool!(&store.db, p => { sqlx::query(sql).execute(p).await.unwrap(); });
            }
            let mut tx = store.begin_read(account).await.unwrap();
            let damage = |e: StoreError| match e {
                StoreError::Corrupt(m) => m,
                other => panic!("{engine}: {other}"),
            };
            assert_eq!(
                damage(tx.needs_offers().await.unwrap_err()),
                "need or offer kind \"wish\""
            );
            assert_eq!(
                damage(tx.favours(None).await.unwrap_err()),
                "favour direction \"lent\""
            );
            assert_eq!(
                damage(tx.ties(None).await.unwrap_err()),
                "tie kind \"rival\""
            );
            assert_eq!(
                damage(tx.sharing_rules().await.unwrap_err()),
                "sharing level \"all\""
            );
            assert_eq!(
                damage(tx.person_changes(0, None, 10).await.unwrap_err()),
                "change origin \"rumour\""
            );
            drop(tx);
            assert_eq!(
                damage(store.introductions(account).await.unwrap_err()),
                "introduction status \"maybe\""
            );
        }
    }
}
