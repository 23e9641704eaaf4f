//! What signing in needs from the database: account passwords and roles,
//! browser sessions, API and device tokens, the one-time setup link. Only
//! hashes of secrets reach this module; making and checking secrets is the
//! app's job. These rows are about accounts, not inside one address book,
//! so they live on [`Store`] rather than on an account's [`crate::Tx`].

use crate::db::{ServerLock, now_micros, on_pool, on_tx};
use crate::{Account, Result, StoreError};
use kith_core::AccountId;
use sqlx::Row;
use uuid::Uuid;

/// A signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub account: AccountId,
    /// The form token every state-changing request of this session carries.
    pub csrf: String,
    pub expires_at: i64,
}

/// Which door a token opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `Authorization: Bearer` on the JSON API.
    Api,
    /// A device's app password for CardDAV.
    Dav,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Api => "api",
            TokenKind::Dav => "dav",
        }
    }
}

/// A token as listed to its owner (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: Uuid,
    pub name: String,
    pub kind: &'static str,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Who a token belongs to ([`crate::Store::token_owner`]).
#[derive(Clone, Debug, PartialEq)]
pub struct TokenOwner {
    pub account: AccountId,
    pub name: String,
    /// The account's settings (a JSON object), as
    /// [`crate::Store::account_setting`] reads them one by one.
    pub settings: serde_json::Value,
}

/// An account with what signing in needs.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub account: Account,
    pub is_admin: bool,
    pub password_hash: Option<String>,
}

impl crate::Store {
    /// Creates an account with a password hash; a taken name is a conflict.
    pub async fn create_account_with(
        &self,
        name: &str,
        is_admin: bool,
        password_hash: &str,
    ) -> Result<Account> {
        let account = self.create_account(name).await?;
        let sql = "UPDATE accounts SET is_admin = $2, password_hash = $3 WHERE id = $1";
        on_pool!(&self.db, p => sqlx::query(sql)
            .bind(account.id.0)
            .bind(is_admin)
            .bind(password_hash)
            .execute(p)
            .await?
            .rows_affected());
        Ok(account)
    }

    /// The account named `name` with its password hash and role.
    pub async fn credentials(&self, name: &str) -> Result<Option<Credentials>> {
        let sql = "SELECT id, name, is_admin, password_hash FROM accounts WHERE name = $1";
        on_pool!(&self.db, p => {
            let row = sqlx::query(sql).bind(name).fetch_optional(p).await?;
            row.map(|r| {
                Ok(Credentials {
                    account: Account {
                        id: AccountId(r.try_get("id")?),
                        name: r.try_get("name")?,
                    },
                    is_admin: r.try_get("is_admin")?,
                    password_hash: r.try_get("password_hash")?,
                })
            })
            .transpose()
        })
    }

    /// Replaces an account's password hash and signs out all its sessions.
    pub async fn set_password(&self, account: AccountId, password_hash: &str) -> Result<()> {
        let sql = "UPDATE accounts SET password_hash = $2 WHERE id = $1";
        let done = on_pool!(&self.db, p => sqlx::query(sql)
            .bind(account.0)
            .bind(password_hash)
            .execute(p)
            .await?
            .rows_affected());
        if done == 0 {
            return Err(StoreError::NotFound("account".into()));
        }
        self.delete_sessions(account).await
    }

    pub async fn create_session(
        &self,
        secret_hash: &[u8],
        account: AccountId,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        let sql = "INSERT INTO sessions (secret_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
        on_pool!(&self.db, p => sqlx::query(sql)
            .bind(secret_hash)
            .bind(account.0)
            .bind(csrf)
            .bind(now_micros())
            .bind(expires_at)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The living session with this secret hash.
    pub async fn session(&self, secret_hash: &[u8]) -> Result<Option<Session>> {
        let sql = "SELECT account_id, csrf, expires_at FROM sessions WHERE secret_hash = $1 AND expires_at > $2";
        on_pool!(&self.db, p => {
            let row = sqlx::query(sql).bind(secret_hash).bind(now_micros()).fetch_optional(p).await?;
            row.map(|r| {
                Ok(Session {
                    account: AccountId(r.try_get("account_id")?),
                    csrf: r.try_get("csrf")?,
                    expires_at: r.try_get("expires_at")?,
                })
            })
            .transpose()
        })
    }

    pub async fn delete_session(&self, secret_hash: &[u8]) -> Result<()> {
        on_pool!(&self.db, p => sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
            .bind(secret_hash)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Signs an account out everywhere (every browser session).
    pub async fn delete_sessions(&self, account: AccountId) -> Result<()> {
        on_pool!(&self.db, p => sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account.0)
            .execute(p)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn create_token(
        &self,
        account: AccountId,
        kind: TokenKind,
        name: &str,
        secret_hash: &[u8],
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let sql = "INSERT INTO tokens (id, account_id, kind, name, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
        on_pool!(&self.db, p => sqlx::query(sql)
            .bind(id)
            .bind(account.0)
            .bind(kind.as_str())
            .bind(name)
            .bind(secret_hash)
            .bind(now_micros())
            .execute(p)
            .await?
            .rows_affected());
        Ok(id)
    }

    /// The account a token of `kind` proves, with its name and settings
    /// (what a device's request needs, read in one statement).
    pub async fn token_owner(
        &self,
        secret_hash: &[u8],
        kind: TokenKind,
    ) -> Result<Option<TokenOwner>> {
        // Use is noted at most once a minute: a write on every request would
        // make every other SQLite connection drop its page cache.
        const NOTE_EVERY_MICROS: i64 = 60_000_000;
        let sql = "SELECT t.account_id, t.last_used_at, a.name, a.settings FROM tokens t \
                   JOIN accounts a ON a.id = t.account_id WHERE t.secret_hash = $1 AND t.kind = $2";
        let note = "UPDATE tokens SET last_used_at = $2 WHERE secret_hash = $1";
        let now = now_micros();
        on_pool!(&self.db, p => {
            let Some(row) = sqlx::query(sql)
                .bind(secret_hash)
                .bind(kind.as_str())
                .fetch_optional(p)
                .await?
            else {
                return Ok(None);
            };
            let last: Option<i64> = row.try_get("last_used_at")?;
            if last.is_none_or(|t| now - t >= NOTE_EVERY_MICROS) {
                sqlx::query(note).bind(secret_hash).bind(now).execute(p).await?;
            }
            let settings: Option<sqlx::types::Json<serde_json::Value>> = row.try_get("settings")?;
            Ok(Some(TokenOwner {
                account: AccountId(row.try_get("account_id")?),
                name: row.try_get("name")?,
                settings: settings.map(|s| s.0).unwrap_or_default(),
            }))
        })
    }

    /// An account's tokens, newest first.
    pub async fn tokens(&self, account: AccountId) -> Result<Vec<TokenInfo>> {
        let sql = "SELECT id, name, kind, created_at, last_used_at FROM tokens WHERE account_id = $1 ORDER BY created_at DESC";
        on_pool!(&self.db, p => {
            let rows = sqlx::query(sql).bind(account.0).fetch_all(p).await?;
            rows.iter()
                .map(|r| {
                    let kind: String = r.try_get("kind")?;
                    Ok(TokenInfo {
                        id: r.try_get("id")?,
                        name: r.try_get("name")?,
                        kind: if kind == "dav" { "dav" } else { "api" },
                        created_at: r.try_get("created_at")?,
                        last_used_at: r.try_get("last_used_at")?,
                    })
                })
                .collect()
        })
    }

    /// Revokes one of an account's tokens; false when it has no such token.
    pub async fn revoke_token(&self, account: AccountId, id: Uuid) -> Result<bool> {
        let sql = "DELETE FROM tokens WHERE account_id = $1 AND id = $2";
        let done = on_pool!(&self.db, p => sqlx::query(sql)
            .bind(account.0)
            .bind(id)
            .execute(p)
            .await?
            .rows_affected());
        Ok(done > 0)
    }

    /// Makes `secret_hash` the setup link's secret while no account can
    /// sign in (false, and nothing written, once one can). Only one link is
    /// valid at a time, also when servers sharing the database start
    /// together: each takes the setup lock in turn, and the last one's link
    /// is the one that works.
    pub async fn put_setup_token(&self, secret_hash: &[u8]) -> Result<bool> {
        let mut tx = self.db.begin_locked(ServerLock::Setup).await?;
        let open = on_tx!(&mut tx, c => {
            let taken = sqlx::query("SELECT 1 AS one FROM accounts WHERE password_hash IS NOT NULL LIMIT 1")
                .fetch_optional(&mut *c).await?.is_some();
            if !taken {
                sqlx::query("DELETE FROM setup_tokens").execute(&mut *c).await?;
                sqlx::query("INSERT INTO setup_tokens (secret_hash, created_at) VALUES ($1, $2)")
                    .bind(secret_hash)
                    .bind(now_micros())
                    .execute(&mut *c)
                    .await?;
            }
            !taken
        });
        tx.commit().await?;
        Ok(open)
    }

    /// Whether some account has a password (then setup is closed for good).
    pub async fn any_account_can_sign_in(&self) -> Result<bool> {
        let sql = "SELECT 1 AS one FROM accounts WHERE password_hash IS NOT NULL LIMIT 1";
        let found = on_pool!(&self.db, p => sqlx::query(sql)
            .fetch_optional(p)
            .await?
            .is_some());
        Ok(found)
    }

    /// Forgets every setup link (once an account can sign in).
    pub async fn delete_setup_tokens(&self) -> Result<()> {
        on_pool!(&self.db, p => sqlx::query("DELETE FROM setup_tokens").execute(p).await?.rows_affected());
        Ok(())
    }

    /// Whether this is the setup link's secret (it stays valid until used).
    pub async fn setup_token_valid(&self, secret_hash: &[u8]) -> Result<bool> {
        let sql = "SELECT 1 AS one FROM setup_tokens WHERE secret_hash = $1";
        let found = on_pool!(&self.db, p => sqlx::query(sql)
            .bind(secret_hash)
            .fetch_optional(p)
            .await?
            .is_some());
        Ok(found)
    }

    /// Creates the first administrator with the setup link's secret, once:
    /// the link is used up, and refused when an account can sign in already.
    /// An account without a password (made by the command line) of that
    /// name is taken over instead.
    pub async fn create_first_account(
        &self,
        secret_hash: &[u8],
        name: &str,
        password_hash: &str,
    ) -> Result<Account> {
        // One transaction under the setup lock: two links used at once on
        // two servers cannot both make an administrator.
        let mut tx = self.db.begin_locked(ServerLock::Setup).await?;
        let account = on_tx!(&mut tx, c => {
            let used = sqlx::query("DELETE FROM setup_tokens WHERE secret_hash = $1")
                .bind(secret_hash).execute(&mut *c).await?.rows_affected();
            if used == 0 {
                return Err(StoreError::NotFound(
                    "this setup link is not valid (any more): restart kith serve for a new one".into(),
                ));
            }
            let taken = sqlx::query("SELECT 1 AS one FROM accounts WHERE password_hash IS NOT NULL LIMIT 1")
                .fetch_optional(&mut *c).await?.is_some();
            if taken {
                return Err(StoreError::Conflict("an account exists already: sign in".into()));
            }
            // An account the command line made (no password) of that name
            // is taken over; else a new one.
            let existing: Option<Uuid> = sqlx::query_scalar("SELECT id FROM accounts WHERE name = $1")
                .bind(name).fetch_optional(&mut *c).await?;
            let id = match existing {
                Some(id) => id,
                None => {
                    let id = AccountId::new().0;
                    sqlx::query("INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)")
                        .bind(id).bind(name).bind(now_micros()).execute(&mut *c).await?;
                    id
                }
            };
            sqlx::query("UPDATE accounts SET is_admin = TRUE, password_hash = $2 WHERE id = $1")
                .bind(id).bind(password_hash).execute(&mut *c).await?;
            Account { id: AccountId(id), name: name.to_string() }
        });
        tx.commit().await?;
        Ok(account)
    }
}
