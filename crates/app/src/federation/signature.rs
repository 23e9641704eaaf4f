//! HTTP signatures as the fediverse uses them (draft-cavage-12 with
//! `rsa-sha256`, also read as `hs2019`): the headers kith signs on what it
//! sends, reading and checking the `Signature` of what it receives, and
//! the `Digest` of a body.

use super::keys::{self, Signer};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest as _, Sha256};
use std::time::{Duration, SystemTime};

/// How far a request's `Date` may be from now (either way), as Mastodon
/// allows: an older request is a replay.
pub(crate) const CLOCK_WINDOW: Duration = Duration::from_secs(60 * 60);

/// The longest `Signature` header kith reads.
const MAX_HEADER: usize = 8 * 1024;

/// `SHA-256=<base64>` of a body.
pub(crate) fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", B64.encode(Sha256::digest(body)))
}

/// Whether a `Digest` header (a comma list; algorithm names in any case)
/// holds the body's SHA-256.
pub(crate) fn digest_matches(header: &str, body: &[u8]) -> bool {
    let want = B64.encode(Sha256::digest(body));
    header.split(',').any(|part| {
        part.trim()
            .split_once('=')
            .is_some_and(|(alg, value)| alg.eq_ignore_ascii_case("sha-256") && value == want)
    })
}

/// The headers to add to a request: `Date`, `Digest` (with a body) and
/// `Signature`, signed over `(request-target) host date [digest]`.
pub(crate) fn sign(
    signer: &Signer,
    key_id: &str,
    method: &str,
    path_and_query: &str,
    host: &str,
    body: Option<&[u8]>,
) -> Vec<(&'static str, String)> {
    sign_at(
        signer,
        key_id,
        method,
        path_and_query,
        host,
        body,
        SystemTime::now(),
    )
}

/// [`sign`], dated `when`.
pub(crate) fn sign_at(
    signer: &Signer,
    key_id: &str,
    method: &str,
    path_and_query: &str,
    host: &str,
    body: Option<&[u8]>,
    when: SystemTime,
) -> Vec<(&'static str, String)> {
    let date = httpdate::fmt_http_date(when);
    let mut lines = vec![
        format!(
            "(request-target): {} {path_and_query}",
            method.to_ascii_lowercase()
        ),
        format!("host: {host}"),
        format!("date: {date}"),
    ];
    let mut names = "(request-target) host date".to_string();
    let mut out = vec![("Date", date)];
    if let Some(body) = body {
        let d = digest(body);
        lines.push(format!("digest: {d}"));
        names.push_str(" digest");
        out.push(("Digest", d));
    }
    let signature = B64.encode(signer.sign(lines.join("\n").as_bytes()));
    out.push((
        "Signature",
        format!(
            "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{signature}\""
        ),
    ));
    out
}

/// A received `Signature` header, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Signature {
    pub(crate) key_id: String,
    /// The signed headers, in order, lower case.
    pub(crate) headers: Vec<String>,
    pub(crate) signature: Vec<u8>,
}

/// Reads a `Signature` header (parameters in any order).
pub(crate) fn parse(header: &str) -> Result<Signature, String> {
    if header.len() > MAX_HEADER {
        return Err("the Signature header is too long".into());
    }
    let (mut key_id, mut headers, mut signature, mut algorithm) = (None, None, None, None);
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or("the Signature header is not a list of name=\"value\"")?;
        let after = after
            .strip_prefix('"')
            .ok_or("the Signature header's values must be quoted")?;
        let (value, after) = after
            .split_once('"')
            .ok_or("the Signature header has an unclosed quote")?;
        match name.trim().to_ascii_lowercase().as_str() {
            "keyid" => key_id = Some(value.to_string()),
            "headers" => headers = Some(value.to_string()),
            "signature" => signature = Some(value.to_string()),
            "algorithm" => algorithm = Some(value.to_ascii_lowercase()),
            _ => {}
        }
        rest = after.trim_start().trim_start_matches(',').trim_start();
    }
    if let Some(a) = algorithm
        && a != "rsa-sha256"
        && a != "hs2019"
    {
        return Err(format!("signature algorithm {a:?}: kith checks rsa-sha256"));
    }
    let key_id = key_id.ok_or("the Signature header has no keyId")?;
    let signature = B64
        .decode(signature.ok_or("the Signature header has no signature")?)
        .map_err(|_| "the signature is not base64")?;
    let headers = headers
        .unwrap_or_else(|| "date".into())
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    Ok(Signature {
        key_id,
        headers,
        signature,
    })
}

/// What a received request offers to be checked.
pub(crate) struct Received<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    /// A header's value by lower-case name.
    pub(crate) header: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

impl Signature {
    /// Checks the rules every signed request must keep: `(request-target)`,
    /// `host` and `date` signed (and `digest` for a body), the date within
    /// [`CLOCK_WINDOW`] of now.
    pub(crate) fn check_rules(&self, r: &Received, with_body: bool) -> Result<(), String> {
        for need in ["(request-target)", "host", "date"] {
            if !self.headers.iter().any(|h| h == need) {
                return Err(format!("the signature does not cover {need}"));
            }
        }
        if with_body && !self.headers.iter().any(|h| h == "digest") {
            return Err("the signature does not cover the body's digest".into());
        }
        let date = (r.header)("date").ok_or("the request has no Date")?;
        let when = httpdate::parse_http_date(&date).map_err(|_| "the Date cannot be read")?;
        let now = SystemTime::now();
        let off = now
            .duration_since(when)
            .or_else(|_| when.duration_since(now))
            .unwrap_or_default();
        if off > CLOCK_WINDOW {
            return Err(format!(
                "the request is dated {date}, too far from now: an old request is not accepted again"
            ));
        }
        Ok(())
    }

    /// Whether the signature holds for the request with this public key
    /// (PKCS#1 DER). `(request-target)` is tried with the query and, as
    /// Mastodon signs it, without.
    pub(crate) fn verify(&self, r: &Received, public_der: &[u8]) -> bool {
        let targets: Vec<String> = match r.query {
            Some(q) if !q.is_empty() => vec![format!("{}?{q}", r.path), r.path.to_string()],
            _ => vec![r.path.to_string()],
        };
        targets.iter().any(|target| {
            let mut lines = Vec::with_capacity(self.headers.len());
            for h in &self.headers {
                match h.as_str() {
                    "(request-target)" => lines.push(format!(
                        "(request-target): {} {target}",
                        r.method.to_ascii_lowercase()
                    )),
                    name => match (r.header)(name) {
                        Some(v) => lines.push(format!("{name}: {}", v.trim())),
                        None => return false,
                    },
                }
            }
            keys::verify(public_der, lines.join("\n").as_bytes(), &self.signature)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_signed_request_verifies_and_a_changed_one_does_not() {
        let (pkcs8, pem) = keys::generate().unwrap();
        let signer = Signer::new(&pkcs8).unwrap();
        let body = br#"{"type":"Follow"}"#;
        let signed = sign(
            &signer,
            "http://a/fed/ada#key-1",
            "POST",
            "/fed/bob/inbox",
            "127.0.0.3:7000",
            Some(body),
        );
        let mut h: HashMap<String, String> = signed
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        h.insert("host".into(), "127.0.0.3:7000".into());
        let sig = parse(&h["signature"]).unwrap();
        assert_eq!(sig.key_id, "http://a/fed/ada#key-1");
        let der = keys::public_der(&pem).unwrap();
        let lookup = |n: &str| h.get(n).cloned();
        let r = Received {
            method: "POST",
            path: "/fed/bob/inbox",
            query: None,
            header: &lookup,
        };
        assert!(sig.check_rules(&r, true).is_ok());
        assert!(sig.verify(&r, &der));
        assert!(digest_matches(&h["digest"], body));
        assert!(!digest_matches(&h["digest"], b"{}"));
        assert!(digest_matches(
            &h["digest"].replace("SHA-256", "sha-256"),
            body
        ));
        let elsewhere = Received {
            path: "/fed/eve/inbox",
            ..r
        };
        assert!(!sig.verify(&elsewhere, &der));
        let mut old = h.clone();
        old.insert("date".into(), "Sun, 06 Nov 1994 08:49:37 GMT".into());
        let lookup_old = |n: &str| old.get(n).cloned();
        let r_old = Received {
            method: "POST",
            path: "/fed/bob/inbox",
            query: None,
            header: &lookup_old,
        };
        assert!(
            sig.check_rules(&r_old, true)
                .unwrap_err()
                .contains("too far")
        );
        assert!(!sig.verify(&r_old, &der));
    }

    #[test]
    fn signature_headers_are_read_in_any_order_and_bad_ones_refused() {
        let s =
            parse(r#"signature="AAAA",headers="(request-target) host date",keyId="k""#).unwrap();
        assert_eq!(s.key_id, "k");
        assert_eq!(s.headers, ["(request-target)", "host", "date"]);
        assert!(parse(r#"keyId="k",algorithm="hmac-sha256",signature="AAAA""#).is_err());
        assert!(parse(r#"keyId="k""#).is_err());
        assert!(parse(r#"keyId=k"#).is_err());
        assert!(parse(&"x".repeat(10_000)).is_err());
    }
}
