//! Members' signing keys: making one (RSA 2048, what Mastodon and its
//! peers verify), signing with it (ring) and checking a peer's signature
//! with the public key its actor document gives (PEM).

use ring::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey,
};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::rand_core::{TryCryptoRng, TryRng};

/// The size of the keys kith makes.
const BITS: usize = 2048;

/// The operating system's random numbers, for key generation.
struct OsRandom;

impl TryRng for OsRandom {
    type Error = std::io::Error;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        getrandom::u32().map_err(|e| std::io::Error::other(e.to_string()))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        getrandom::u64().map_err(|e| std::io::Error::other(e.to_string()))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::fill(dst).map_err(|e| std::io::Error::other(e.to_string()))
    }
}

impl TryCryptoRng for OsRandom {}

/// A new key: its private half as PKCS#8 DER and its public half as PEM.
pub(crate) fn generate() -> Result<(Vec<u8>, String), String> {
    let key =
        rsa::PrivateKey::new(&mut OsRandom, BITS).map_err(|e| format!("making a key: {e}"))?;
    let pkcs8 = key
        .to_pkcs8_der()
        .map_err(|e| format!("encoding a key: {e}"))?
        .as_bytes()
        .to_vec();
    let pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| format!("encoding a key: {e}"))?;
    Ok((pkcs8, pem))
}

/// A key ready to sign (parsing PKCS#8 costs more than a signature, so
/// callers keep it).
pub(crate) struct Signer(RsaKeyPair);

impl Signer {
    pub(crate) fn new(pkcs8: &[u8]) -> Result<Signer, String> {
        RsaKeyPair::from_pkcs8(pkcs8)
            .map(Signer)
            .map_err(|e| format!("a stored key cannot be read: {e}"))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut out = vec![0; self.0.public().modulus_len()];
        let rng = ring::rand::SystemRandom::new();
        self.0
            .sign(&RSA_PKCS1_SHA256, &rng, message, &mut out)
            .expect("a signature fits the modulus' length");
        out
    }
}

/// The PKCS#1 DER ring verifies with, from a public key in PEM (SPKI
/// `PUBLIC KEY`, or PKCS#1 `RSA PUBLIC KEY` as some servers write).
pub(crate) fn public_der(pem: &str) -> Result<Vec<u8>, String> {
    let key = match rsa::PublicKey::from_public_key_pem(pem.trim()) {
        Ok(k) => k,
        Err(_) => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            rsa::PublicKey::from_pkcs1_pem(pem.trim())
                .map_err(|e| format!("the public key is not an RSA key in PEM: {e}"))?
        }
    };
    Ok(key
        .to_pkcs1_der()
        .map_err(|e| format!("the public key cannot be encoded: {e}"))?
        .as_bytes()
        .to_vec())
}

/// Whether `signature` is `message` signed by the key (PKCS#1 DER).
pub(crate) fn verify(public_der: &[u8], message: &[u8], signature: &[u8]) -> bool {
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_der)
        .verify(message, signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_its_key_only() {
        let (pkcs8, pem) = generate().unwrap();
        let (_, other_pem) = generate().unwrap();
        let signer = Signer::new(&pkcs8).unwrap();
        let sig = signer.sign(b"hello");
        let der = public_der(&pem).unwrap();
        assert!(verify(&der, b"hello", &sig));
        assert!(!verify(&der, b"hellO", &sig));
        assert!(!verify(&public_der(&other_pem).unwrap(), b"hello", &sig));
        assert!(public_der("not a key").is_err());
    }
}
