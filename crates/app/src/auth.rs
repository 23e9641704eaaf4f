//! Accounts and signing in: account names and passwords (argon2id), the
//! random secrets of sessions, API tokens, device passwords and the setup
//! link, and login throttling. Secrets are shown once and only their
//! SHA-256 reaches the store. No HTTP here: the web crate carries cookies
//! and headers, this module decides.

use crate::error::{AppError, Result};
use crate::throttle::{self, SETUP_POLICY, SignInKeys};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use kith_core::AccountId;
use kith_store::auth::{Session, TokenInfo, TokenKind, TokenOwner};
use kith_store::{Account, Store, StoreError, now_micros};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long a browser stays signed in.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// Password length bounds (bytes): long enough to resist guessing, short
/// enough that hashing cannot be used to tie up the server.
const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 1024;
/// Argon2 hashes computed at once (each takes ~19 MiB and tens of ms).
const CONCURRENT_HASHES: usize = 2;

/// A new random secret: 32 bytes from the OS, URL-safe base64.
pub fn new_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Invalid(format!("no randomness from the system: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What the store keeps of a secret.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Checks an account name: 1 to 64 letters, digits, `.`, `_` or `-`,
/// starting with a letter or digit.
pub fn check_account_name(name: &str) -> Result<()> {
    let ok_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-');
    let valid = !name.is_empty()
        && name.chars().count() <= 64
        && name.chars().all(ok_char)
        && name.chars().next().is_some_and(char::is_alphanumeric);
    if valid {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "account name {name:?}: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )))
    }
}

/// Hashes a password with argon2id (checking its length first).
pub fn hash_password(password: &str) -> Result<String> {
    if password.len() < MIN_PASSWORD {
        return Err(AppError::Invalid(format!(
            "the password is too short: use at least {MIN_PASSWORD} characters"
        )));
    }
    if password.len() > MAX_PASSWORD {
        return Err(AppError::Invalid(format!(
            "the password is too long: at most {MAX_PASSWORD} bytes"
        )));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Invalid(format!("the password cannot be hashed: {e}")))
}

fn password_matches(password: &str, hash: &str) -> bool {
    password.len() <= MAX_PASSWORD
        && Argon2::default()
            .verify_password(password.as_bytes(), hash)
            .is_ok()
}

/// An account as listed to administrators and in `kith user list`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UserInfo {
    pub name: String,
    pub admin: bool,
    /// False for an account made by the command line before any password.
    pub can_sign_in: bool,
}

/// A new browser session: the cookie's secret and the form token.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub secret: String,
    pub account: Account,
    pub csrf: String,
}

/// Why a sign-in was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginRefused {
    /// Wrong name or password (never saying which).
    Wrong,
    /// Too many failures for this account or from this address.
    Throttled { retry_after: Duration },
}

/// Signing in and the secrets that prove it. Cheap to clone; the throttle's
/// counts are in the database, shared by every server.
#[derive(Clone)]
pub struct Auth {
    store: Store,
    /// Argon2 runs on blocking threads, this many at once: a flood of
    /// sign-ins queues here instead of starving every other request.
    hashing: Arc<tokio::sync::Semaphore>,
}

impl Auth {
    pub fn new(store: Store) -> Auth {
        Auth {
            store,
            hashing: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_HASHES)),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Creates an account that can sign in.
    pub async fn add_user(&self, name: &str, password: &str, admin: bool) -> Result<Account> {
        check_account_name(name)?;
        let hash = self.hash(password).await?;
        Ok(self.store.create_account_with(name, admin, &hash).await?)
    }

    /// Sets an account's password (and signs it out of every browser).
    pub async fn set_password(&self, name: &str, password: &str) -> Result<()> {
        let hash = self.hash(password).await?;
        let account = self
            .store
            .account(name)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no account named {name:?}")))?;
        Ok(self.store.set_password(account.id, &hash).await?)
    }

    /// The name of the account with this id (None: no such account).
    pub async fn account_name(&self, account: AccountId) -> Result<Option<String>> {
        Ok(self.store.account_by_id(account).await?.map(|a| a.name))
    }

    /// Every account, by name (for the server's housekeeping).
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        Ok(self.store.accounts().await?)
    }

    pub async fn users(&self) -> Result<Vec<UserInfo>> {
        let mut out = Vec::new();
        for a in self.store.accounts().await? {
            if let Some(c) = self.store.credentials(&a.name).await? {
                out.push(UserInfo {
                    name: a.name,
                    admin: c.is_admin,
                    can_sign_in: c.password_hash.is_some(),
                });
            }
        }
        Ok(out)
    }

    /// Checks a name and password, throttled per account, per address and
    /// per pair (crate::throttle); opens a session on success. The attempt
    /// is counted before the password is hashed, so parallel guesses
    /// cannot slip past the limit, and refunded when it succeeds.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        address: IpAddr,
    ) -> Result<std::result::Result<NewSession, LoginRefused>> {
        let keys = SignInKeys::new(name, address);
        if let Err(retry_after) = throttle::reserve_sign_in(&self.store, &keys).await? {
            return Ok(Err(LoginRefused::Throttled { retry_after }));
        }
        let credentials = self.store.credentials(name).await?;
        let hash = credentials.as_ref().and_then(|c| c.password_hash.clone());
        // Without an account, spend the same time as a real check: no
        // account-name oracle.
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| dummy_hash().to_string());
        let ok = self.verify(password, hash).await? && known;
        match credentials {
            Some(c) if ok => {
                throttle::signed_in(&self.store, &keys).await?;
                Ok(Ok(self.open_session(c.account).await?))
            }
            _ => Ok(Err(LoginRefused::Wrong)),
        }
    }

    /// Checks a password against its argon2 hash on a blocking thread.
    async fn verify(&self, password: &str, hash: String) -> Result<bool> {
        let password = password.to_string();
        self.off_thread(move || password_matches(&password, &hash))
            .await
    }

    /// Hashes a new password on a blocking thread.
    async fn hash(&self, password: &str) -> Result<String> {
        let password = password.to_string();
        self.off_thread(move || hash_password(&password)).await?
    }

    async fn off_thread<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|_| AppError::Invalid("the server is stopping".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Invalid(format!("password hashing failed: {e}")))
    }

    async fn open_session(&self, account: Account) -> Result<NewSession> {
        let secret = new_secret()?;
        let csrf = new_secret()?;
        let expires = now_micros() + SESSION_LIFETIME.as_micros() as i64;
        self.store
            .create_session(&secret_hash(&secret), account.id, &csrf, expires)
            .await?;
        Ok(NewSession {
            secret,
            account,
            csrf,
        })
    }

    /// The session a cookie's secret opens, if it is still valid.
    pub async fn session(&self, secret: &str) -> Result<Option<Session>> {
        Ok(self.store.session(&secret_hash(secret)).await?)
    }

    pub async fn logout(&self, secret: &str) -> Result<()> {
        Ok(self.store.delete_session(&secret_hash(secret)).await?)
    }

    /// Signs an account out of every browser.
    pub async fn logout_everywhere(&self, account: AccountId) -> Result<()> {
        Ok(self.store.delete_sessions(account).await?)
    }

    /// Creates a token and returns its id and secret (shown once).
    pub async fn create_token(
        &self,
        account: AccountId,
        kind: TokenKind,
        label: &str,
    ) -> Result<(uuid::Uuid, String)> {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(AppError::Invalid(
                "a token's name must have 1 to 100 characters".into(),
            ));
        }
        let secret = format!("kith_{}", new_secret()?);
        let id = self
            .store
            .create_token(account, kind, label, &secret_hash(&secret))
            .await?;
        Ok((id, secret))
    }

    /// The account a token of `kind` belongs to.
    pub async fn token_account(&self, secret: &str, kind: TokenKind) -> Result<Option<AccountId>> {
        Ok(self.token_owner(secret, kind).await?.map(|o| o.account))
    }

    /// The account a token proves, with its name and settings.
    pub async fn token_owner(&self, secret: &str, kind: TokenKind) -> Result<Option<TokenOwner>> {
        Ok(self.store.token_owner(&secret_hash(secret), kind).await?)
    }

    pub async fn tokens(&self, account: AccountId) -> Result<Vec<TokenInfo>> {
        Ok(self.store.tokens(account).await?)
    }

    pub async fn revoke_token(&self, account: AccountId, id: uuid::Uuid) -> Result<bool> {
        Ok(self.store.revoke_token(account, id).await?)
    }

    /// Whether an account is an administrator of this server.
    pub async fn is_admin(&self, account: AccountId) -> Result<bool> {
        Ok(self.store.is_admin(account).await?)
    }

    /// Whether some account can sign in (then setup is closed for good).
    pub async fn any_account_can_sign_in(&self) -> Result<bool> {
        Ok(self.store.any_account_can_sign_in().await?)
    }

    /// While no account can sign in: a fresh setup secret for the link that
    /// creates the first (administrator) account. None once one can.
    pub async fn setup_secret(&self) -> Result<Option<String>> {
        if self.users().await?.iter().any(|u| u.can_sign_in) {
            return Ok(None);
        }
        let secret = new_secret()?;
        if !self.store.put_setup_token(&secret_hash(&secret)).await? {
            return Ok(None);
        }
        Ok(Some(secret))
    }

    /// Whether a setup link's secret still opens the setup page: it was
    /// issued and no account can sign in yet (setup closes for good once
    /// one can).
    pub async fn setup_secret_valid(&self, secret: &str) -> Result<bool> {
        if self.store.any_account_can_sign_in().await? {
            self.store.delete_setup_tokens().await?;
            return Ok(false);
        }
        Ok(self.store.setup_token_valid(&secret_hash(secret)).await?)
    }

    /// Creates the first administrator with the setup link's secret and
    /// signs them in. An account the command line made before (no password)
    /// is taken over when its name is given. The secret is checked before
    /// anything costly (the password's hash), and wrong secrets are
    /// throttled per address like failed sign-ins.
    pub async fn complete_setup(
        &self,
        secret: &str,
        name: &str,
        password: &str,
        address: IpAddr,
    ) -> Result<std::result::Result<NewSession, SetupRefused>> {
        let key = [throttle::setup_key(address)];
        if let Err(retry_after) = throttle::reserve_with(&self.store, &key, SETUP_POLICY).await? {
            return Ok(Err(SetupRefused::Throttled { retry_after }));
        }
        if !self.setup_secret_valid(secret).await? {
            return Ok(Err(SetupRefused::LinkInvalid));
        }
        throttle::refund(&self.store, &key).await?;
        check_account_name(name)?;
        let hash = self.hash(password).await?;
        let account = self
            .store
            .create_first_account(&secret_hash(secret), name, &hash)
            .await;
        match account {
            Ok(account) => Ok(Ok(self.open_session(account).await?)),
            Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => {
                Ok(Err(SetupRefused::LinkInvalid))
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// Why the setup form was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SetupRefused {
    /// The link was never issued, is used up, or an account can sign in.
    LinkInvalid,
    /// Too many wrong links from this address.
    Throttled { retry_after: Duration },
}

/// An argon2id hash of a random password, to verify against when the
/// account does not exist (so both cases take the same time).
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let password = new_secret().unwrap_or_else(|_| "kith-dummy-password".into());
        hash_password(&password).unwrap_or_default()
    })
}
