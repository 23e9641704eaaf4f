//! Federation as rows: members' signing keys, remote actors as last
//! fetched, members' links with remote actors (connections, follows,
//! followers), the outbox of activities to deliver (oldest first per inbox,
//! leased while a server sends one), activities already applied, and
//! blocks. What a row holds as JSON (an actor's profile, a card, an
//! activity) is the app's.

use crate::db::{now_micros, on_pool};
use crate::{Result, Store};
use kith_core::{AccountId, PersonId};
use sqlx::Row;
use uuid::Uuid;

/// One of a member's signing keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    pub key_no: i64,
    /// The private key as PKCS#8 DER.
    pub private_pkcs8: Vec<u8>,
    /// The public key as SPKI PEM (what actor documents carry).
    pub public_pem: String,
    pub retired_at: Option<i64>,
}

/// A remote actor as last fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorRow {
    pub id: String,
    /// `name@host`.
    pub handle: String,
    pub inbox: String,
    pub key_id: String,
    pub public_pem: String,
    /// What the actor document said (the app's JSON).
    pub profile: String,
    pub fetched_at: i64,
}

/// A member's link with a remote actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRow {
    pub account: AccountId,
    pub actor: String,
    /// `connection`, `following` or `follower` (the app's words).
    pub kind: String,
    /// `pending`, `accepted` or `declined` (the app's words).
    pub status: String,
    /// The member asked (else the actor did).
    pub outgoing: bool,
    pub follow_id: String,
    pub person: Option<PersonId>,
    /// The last card the actor sent (the app's JSON).
    pub card: Option<String>,
    pub card_seq: i64,
    pub created_at: i64,
    pub answered_at: Option<i64>,
}

const LINK_COLUMNS: &str = "account_id, actor, kind, status, outgoing, follow_id, person_id, card, \
     card_seq, created_at, answered_at";

macro_rules! link_row {
    ($r:expr) => {{
        let r = $r;
        let person: Option<Uuid> = r.try_get("person_id")?;
        LinkRow {
            account: AccountId(r.try_get("account_id")?),
            actor: r.try_get("actor")?,
            kind: r.try_get("kind")?,
            status: r.try_get("status")?,
            outgoing: r.try_get("outgoing")?,
            follow_id: r.try_get("follow_id")?,
            person: person.map(PersonId),
            card: r.try_get("card")?,
            card_seq: r.try_get("card_seq")?,
            created_at: r.try_get("created_at")?,
            answered_at: r.try_get("answered_at")?,
        }
    }};
}

const ACTOR_COLUMNS: &str = "id, handle, inbox, key_id, public_pem, profile, fetched_at";

macro_rules! actor_row {
    ($r:expr) => {{
        let r = $r;
        ActorRow {
            id: r.try_get("id")?,
            handle: r.try_get("handle")?,
            inbox: r.try_get("inbox")?,
            key_id: r.try_get("key_id")?,
            public_pem: r.try_get("public_pem")?,
            profile: r.try_get("profile")?,
            fetched_at: r.try_get("fetched_at")?,
        }
    }};
}

/// An activity waiting for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: Uuid,
    /// The member it is sent as (signed with their key).
    pub account: AccountId,
    pub inbox: String,
    /// The inbox's host (`host[:port]`): a server heard from again is
    /// tried again at once.
    pub host: String,
    pub activity: String,
    pub attempts: i64,
}

macro_rules! outbox_row {
    ($r:expr) => {{
        let r = $r;
        OutboxRow {
            id: r.try_get("id")?,
            account: AccountId(r.try_get("account_id")?),
            inbox: r.try_get("inbox")?,
            host: r.try_get("host")?,
            activity: r.try_get("activity")?,
            attempts: r.try_get("attempts")?,
        }
    }};
}

impl Store {
    /// A member's keys, newest first.
    pub async fn fed_keys(&self, account: AccountId) -> Result<Vec<KeyRow>> {
        let sql = "SELECT key_no, private_pkcs8, public_pem, retired_at FROM fed_keys \
                   WHERE account_id = $1 ORDER BY key_no DESC";
        on_pool!(&self.db, p => {
            let rows = sqlx::query(sql).bind(account.0).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(KeyRow {
                    key_no: r.try_get("key_no")?,
                    private_pkcs8: r.try_get("private_pkcs8")?,
                    public_pem: r.try_get("public_pem")?,
                    retired_at: r.try_get("retired_at")?,
                });
            }
            Ok(out)
        })
    }

    /// Adds a member's key as number `key_no` and retires the older ones.
    /// False when that number is taken (another server made it first).
    pub async fn add_fed_key(
        &self,
        account: AccountId,
        key_no: i64,
        private_pkcs8: &[u8],
        public_pem: &str,
    ) -> Result<bool> {
        let now = now_micros();
        let insert = "INSERT INTO fed_keys (account_id, key_no, private_pkcs8, public_pem, created_at) \
                      VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
        let retire = "UPDATE fed_keys SET retired_at = $3 WHERE account_id = $1 AND key_no < $2 \
                      AND retired_at IS NULL";
        on_pool!(&self.db, p => {
            let n = sqlx::query(insert).bind(account.0).bind(key_no).bind(private_pkcs8)
                .bind(public_pem).bind(now).execute(p).await?.rows_affected();
            if n == 0 {
                return Ok(false);
            }
            sqlx::query(retire).bind(account.0).bind(key_no).bind(now).execute(p).await?;
            Ok(true)
        })
    }

    /// A remote actor by id.
    pub async fn fed_actor(&self, id: &str) -> Result<Option<ActorRow>> {
        let sql = format!("SELECT {ACTOR_COLUMNS} FROM fed_actors WHERE id = $1");
        on_pool!(&self.db, p => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await? {
            Some(r) => Ok(Some(actor_row!(&r))),
            None => Ok(None),
        })
    }

    /// A remote actor by handle (`name@host`, as stored: lower case).
    pub async fn fed_actor_by_handle(&self, handle: &str) -> Result<Option<ActorRow>> {
        let sql = format!(
            "SELECT {ACTOR_COLUMNS} FROM fed_actors WHERE handle = $1 ORDER BY fetched_at DESC LIMIT 1"
        );
        on_pool!(&self.db, p => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(handle).fetch_optional(p).await? {
            Some(r) => Ok(Some(actor_row!(&r))),
            None => Ok(None),
        })
    }

    /// Keeps what a remote actor's document said.
    pub async fn put_fed_actor(&self, a: &ActorRow) -> Result<()> {
        let sql = "INSERT INTO fed_actors (id, handle, inbox, key_id, public_pem, profile, fetched_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET \
                   handle = excluded.handle, inbox = excluded.inbox, key_id = excluded.key_id, \
                   public_pem = excluded.public_pem, profile = excluded.profile, fetched_at = excluded.fetched_at";
        on_pool!(&self.db, p => sqlx::query(sql).bind(&a.id).bind(&a.handle).bind(&a.inbox).bind(&a.key_id)
            .bind(&a.public_pem).bind(&a.profile).bind(a.fetched_at).execute(p).await?.rows_affected());
        Ok(())
    }

    /// A member's link of `kind` with an actor.
    pub async fn fed_link(
        &self,
        account: AccountId,
        actor: &str,
        kind: &str,
    ) -> Result<Option<LinkRow>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM fed_links WHERE account_id = $1 AND actor = $2 AND kind = $3"
        );
        on_pool!(&self.db, p => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.0).bind(actor)
            .bind(kind).fetch_optional(p).await? {
            Some(r) => Ok(Some(link_row!(&r))),
            None => Ok(None),
        })
    }

    /// The links a Follow activity made (an `Accept`, `Reject` or `Undo`
    /// names it), with `actor` on the other side.
    pub async fn fed_links_by_follow(&self, follow_id: &str, actor: &str) -> Result<Vec<LinkRow>> {
        let sql =
            format!("SELECT {LINK_COLUMNS} FROM fed_links WHERE follow_id = $1 AND actor = $2");
        on_pool!(&self.db, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(follow_id).bind(actor).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(link_row!(r));
            }
            Ok(out)
        })
    }

    /// A member's links, newest first (`kind` None: every kind).
    pub async fn fed_links(&self, account: AccountId, kind: Option<&str>) -> Result<Vec<LinkRow>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM fed_links WHERE account_id = $1 AND ($2 IS NULL OR kind = $2) \
             ORDER BY created_at DESC, actor"
        );
        on_pool!(&self.db, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.0).bind(kind).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(link_row!(r));
            }
            Ok(out)
        })
    }

    /// Every member's accepted links with an actor (its updates go to them).
    pub async fn fed_links_of_actor(&self, actor: &str) -> Result<Vec<LinkRow>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM fed_links WHERE actor = $1 AND status = 'accepted'"
        );
        on_pool!(&self.db, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(actor).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(link_row!(r));
            }
            Ok(out)
        })
    }

    /// How many links hold a card numbered `seq` or later (the benchmark's
    /// "every book holds it").
    pub async fn fed_cards_since(&self, seq: i64) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM fed_links WHERE card IS NOT NULL AND card_seq >= $1";
        Ok(on_pool!(&self.db, p => sqlx::query_scalar(sql).bind(seq).fetch_one(p).await?))
    }

    /// How many links of `kind` a member has (accepted or not).
    pub async fn fed_link_count_of(&self, account: AccountId, kind: &str) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM fed_links WHERE account_id = $1 AND kind = $2";
        Ok(
            on_pool!(&self.db, p => sqlx::query_scalar(sql).bind(account.0).bind(kind).fetch_one(p).await?),
        )
    }

    /// How many links there are, of every member.
    pub async fn fed_link_count(&self) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM fed_links";
        Ok(on_pool!(&self.db, p => sqlx::query_scalar(sql).fetch_one(p).await?))
    }

    /// Records a new link, or starts one over (a new Follow replaces a
    /// declined or ended one).
    pub async fn put_fed_link(&self, l: &LinkRow) -> Result<()> {
        let sql = "INSERT INTO fed_links (account_id, actor, kind, status, outgoing, follow_id, person_id, \
                   card, card_seq, created_at, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                   ON CONFLICT (account_id, actor, kind) DO UPDATE SET status = excluded.status, \
                   outgoing = excluded.outgoing, follow_id = excluded.follow_id, created_at = excluded.created_at, \
                   answered_at = excluded.answered_at";
        on_pool!(&self.db, p => sqlx::query(sql).bind(l.account.0).bind(&l.actor).bind(&l.kind)
            .bind(&l.status).bind(l.outgoing).bind(&l.follow_id).bind(l.person.map(|p| p.0))
            .bind(&l.card).bind(l.card_seq).bind(l.created_at).bind(l.answered_at)
            .execute(p).await?.rows_affected());
        Ok(())
    }

    /// Answers a link (accepted or declined). False when it is not pending.
    pub async fn answer_fed_link(
        &self,
        account: AccountId,
        actor: &str,
        kind: &str,
        status: &str,
    ) -> Result<bool> {
        let sql = "UPDATE fed_links SET status = $4, answered_at = $5 WHERE account_id = $1 \
                   AND actor = $2 AND kind = $3 AND status = 'pending'";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).bind(actor).bind(kind)
            .bind(status).bind(now_micros()).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Keeps the card an actor sent (number `seq`) and the person following
    /// it. False when a card numbered `seq` or later was kept already.
    pub async fn set_fed_link_card(
        &self,
        account: AccountId,
        actor: &str,
        kind: &str,
        person: PersonId,
        card: &str,
        seq: i64,
    ) -> Result<bool> {
        let sql = "UPDATE fed_links SET person_id = $4, card = $5, card_seq = $6 WHERE account_id = $1 \
                   AND actor = $2 AND kind = $3 AND card_seq < $6";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).bind(actor).bind(kind)
            .bind(person.0).bind(card).bind(seq).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Ends a link. False when there was none.
    pub async fn remove_fed_link(
        &self,
        account: AccountId,
        actor: &str,
        kind: &str,
    ) -> Result<bool> {
        let sql = "DELETE FROM fed_links WHERE account_id = $1 AND actor = $2 AND kind = $3";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).bind(actor).bind(kind)
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Queues activities for delivery, in the order given.
    pub async fn enqueue_activities(&self, rows: &[OutboxRow], next_at: i64) -> Result<()> {
        let sql = "INSERT INTO fed_outbox (id, account_id, inbox, host, activity, next_at, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let now = now_micros();
        on_pool!(&self.db, p => {
            let mut t = p.begin().await?;
            for r in rows {
                sqlx::query(sql).bind(r.id).bind(r.account.0).bind(&r.inbox).bind(&r.host)
                    .bind(&r.activity).bind(next_at).bind(now).execute(&mut *t).await?;
            }
            t.commit().await?;
        });
        Ok(())
    }

    /// Claims up to `limit` activities due now, each the oldest of its
    /// inbox (a later one waits for it), until `until`.
    pub async fn claim_activities(
        &self,
        now: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        let pick = "SELECT o.id FROM fed_outbox o WHERE o.next_at <= $1 AND o.claimed_until < $1 \
                    AND NOT EXISTS (SELECT 1 FROM fed_outbox e WHERE e.inbox = o.inbox AND e.id < o.id) \
                    ORDER BY o.id LIMIT $3";
        let lock = match &self.db {
            crate::db::Db::Sqlite(_) => "",
            crate::db::Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE fed_outbox SET claimed_until = $2 WHERE id IN ({pick}{lock}) AND claimed_until < $1 \
             RETURNING id, account_id, inbox, host, activity, attempts"
        );
        on_pool!(&self.db, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now).bind(until).bind(limit).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(outbox_row!(r));
            }
            out.sort_by_key(|r: &OutboxRow| r.id);
            Ok(out)
        })
    }

    /// A delivered (or abandoned) activity leaves the outbox.
    pub async fn remove_activity(&self, id: Uuid) -> Result<()> {
        let sql = "DELETE FROM fed_outbox WHERE id = $1";
        on_pool!(&self.db, p => sqlx::query(sql).bind(id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// A delivery failed: try again at `next_at`.
    pub async fn retry_activity(&self, id: Uuid, next_at: i64, error: &str) -> Result<()> {
        let sql = "UPDATE fed_outbox SET attempts = attempts + 1, next_at = $2, claimed_until = 0, \
                   last_error = $3 WHERE id = $1";
        on_pool!(&self.db, p => sqlx::query(sql).bind(id).bind(next_at).bind(error)
            .execute(p).await?.rows_affected());
        Ok(())
    }

    /// A server was heard from: what waits for it is tried at once. True
    /// when something waited.
    pub async fn activities_due_now(&self, host: &str) -> Result<bool> {
        let sql = "UPDATE fed_outbox SET next_at = $2 WHERE host = $1 AND next_at > $2";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(host).bind(now_micros())
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// How many activities wait, and the oldest one's time.
    pub async fn outbox_backlog(&self) -> Result<(i64, Option<i64>)> {
        let sql = "SELECT COUNT(*), MIN(created_at) FROM fed_outbox";
        on_pool!(&self.db, p => {
            let r = sqlx::query(sql).fetch_one(p).await?;
            Ok((r.try_get(0)?, r.try_get(1)?))
        })
    }

    /// When the next activity is due (None: the outbox is empty).
    pub async fn next_activity_due(&self) -> Result<Option<i64>> {
        let sql = "SELECT MIN(next_at) FROM fed_outbox";
        Ok(on_pool!(&self.db, p => sqlx::query_scalar::<_, Option<i64>>(sql).fetch_one(p).await?))
    }

    /// Records an activity as applied; false when it was already.
    pub async fn mark_activity_seen(&self, activity_id: &str) -> Result<bool> {
        let sql = "INSERT INTO fed_seen (activity_id, received_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(activity_id).bind(now_micros())
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Forgets one activity (it could not be applied: a later delivery
    /// of it may be).
    pub async fn forget_activity(&self, activity_id: &str) -> Result<()> {
        let sql = "DELETE FROM fed_seen WHERE activity_id = $1";
        on_pool!(&self.db, p => sqlx::query(sql).bind(activity_id).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Forgets activities applied before `before` (their signatures have
    /// long expired, so a replay is refused anyway).
    pub async fn forget_seen_activities(&self, before: i64) -> Result<u64> {
        let sql = "DELETE FROM fed_seen WHERE received_at < $1";
        Ok(on_pool!(&self.db, p => sqlx::query(sql).bind(before).execute(p).await?.rows_affected()))
    }

    /// Blocks a server or handle for a scope (`*` or an account id).
    pub async fn add_fed_block(&self, scope: &str, target: &str) -> Result<bool> {
        let sql = "INSERT INTO fed_blocks (scope, target, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(scope).bind(target).bind(now_micros())
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Lifts a block. False when there was none.
    pub async fn remove_fed_block(&self, scope: &str, target: &str) -> Result<bool> {
        let sql = "DELETE FROM fed_blocks WHERE scope = $1 AND target = $2";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(scope).bind(target)
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// A scope's blocks, by name.
    pub async fn fed_blocks(&self, scope: &str) -> Result<Vec<String>> {
        let sql = "SELECT target FROM fed_blocks WHERE scope = $1 ORDER BY target";
        Ok(on_pool!(&self.db, p => sqlx::query_scalar(sql).bind(scope).fetch_all(p).await?))
    }

    /// Whether any of `targets` is blocked in any of `scopes`.
    pub async fn fed_blocked(&self, scopes: &[&str], targets: &[&str]) -> Result<bool> {
        let sql = "SELECT COUNT(*) FROM fed_blocks WHERE scope = $1 AND target = $2";
        for s in scopes {
            for t in targets {
                let n: i64 = on_pool!(&self.db, p => sqlx::query_scalar(sql).bind(*s).bind(*t)
                    .fetch_one(p).await?);
                if n > 0 {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}
