//! The server's key for sources' passwords: a password is sealed with it
//! (ChaCha20-Poly1305, through ring, bound to its source's id) before it is
//! stored, and opened only to sign in to that source. The key comes from
//! kith.toml or the environment (every server of one database needs the
//! same), else, for one server on SQLite, from a file in the data directory
//! that kith writes on first use.

use crate::{AppError, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::path::PathBuf;
use uuid::Uuid;

/// What a sealed password starts with (the scheme, should it ever change).
const PREFIX: &str = "v1:";

/// Where the key comes from.
#[derive(Clone, Debug, Default)]
pub enum KeySource {
    /// Given in kith.toml (`[sources] key`) or `KITH_SOURCES_KEY`.
    Given(String),
    /// This file, written with a fresh key on first use.
    File(PathBuf),
    /// None: sources with passwords cannot be added (why, and what to do).
    #[default]
    Missing,
}

/// A key read from base64 (32 bytes).
fn parse_key(text: &str, whence: &str) -> Result<[u8; 32]> {
    let bytes = B64.decode(text.trim()).map_err(|_| {
        AppError::Invalid(format!(
            "{whence}: the sources key is not base64 (make one with `head -c 32 /dev/urandom | base64`)"
        ))
    })?;
    bytes.try_into().map_err(|_| {
        AppError::Invalid(format!(
            "{whence}: the sources key must be 32 bytes (make one with `head -c 32 /dev/urandom | base64`)"
        ))
    })
}

impl KeySource {
    /// The key, written to its file first if it is a file not yet made.
    fn key(&self, create: bool) -> Result<[u8; 32]> {
        match self {
            KeySource::Given(text) => parse_key(text, "KITH_SOURCES_KEY / [sources] key"),
            KeySource::File(path) => {
                let shown = path.display().to_string();
                match std::fs::read_to_string(path) {
                    Ok(text) => parse_key(&text, &shown),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                        let mut key = [0u8; 32];
                        getrandom::fill(&mut key).map_err(|e| {
                            AppError::Invalid(format!("cannot make a sources key: {e}"))
                        })?;
                        write_private(path, &B64.encode(key)).map_err(|e| AppError::File {
                            path: shown,
                            message: format!("cannot write the sources key: {e}"),
                        })?;
                        Ok(key)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AppError::Invalid(format!(
                        "the sources key ({shown}) is gone, so the saved passwords cannot be read: enter each source's password again"
                    ))),
                    Err(e) => Err(AppError::File {
                        path: shown,
                        message: format!("cannot read the sources key: {e}"),
                    }),
                }
            }
            KeySource::Missing => Err(AppError::Invalid(
                "this server has no key to keep sources' passwords with: set the same `[sources] key` in every server's kith.toml (or KITH_SOURCES_KEY), made with `head -c 32 /dev/urandom | base64`".into(),
            )),
        }
    }

    /// Seals a source's password.
    pub fn seal(&self, source: Uuid, password: &str) -> Result<String> {
        let key = sealing_key(&self.key(true)?);
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| AppError::Invalid(format!("cannot seal the password: {e}")))?;
        let mut data = password.as_bytes().to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(source.as_bytes()),
            &mut data,
        )
        .map_err(|_| AppError::Invalid("cannot seal the password".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(format!("{PREFIX}{}", B64.encode(out)))
    }

    /// Opens a source's sealed password.
    pub fn open(&self, source: Uuid, sealed: &str) -> Result<String> {
        let unreadable = || {
            AppError::Invalid(
                "the saved password cannot be read with this server's sources key (was the key changed, or the database moved?): enter the password again".into(),
            )
        };
        let key = sealing_key(&self.key(false)?);
        let raw = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .ok_or_else(unreadable)?;
        if raw.len() < NONCE_LEN {
            return Err(unreadable());
        }
        let (nonce, data) = raw.split_at(NONCE_LEN);
        let mut data = data.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unreadable())?;
        let plain = key
            .open_in_place(nonce, Aad::from(source.as_bytes()), &mut data)
            .map_err(|_| unreadable())?;
        String::from_utf8(plain.to_vec()).map_err(|_| unreadable())
    }
}

fn sealing_key(key: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, key).expect("a 32-byte key"))
}

/// Writes a file only its owner may read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_password_opens_only_for_its_source_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeySource::File(dir.path().join("sources.key"));
        let id = Uuid::now_v7();
        let sealed = keys.seal(id, "app password").unwrap();
        assert!(!sealed.contains("app password"));
        assert_eq!(keys.open(id, &sealed).unwrap(), "app password");
        assert!(keys.open(Uuid::now_v7(), &sealed).is_err());
        let other = KeySource::Given(B64.encode([7u8; 32]));
        assert!(other.open(id, &sealed).is_err());
        assert!(KeySource::Given("short".into()).seal(id, "x").is_err());
        assert!(KeySource::Missing.seal(id, "x").is_err());
    }
}
