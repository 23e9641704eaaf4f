//! Sign-in throttling: failures counted per (account, address) pair, per
//! account and per address, each with its own allowance and a doubling
//! wait once it is spent. No I/O: `auth` asks it before hashing anything.
//!
//! Why three keys: the pair stops one address guessing one account's
//! password; the address stops one address spraying many names; the account
//! stops many addresses guessing one account. The account's wait is capped
//! at a minute, and does not apply at all to an address the account signed
//! in from before: a stranger guessing from elsewhere cannot lock the owner
//! out; made-up names only ever cost their guesser.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

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
const FORGET_AFTER: Duration = Duration::from_secs(30 * 60);
/// Keys remembered at most (each a few dozen bytes); past it the stalest go.
const MAX_KEYS: usize = 100_000;
/// How long an address an account signed in from stays known to it.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

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
        // Names are short (the form refuses more than a few hundred bytes);
        // cut anyway so a key's size never depends on the request.
        let name: String = name.chars().take(128).collect();
        SignInKeys {
            pair: format!("pair:{address}:{name}"),
            known: format!("{address}:{name}"),
            account: format!("name:{name}"),
            address: format!("addr:{address}"),
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

#[derive(Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
}

/// Recent failures by key.
#[derive(Default)]
pub struct Throttle {
    entries: HashMap<String, Entry>,
    /// (address, account) pairs that signed in, and when last.
    known: HashMap<String, Instant>,
}

fn wait_after(failures: u32, policy: Policy) -> Duration {
    if failures < policy.free {
        return Duration::ZERO;
    }
    let doublings = (failures - policy.free).min(20);
    Duration::from_secs(1u64 << doublings).min(policy.max_wait)
}

impl Throttle {
    /// Counts a sign-in attempt before its password is checked (see
    /// [`Throttle::reserve`]); the account's own allowance is not asked for
    /// an address it signed in from before.
    pub fn reserve_sign_in(&mut self, keys: &SignInKeys) -> Result<(), Duration> {
        let known = self
            .known
            .get(&keys.known)
            .is_some_and(|at| at.elapsed() < KNOWN_FOR);
        let all = keys.all();
        let asked: Vec<(&str, Policy)> = all
            .into_iter()
            .filter(|(k, _)| !(known && *k == keys.account.as_str()))
            .collect();
        self.reserve(&asked)
    }

    /// A sign-in that succeeded: its attempt is given back and its address
    /// becomes known to the account.
    pub fn signed_in(&mut self, keys: &SignInKeys) {
        self.refund(&[&keys.pair, &keys.account, &keys.address]);
        let now = Instant::now();
        if self.known.len() >= MAX_KEYS {
            self.known
                .retain(|_, at| now.duration_since(*at) < KNOWN_FOR);
        }
        if self.known.len() >= MAX_KEYS
            && let Some(stalest) = self
                .known
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(k, _)| k.clone())
        {
            self.known.remove(&stalest);
        }
        self.known.insert(keys.known.clone(), now);
    }

    /// Counts an attempt against every key before it is made, or says how
    /// long to wait when one of them is still waiting. A successful attempt
    /// gives its count back with [`Throttle::refund`].
    pub fn reserve(&mut self, keys: &[(&str, Policy)]) -> Result<(), Duration> {
        let now = Instant::now();
        let wait = keys
            .iter()
            .filter_map(|(key, policy)| {
                let e = self.entries.get(*key)?;
                let due = e.last + wait_after(e.failures, *policy);
                (due > now).then(|| due - now)
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait.max(Duration::from_secs(1)));
        }
        for (key, _) in keys {
            self.count(key, now);
        }
        Ok(())
    }

    /// [`Throttle::reserve`] with one policy for every key.
    pub fn reserve_with(&mut self, keys: &[String], policy: Policy) -> Result<(), Duration> {
        let keys: Vec<(&str, Policy)> = keys.iter().map(|k| (k.as_str(), policy)).collect();
        self.reserve(&keys)
    }

    /// Gives back a reserved attempt that succeeded: a pair key is cleared,
    /// the others lose the one failure reserved.
    pub fn refund<K: AsRef<str>>(&mut self, keys: &[K]) {
        for key in keys {
            let key = key.as_ref();
            if key.starts_with("pair:") {
                self.entries.remove(key);
            } else if let Some(e) = self.entries.get_mut(key) {
                e.failures = e.failures.saturating_sub(1);
            }
        }
    }

    fn count(&mut self, key: &str, now: Instant) {
        if let Some(e) = self.entries.get_mut(key) {
            if now.duration_since(e.last) > FORGET_AFTER {
                e.failures = 0;
            }
            e.failures += 1;
            e.last = now;
            return;
        }
        if self.entries.len() >= MAX_KEYS {
            self.entries
                .retain(|_, e| now.duration_since(e.last) <= FORGET_AFTER);
        }
        if self.entries.len() >= MAX_KEYS {
            // Still full of fresh keys (a flood of made-up names or
            // addresses): the stalest goes.
            if let Some(stalest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&stalest);
            }
        }
        self.entries.insert(
            key.to_string(),
            Entry {
                failures: 1,
                last: now,
            },
        );
    }
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
    fn a_reserved_attempt_counts_until_refunded() {
        let mut t = Throttle::default();
        let keys = SignInKeys::new("ada", "192.0.2.1".parse().unwrap());
        for _ in 0..5 {
            assert!(t.reserve_sign_in(&keys).is_ok());
        }
        // Five in flight at once: the sixth waits, before any finished.
        assert!(t.reserve_sign_in(&keys).is_err());
        t.signed_in(&keys);
        assert!(t.reserve_sign_in(&keys).is_ok());
    }

    #[test]
    fn strangers_do_not_lock_the_owner_out_of_a_known_address() {
        let mut t = Throttle::default();
        let home = SignInKeys::new("ada", "192.0.2.1".parse().unwrap());
        assert!(t.reserve_sign_in(&home).is_ok());
        t.signed_in(&home);
        // 100 guesses from 100 addresses spend the account's allowance...
        for i in 0..100u8 {
            let stranger = SignInKeys::new("ada", format!("198.51.100.{i}").parse().unwrap());
            let _ = t.reserve_sign_in(&stranger);
        }
        let fresh = SignInKeys::new("ada", "203.0.113.9".parse().unwrap());
        assert!(t.reserve_sign_in(&fresh).is_err(), "a new address waits");
        // ...but the owner's own address is not asked for it.
        assert!(t.reserve_sign_in(&home).is_ok());
    }
}
