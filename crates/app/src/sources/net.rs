//! Reaching a source's server: which addresses kith may connect to (no
//! loopback, private or link-local address unless the operator allows them,
//! so that a member cannot use sources to look into the operator's
//! network), and TLS through rustls (ring, with webpki-roots and the
//! system's CA certificates).

use super::SourceError;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How long connecting and each request may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Whether an address is this machine or a private network's.
pub(crate) fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])) // carrier-grade NAT
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
        }
    }
}

/// Where sources may connect.
#[derive(Clone, Copy, Debug)]
pub struct AddressPolicy {
    /// Loopback and private addresses too (`allow_private_addresses` of
    /// `[sources]` or `[federation]`).
    pub allow_private: bool,
    /// The kith.toml section that allows them, named in the refusal.
    pub section: &'static str,
}

impl Default for AddressPolicy {
    fn default() -> Self {
        AddressPolicy {
            allow_private: false,
            section: "sources",
        }
    }
}

impl AddressPolicy {
    /// Refuses an address the policy does not allow.
    pub(crate) fn check(&self, host: &str, ip: IpAddr) -> Result<(), SourceError> {
        if is_private(ip) && !self.allow_private {
            return Err(SourceError::refused(format!(
                "{host} is a private or loopback address ({ip}); this server does not connect to those unless its operator sets `[{}] allow_private_addresses = true` in kith.toml",
                self.section
            )));
        }
        Ok(())
    }

    /// The addresses of `host`, each allowed (DNS is asked once; kith
    /// connects to what it checked).
    pub(crate) async fn resolve(
        &self,
        host: &str,
        port: u16,
    ) -> Result<Vec<SocketAddr>, SourceError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((bare, port)))
                .await
                .map_err(|_| SourceError::network(format!("looking up {host} took too long")))?
                .map_err(|e| SourceError::network(format!("cannot find the server {host}: {e}")))?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(SourceError::network(format!("{host} has no address")));
        }
        for a in &addrs {
            self.check(host, a.ip())?;
        }
        Ok(addrs)
    }
}

/// A TCP connection to `host:port`, its addresses checked by the policy
/// (the first that answers).
pub(crate) async fn connect(
    policy: &AddressPolicy,
    host: &str,
    port: u16,
) -> Result<tokio::net::TcpStream, SourceError> {
    let mut last = String::new();
    for a in policy.resolve(host, port).await? {
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(a)).await {
            Ok(Ok(s)) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Ok(Err(e)) => last = e.to_string(),
            Err(_) => last = "no answer in time".into(),
        }
    }
    Err(SourceError::network(format!(
        "cannot reach {host}:{port}: {last}"
    )))
}

/// The TLS settings every source shares: rustls with ring, trusting the
/// webpki roots and the system's certificates.
pub(crate) fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            // The system's store adds what an operator installed (their own CA).
            let native = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(native.certs);
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default TLS versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// `localhost` or a loopback address: the only places kith reaches without TLS.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_known() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
        assert!(
            is_loopback_host("localhost")
                && is_loopback_host("127.0.0.2")
                && is_loopback_host("[::1]")
        );
        assert!(!is_loopback_host("mail.example.org"));
    }
}
