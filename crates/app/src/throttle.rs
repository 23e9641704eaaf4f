//! Sign-in throttling: failures counted per (account, address) pair, per
//! account and per address, each with its own allowance and a doubling
//! wait once it is spent. `auth` asks it before hashing anything. The
//! counts live in the database (`kith_store::throttle`), so servers sharing
//! it allow together what one allows, and a restart forgets nothing; keys
//! are stored hashed.
//!
//! Why three keys: the pair stops one address guessing one account's
//! password; the address stops one address spraying many names; the account
//! stops many addresses guessing one account. The account's wait is capped
//! at a minute, and does not apply at all to an address the account signed
//! in from before: a stranger guessing from elsewhere cannot lock the owner
//! out; made-up names only ever cost their guesser.

use crate::Result;
use kith_store::Store;
use kith_store::throttle::{Failures, ThrottleTx};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::time::Duration;

/// How many failures a key allows before waits begin, and the longest wait.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub free: u32,
    pub max_wait: Duration,
}

/// One address guessing one account: 5 tries, then 1 s, 2 s, 4 s… up to 15
/// minutes between tries.
pub const PAIR_POLICY: Policy = Policy {
    free: 5,
    max_wait: Duration::from_secs(15 * 60),
};
/// One address, whatever the names: 20 tries, then up to 15 minutes.
pub const ADDRESS_POLICY: Policy = Policy {
    free: 20,
    max_wait: Duration::from_secs(15 * 60),
};
/// One account, from every address: 20 tries, then at most a minute.
pub const ACCOUNT_POLICY: Policy = Policy {
    free: 20,
    max_wait: Duration::from_secs(60),
};
/// Wrong setup links from one address: 10, then up to 15 minutes.
pub const SETUP_POLICY: Policy = Policy {
    free: 10,
    max_wait: Duration::from_secs(15 * 60),
};

/// A key's failures are forgotten after this long without one.
pub const FORGET_AFTER: Duration = Duration::from_secs(30 * 60);
/// How long an address an account signed in from stays known to it.
pub const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// `kind:` and the hash of what the key names (an address, a name), so
/// that the table holds no addresses or names.
fn key(kind: &str, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for p in parts {
        hash.update(p.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{kind}:{hex}")
}

/// The keys of one sign-in attempt.
pub struct SignInKeys {
    pair: String,
    /// The pair as remembered after a success.
    known: String,
    account: String,
    address: String,
}

impl SignInKeys {
    pub fn new(name: &str, address: IpAddr) -> SignInKeys {
        let address = address.to_string();
        SignInKeys {
            pair: key("pair", &[&address, name]),
            known: key("known", &[&address, name]),
            account: key("name", &[name]),
            address: key("addr", &[&address]),
        }
    }

    fn all(&self) -> [(&str, Policy); 3] {
        [
            (&self.pair, PAIR_POLICY),
            (&self.account, ACCOUNT_POLICY),
            (&self.address, ADDRESS_POLICY),
        ]
    }
}

/// The key of wrong setup links from one address.
pub fn setup_key(address: IpAddr) -> String {
    key("setup", &[&address.to_string()])
}

fn wait_after(failures: i64, policy: Policy) -> Duration {
    let free = i64::from(policy.free);
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(20) as u32;
    Duration::from_secs(1u64 << doublings).min(policy.max_wait)
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Counts an attempt against every key before it is made, or says how
/// long to wait when one of them is still waiting (nothing counted then).
async fn reserve_in(
    tx: &mut ThrottleTx,
    keys: &[(&str, Policy)],
    now: i64,
) -> Result<std::result::Result<(), Duration>> {
    let mut found = Vec::with_capacity(keys.len());
    let mut wait = 0i64;
    for (key, policy) in keys {
        let mut f = tx.failures(key).await?.unwrap_or(Failures {
            failures: 0,
            last_at: now,
        });
        if now - f.last_at > micros(FORGET_AFTER) {
            f.failures = 0;
        }
        let due = f.last_at + micros(wait_after(f.failures, *policy));
        wait = wait.max(due - now);
        found.push((*key, f));
    }
    if wait > 0 {
        let wait = Duration::from_micros(u64::try_from(wait).unwrap_or(0));
        return Ok(Err(wait.max(Duration::from_secs(1))));
    }
    for (key, f) in found {
        tx.set_failures(
            key,
            Failures {
                failures: f.failures + 1,
                last_at: now,
            },
        )
        .await?;
    }
    Ok(Ok(()))
}

/// Counts a sign-in attempt before its password is checked; the account's
/// own allowance is not asked for an address it signed in from before.
pub async fn reserve_sign_in(
    store: &Store,
    keys: &SignInKeys,
) -> Result<std::result::Result<(), Duration>> {
    let now = kith_store::now_micros();
    let mut tx = store.throttle().await?;
    let known = tx
        .known_at(&keys.known)
        .await?
        .is_some_and(|at| now - at < micros(KNOWN_FOR));
    let asked: Vec<(&str, Policy)> = keys
        .all()
        .into_iter()
        .filter(|(k, _)| !(known && *k == keys.account.as_str()))
        .collect();
    let outcome = reserve_in(&mut tx, &asked, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A sign-in that succeeded: its attempt is given back and its address
/// becomes known to the account.
pub async fn signed_in(store: &Store, keys: &SignInKeys) -> Result<()> {
    let mut tx = store.throttle().await?;
    refund_in(&mut tx, &[&keys.pair, &keys.account, &keys.address]).await?;
    tx.set_known(&keys.known, kith_store::now_micros()).await?;
    tx.commit().await?;
    Ok(())
}

/// Counts an attempt against each key under one policy (see
/// [`reserve_sign_in`]).
pub async fn reserve_with(
    store: &Store,
    keys: &[String],
    policy: Policy,
) -> Result<std::result::Result<(), Duration>> {
    let keys: Vec<(&str, Policy)> = keys.iter().map(|k| (k.as_str(), policy)).collect();
    let mut tx = store.throttle().await?;
    let outcome = reserve_in(&mut tx, &keys, kith_store::now_micros()).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Gives back a reserved attempt that succeeded.
pub async fn refund(store: &Store, keys: &[String]) -> Result<()> {
    let mut tx = store.throttle().await?;
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    refund_in(&mut tx, &keys).await?;
    tx.commit().await?;
    Ok(())
}

/// A pair key is cleared, the others lose the one failure reserved.
async fn refund_in(tx: &mut ThrottleTx, keys: &[&str]) -> Result<()> {
    for key in keys {
        if key.starts_with("pair:") {
            tx.clear_failures(key).await?;
        } else if let Some(f) = tx.failures(key).await? {
            tx.set_failures(
                key,
                Failures {
                    failures: (f.failures - 1).max(0),
                    last_at: f.last_at,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Forgets what no longer counts (housekeeping): failures older than
/// [`FORGET_AFTER`], addresses not used for [`KNOWN_FOR`].
pub async fn prune(store: &Store) -> Result<u64> {
    let now = kith_store::now_micros();
    Ok(store
        .prune_throttle(now - micros(FORGET_AFTER), now - micros(KNOWN_FOR))
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_allowance_and_stop_at_the_cap() {
        assert_eq!(wait_after(4, PAIR_POLICY), Duration::ZERO);
        assert_eq!(wait_after(5, PAIR_POLICY), Duration::from_secs(1));
        assert_eq!(wait_after(7, PAIR_POLICY), Duration::from_secs(4));
        assert_eq!(wait_after(60, PAIR_POLICY), PAIR_POLICY.max_wait);
        assert_eq!(wait_after(60, ACCOUNT_POLICY), Duration::from_secs(60));
    }

    #[test]
    fn keys_name_no_address_or_name() {
        let keys = SignInKeys::new("ada", "192.0.2.1".parse().unwrap());
        for k in [&keys.pair, &keys.known, &keys.account, &keys.address] {
            assert!(!k.contains("ada") && !k.contains("192.0.2"), "{k}");
        }
        assert!(keys.pair.starts_with("pair:"));
        assert_ne!(
            keys.pair,
            SignInKeys::new("ada", "192.0.2.2".parse().unwrap()).pair
        );
    }
}
