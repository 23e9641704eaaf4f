//! The rows of the network: ties set by hand and sharing rules (of one
//! account, through [`Tx`]), and what spans accounts (through [`Store`]):
//! members' connections, their verified email addresses, introduction
//! requests, and the per-account versions each server's graph follows.

use crate::changelog::BUMP_NETWORK_VERSION;
use crate::db::{now_micros, on_db, on_pool};
use crate::tx::Tx;
use crate::{Result, Store, StoreError};
use kith_core::introduction::IntroStatus;
use kith_core::ties::{Sharing, TieKind};
use kith_core::{AccountId, Direction, InteractionKind, PersonId};
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// A tie set by hand between two people of one address book.
#[derive(Clone, Debug, PartialEq)]
pub struct TieRow {
    pub a: PersonId,
    pub b: PersonId,
    pub kind: TieKind,
    pub strength: Option<f64>,
    pub created_at: i64,
}

/// One interaction as the graph needs it: when, what, and with whom (as
/// stored: people merged away since are followed by the caller).
#[derive(Clone, Debug, PartialEq)]
pub struct InteractionRow {
    pub at: i64,
    pub kind: InteractionKind,
    pub direction: Direction,
    pub people: Vec<PersonId>,
}

impl Tx {
    /// Sets the tie between two people (replacing one set before, in
    /// either order).
    pub async fn set_tie(
        &mut self,
        a: PersonId,
        b: PersonId,
        kind: TieKind,
        strength: Option<f64>,
    ) -> Result<()> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM ties WHERE account_id = $1 AND ((a = $2 AND b = $3) OR (a = $3 AND b = $2))")
                .bind(account).bind(a.0).bind(b.0).execute(&mut *c).await?;
            sqlx::query("INSERT INTO ties (account_id, a, b, kind, strength, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(account).bind(a.0).bind(b.0).bind(kind.as_str()).bind(strength).bind(now_micros())
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Removes the tie set between two people; false when there was none.
    pub async fn remove_tie(&mut self, a: PersonId, b: PersonId) -> Result<bool> {
        let account = self.account.0;
        on_db!(self, c => {
            let n = sqlx::query("DELETE FROM ties WHERE account_id = $1 AND ((a = $2 AND b = $3) OR (a = $3 AND b = $2))")
                .bind(account).bind(a.0).bind(b.0).execute(&mut *c).await?.rows_affected();
            Ok(n > 0)
        })
    }

    /// Every tie set by hand in the address book, or only those of `person`.
    pub async fn ties(&mut self, person: Option<PersonId>) -> Result<Vec<TieRow>> {
        let account = self.account.0;
        let sql = match person {
            Some(_) => {
                "SELECT a, b, kind, strength, created_at FROM ties WHERE account_id = $1 AND (a = $2 OR b = $2) ORDER BY created_at"
            }
            None => {
                "SELECT a, b, kind, strength, created_at FROM ties WHERE account_id = $1 ORDER BY created_at"
            }
        };
        on_db!(self, c => {
            let mut q = sqlx::query(sql).bind(account);
            if let Some(p) = person {
                q = q.bind(p.0);
            }
            q.fetch_all(&mut *c).await?.iter().map(|r| Ok(TieRow {
                a: PersonId(r.try_get("a")?),
                b: PersonId(r.try_get("b")?),
                kind: {
                    let s: String = r.try_get("kind")?;
                    TieKind::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("tie kind {s:?}")))?
                },
                strength: r.try_get("strength")?,
                created_at: r.try_get("created_at")?,
            })).collect()
        })
    }

    /// Sets (or with None removes) a sharing rule: scope `*`, `tag:NAME`
    /// or `person:UUID`.
    pub async fn set_sharing_rule(&mut self, scope: &str, level: Option<Sharing>) -> Result<()> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM sharing_rules WHERE account_id = $1 AND scope = $2")
                .bind(account).bind(scope).execute(&mut *c).await?;
            if let Some(level) = level {
                sqlx::query("INSERT INTO sharing_rules (account_id, scope, level) VALUES ($1, $2, $3)")
                    .bind(account).bind(scope).bind(level.as_str()).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// The account's sharing rules, scope to level.
    pub async fn sharing_rules(&mut self) -> Result<Vec<(String, Sharing)>> {
        let account = self.account.0;
        let level = |s: String| {
            Sharing::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("sharing level {s:?}")))
        };
        on_db!(self, c => {
            sqlx::query("SELECT scope, level FROM sharing_rules WHERE account_id = $1 ORDER BY scope")
                .bind(account).fetch_all(&mut *c).await?.iter()
                .map(|r| Ok((r.try_get("scope")?, level(r.try_get("level")?)?))).collect()
        })
    }

    /// Where each merged-away person went (one step; follow to the end).
    pub async fn merged_people(&mut self) -> Result<HashMap<PersonId, PersonId>> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("SELECT id, merged_into FROM people WHERE account_id = $1 AND merged_into IS NOT NULL")
                .bind(account).fetch_all(&mut *c).await?.iter()
                .map(|r| Ok((PersonId(r.try_get("id")?), PersonId(r.try_get("merged_into")?)))).collect()
        })
    }

    /// Every interaction of the address book with its people, oldest first.
    pub async fn all_interactions(&mut self) -> Result<Vec<InteractionRow>> {
        let account = self.account.0;
        let sql = "SELECT i.id, i.at, i.kind, i.direction, ip.person_id FROM interactions i \
                   JOIN interaction_people ip ON ip.account_id = i.account_id AND ip.interaction_id = i.id \
                   WHERE i.account_id = $1 ORDER BY i.at, i.id";
        let rows: Vec<(Uuid, i64, String, String, Uuid)> = on_db!(self, c => {
            sqlx::query(sql).bind(account).fetch_all(&mut *c).await?.iter().map(|r| Ok((
                r.try_get("id")?, r.try_get("at")?, r.try_get("kind")?, r.try_get("direction")?, r.try_get("person_id")?,
            ))).collect::<Result<Vec<_>>>()?
        });
        let mut out: Vec<InteractionRow> = Vec::new();
        let mut last = None;
        for (id, at, kind, direction, person) in rows {
            if last != Some(id) {
                out.push(InteractionRow {
                    at,
                    kind: InteractionKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("interaction kind {kind:?}")))?,
                    direction: Direction::parse(&direction).ok_or_else(|| {
                        StoreError::Corrupt(format!("interaction direction {direction:?}"))
                    })?,
                    people: Vec::new(),
                });
                last = Some(id);
            }
            if let Some(row) = out.last_mut() {
                row.people.push(PersonId(person));
            }
        }
        Ok(out)
    }

    /// Records which person of the address book is the member `member`.
    pub async fn set_member_card(&mut self, member: AccountId, person: PersonId) -> Result<()> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM member_cards WHERE account_id = $1 AND member_id = $2")
                .bind(account).bind(member.0).execute(&mut *c).await?;
            sqlx::query("INSERT INTO member_cards (account_id, member_id, person_id) VALUES ($1, $2, $3)")
                .bind(account).bind(member.0).bind(person.0).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Unlinks the member's card (the person stays).
    pub async fn remove_member_card(&mut self, member: AccountId) -> Result<()> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM member_cards WHERE account_id = $1 AND member_id = $2")
                .bind(account).bind(member.0).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The people of the address book who are members, by member.
    pub async fn member_cards(&mut self) -> Result<HashMap<AccountId, PersonId>> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("SELECT member_id, person_id FROM member_cards WHERE account_id = $1")
                .bind(account).fetch_all(&mut *c).await?.iter()
                .map(|r| Ok((AccountId(r.try_get("member_id")?), PersonId(r.try_get("person_id")?)))).collect()
        })
    }
}

/// Where a connection between two members stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    Pending,
    Accepted,
    Declined,
}

impl LinkStatus {
    fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Pending => "pending",
            LinkStatus::Accepted => "accepted",
            LinkStatus::Declined => "declined",
        }
    }

    fn parse(s: &str) -> Result<LinkStatus> {
        match s {
            "pending" => Ok(LinkStatus::Pending),
            "accepted" => Ok(LinkStatus::Accepted),
            "declined" => Ok(LinkStatus::Declined),
            _ => Err(StoreError::Corrupt(format!("member link status {s:?}"))),
        }
    }
}

/// A connection (or invitation) seen from one member.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberLink {
    pub other: AccountId,
    pub other_name: String,
    /// True when this member sent the invitation.
    pub outgoing: bool,
    pub status: LinkStatus,
    pub created_at: i64,
}

/// An introduction request as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct IntroRow {
    pub id: Uuid,
    pub requester: AccountId,
    pub broker: AccountId,
    pub broker_person: PersonId,
    pub requester_person: Option<PersonId>,
    pub goal: String,
    pub message: String,
    pub status: IntroStatus,
    pub target_email: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// With a member of another server: the app's JSON of the other side.
    pub remote: Option<String>,
    /// The introduction's id between the servers (its activity object).
    pub remote_id: Option<String>,
}

const INTRO_COLUMNS: &str = "id, requester, broker, broker_person, requester_person, goal, message, status, \
                             target_email, created_at, updated_at, remote, remote_id";

fn intro_from_row<R: Row>(r: &R) -> Result<IntroRow>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<Uuid>: sqlx::Decode<'a, R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(IntroRow {
        id: r.try_get("id")?,
        requester: AccountId(r.try_get("requester")?),
        broker: AccountId(r.try_get("broker")?),
        broker_person: PersonId(r.try_get("broker_person")?),
        requester_person: r
            .try_get::<Option<Uuid>, _>("requester_person")?
            .map(PersonId),
        goal: r.try_get("goal")?,
        message: r.try_get("message")?,
        status: {
            let s: String = r.try_get("status")?;
            IntroStatus::parse(&s)
                .ok_or_else(|| StoreError::Corrupt(format!("introduction status {s:?}")))?
        },
        target_email: r.try_get("target_email")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        remote: r.try_get("remote")?,
        remote_id: r.try_get("remote_id")?,
    })
}

impl Store {
    /// Every account's network version.
    pub async fn network_versions(&self) -> Result<HashMap<AccountId, i64>> {
        let sql = "SELECT account_id, version FROM network_versions";
        on_pool!(&self.db, p => sqlx::query(sql).fetch_all(p).await?.iter()
            .map(|r| Ok((AccountId(r.try_get("account_id")?), r.try_get("version")?))).collect())
    }

    /// Moves these accounts' network versions on (a change outside a
    /// [`Tx`] that the graph shows: connections, addresses, the card).
    pub(crate) async fn bump(&self, accounts: &[AccountId]) -> Result<()> {
        for a in accounts {
            on_pool!(&self.db, p => { sqlx::query(BUMP_NETWORK_VERSION).bind(a.0).execute(p).await?; });
        }
        Ok(())
    }

    /// The link between two members in either direction, if any.
    pub async fn member_link(&self, me: AccountId, other: AccountId) -> Result<Option<MemberLink>> {
        Ok(self
            .member_links(me)
            .await?
            .into_iter()
            .find(|l| l.other == other))
    }

    /// Every connection and invitation of a member, newest first.
    pub async fn member_links(&self, me: AccountId) -> Result<Vec<MemberLink>> {
        let sql = "SELECT l.a, l.b, l.status, l.created_at, acc.name FROM member_links l \
                   JOIN accounts acc ON acc.id = CASE WHEN l.a = $1 THEN l.b ELSE l.a END \
                   WHERE l.a = $1 OR l.b = $1 ORDER BY l.created_at DESC";
        let rows: Vec<(Uuid, Uuid, String, i64, String)> = on_pool!(&self.db, p => sqlx::query(sql)
            .bind(me.0).fetch_all(p).await?.iter()
            .map(|r| Ok((r.try_get("a")?, r.try_get("b")?, r.try_get("status")?, r.try_get("created_at")?, r.try_get("name")?)))
            .collect::<Result<Vec<_>>>()?);
        rows.into_iter()
            .map(|(a, b, status, created_at, other_name)| {
                let outgoing = a == me.0;
                Ok(MemberLink {
                    other: AccountId(if outgoing { b } else { a }),
                    other_name,
                    outgoing,
                    status: LinkStatus::parse(&status)?,
                    created_at,
                })
            })
            .collect()
    }

    /// The members `me` is connected to.
    pub async fn connections(&self, me: AccountId) -> Result<Vec<AccountId>> {
        Ok(self
            .member_links(me)
            .await?
            .into_iter()
            .filter(|l| l.status == LinkStatus::Accepted)
            .map(|l| l.other)
            .collect())
    }

    /// Records an invitation from `from` to `to` (replacing a declined one).
    pub async fn invite_member(&self, from: AccountId, to: AccountId) -> Result<()> {
        let now = now_micros();
        on_pool!(&self.db, p => {
            sqlx::query("DELETE FROM member_links WHERE ((a = $1 AND b = $2) OR (a = $2 AND b = $1)) AND status = 'declined'")
                .bind(from.0).bind(to.0).execute(p).await?;
            sqlx::query("INSERT INTO member_links (a, b, status, created_at) VALUES ($1, $2, 'pending', $3)")
                .bind(from.0).bind(to.0).bind(now).execute(p).await?;
        });
        Ok(())
    }

    /// Answers the pending invitation `from` sent to `to`; false when
    /// there is none.
    pub async fn answer_invitation(
        &self,
        from: AccountId,
        to: AccountId,
        status: LinkStatus,
    ) -> Result<bool> {
        let sql = "UPDATE member_links SET status = $3, answered_at = $4 WHERE a = $1 AND b = $2 AND status = 'pending'";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(from.0).bind(to.0).bind(status.as_str())
            .bind(now_micros()).execute(p).await?.rows_affected());
        self.bump(&[from, to]).await?;
        Ok(n > 0)
    }

    /// Ends a connection or withdraws an invitation, either way round.
    pub async fn remove_member_link(&self, me: AccountId, other: AccountId) -> Result<bool> {
        let sql = "DELETE FROM member_links WHERE (a = $1 AND b = $2) OR (a = $2 AND b = $1)";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(me.0).bind(other.0).execute(p).await?.rows_affected());
        self.bump(&[me, other]).await?;
        Ok(n > 0)
    }

    /// Adds an address to a member, waiting for the link whose secret's
    /// hash is `token_hash` (replacing an earlier unverified request).
    pub async fn add_member_email(
        &self,
        account: AccountId,
        email: &str,
        token_hash: &[u8],
    ) -> Result<()> {
        on_pool!(&self.db, p => {
            sqlx::query("DELETE FROM member_emails WHERE account_id = $1 AND email = $2 AND verified_at IS NULL")
                .bind(account.0).bind(email).execute(p).await?;
            sqlx::query("INSERT INTO member_emails (account_id, email, token_hash, created_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (account_id, email) DO NOTHING")
                .bind(account.0).bind(email).bind(token_hash).bind(now_micros()).execute(p).await?;
        });
        Ok(())
    }

    /// Verifies the address whose link carries this secret; the member
    /// and address, or None for an unknown or used link. An address
    /// another member verified first stays theirs.
    pub async fn verify_member_email(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<(AccountId, String)>> {
        let sql = "SELECT account_id, email FROM member_emails WHERE token_hash = $1 AND verified_at IS NULL";
        let row: Option<(Uuid, String)> = on_pool!(&self.db, p => sqlx::query(sql).bind(token_hash).fetch_optional(p).await?
            .map(|r| Ok::<_, StoreError>((r.try_get("account_id")?, r.try_get("email")?))).transpose()?);
        let Some((account, email)) = row else {
            return Ok(None);
        };
        let taken: Option<Uuid> = on_pool!(&self.db, p => sqlx::query_scalar(
            "SELECT account_id FROM member_emails WHERE email = $1 AND verified_at IS NOT NULL")
            .bind(&email).fetch_optional(p).await?);
        if taken.is_some_and(|t| t != account) {
            return Err(StoreError::Conflict(format!(
                "{email} is already verified by another member"
            )));
        }
        let sql =
            "UPDATE member_emails SET verified_at = $2, token_hash = NULL WHERE token_hash = $1";
        on_pool!(&self.db, p => { sqlx::query(sql).bind(token_hash).bind(now_micros()).execute(p).await?; });
        self.bump(&[AccountId(account)]).await?;
        Ok(Some((AccountId(account), email)))
    }

    /// A member's addresses, each with whether it is verified.
    pub async fn member_emails(&self, account: AccountId) -> Result<Vec<(String, bool)>> {
        let sql =
            "SELECT email, verified_at FROM member_emails WHERE account_id = $1 ORDER BY email";
        on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).fetch_all(p).await?.iter()
            .map(|r| Ok((r.try_get("email")?, r.try_get::<Option<i64>, _>("verified_at")?.is_some()))).collect())
    }

    /// Removes one of a member's addresses; false when it was not theirs.
    pub async fn remove_member_email(&self, account: AccountId, email: &str) -> Result<bool> {
        let sql = "DELETE FROM member_emails WHERE account_id = $1 AND email = $2";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).bind(email).execute(p).await?.rows_affected());
        self.bump(&[account]).await?;
        Ok(n > 0)
    }

    /// The member who verified each of these addresses.
    pub async fn members_by_email(&self, emails: &[String]) -> Result<HashMap<String, AccountId>> {
        let mut out = HashMap::new();
        for part in emails.chunks(500) {
            on_pool!(&self.db, p => {
                let mut qb = sqlx::QueryBuilder::new("SELECT email, account_id FROM member_emails WHERE verified_at IS NOT NULL AND email IN (");
                let mut list = qb.separated(", ");
                for e in part {
                    list.push_bind(e.clone());
                }
                qb.push(")");
                for r in qb.build().fetch_all(p).await? {
                    out.insert(r.try_get("email")?, AccountId(r.try_get("account_id")?));
                }
            });
        }
        Ok(out)
    }

    /// Stores a new introduction request.
    pub async fn add_introduction(&self, intro: &IntroRow) -> Result<()> {
        let sql = "INSERT INTO introductions (id, requester, broker, broker_person, requester_person, goal, message, \
                   status, target_email, created_at, updated_at, remote, remote_id) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
        on_pool!(&self.db, p => {
            sqlx::query(sql).bind(intro.id).bind(intro.requester.0).bind(intro.broker.0).bind(intro.broker_person.0)
                .bind(intro.requester_person.map(|p| p.0)).bind(&intro.goal).bind(&intro.message).bind(intro.status.as_str())
                .bind(&intro.target_email).bind(intro.created_at).bind(intro.updated_at).bind(&intro.remote)
                .bind(&intro.remote_id).execute(p).await?;
        });
        Ok(())
    }

    /// The introductions a member asked for or was asked to make, newest first.
    pub async fn introductions(&self, member: AccountId) -> Result<Vec<IntroRow>> {
        let sql = format!(
            "SELECT {INTRO_COLUMNS} FROM introductions WHERE requester = $1 OR broker = $1 ORDER BY created_at DESC"
        );
        on_pool!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(member.0).fetch_all(p).await?
            .iter().map(intro_from_row).collect())
    }

    /// One introduction, if `member` is its requester or broker.
    pub async fn introduction(&self, member: AccountId, id: Uuid) -> Result<Option<IntroRow>> {
        let sql = format!(
            "SELECT {INTRO_COLUMNS} FROM introductions WHERE id = $1 AND (requester = $2 OR broker = $2)"
        );
        on_pool!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(member.0).fetch_optional(p).await?
            .as_ref().map(intro_from_row).transpose())
    }

    /// An introduction by id, whoever's it is (for telling another server
    /// where it stands).
    pub async fn introduction_by_id(&self, id: Uuid) -> Result<Option<IntroRow>> {
        let sql = format!("SELECT {INTRO_COLUMNS} FROM introductions WHERE id = $1");
        on_pool!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
            .as_ref().map(intro_from_row).transpose())
    }

    /// A member's introduction with another server, by its id there.
    pub async fn introduction_by_remote(
        &self,
        member: AccountId,
        remote_id: &str,
    ) -> Result<Option<IntroRow>> {
        let sql = format!(
            "SELECT {INTRO_COLUMNS} FROM introductions WHERE remote_id = $1 AND (requester = $2 OR broker = $2)"
        );
        on_pool!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(remote_id).bind(member.0).fetch_optional(p).await?
            .as_ref().map(intro_from_row).transpose())
    }

    /// The introduction whose answer link carries this secret.
    pub async fn introduction_by_token(&self, token_hash: &[u8]) -> Result<Option<IntroRow>> {
        let sql = format!("SELECT {INTRO_COLUMNS} FROM introductions WHERE token_hash = $1");
        on_pool!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(p).await?
            .as_ref().map(intro_from_row).transpose())
    }

    /// Moves an introduction from status `from` to `to` (and sets or
    /// clears its answer link and address); false when it was no longer
    /// at `from` (someone else moved it first).
    pub async fn move_introduction(
        &self,
        id: Uuid,
        from: IntroStatus,
        to: IntroStatus,
        token_hash: Option<&[u8]>,
        target_email: Option<&str>,
    ) -> Result<bool> {
        let sql = "UPDATE introductions SET status = $3, token_hash = $4, target_email = COALESCE($5, target_email), \
                   updated_at = $6 WHERE id = $1 AND status = $2";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(id).bind(from.as_str()).bind(to.as_str()).bind(token_hash)
            .bind(target_email).bind(now_micros()).execute(p).await?.rows_affected());
        Ok(n == 1)
    }
}
