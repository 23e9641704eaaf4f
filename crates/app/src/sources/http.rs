//! The HTTP client of calendars and address books, on hyper's HTTP/1.1
//! connection: one kept-alive connection per sync (opened again when the
//! origin changes or the server closes it), every address checked by the
//! address policy before connecting (redirects included: at most
//! [`MAX_REDIRECTS`], never from https to http, plain http only to this
//! machine), TLS through rustls, each answer's body read with a cap.

use super::SourceError;
use super::net::{
    AddressPolicy, CONNECT_TIMEOUT, REQUEST_TIMEOUT, connect, is_loopback_host, tls_config,
};
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use url::Url;

const MAX_REDIRECTS: usize = 5;

/// An answer: its status, the headers kith reads, and the body.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) etag: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// One sync's HTTP client.
pub(crate) struct Http {
    policy: AddressPolicy,
    /// `Basic …` for every request, when the source has a login.
    authorization: Option<String>,
    /// The open connection and its origin.
    open: Option<(String, SendRequest<Full<Bytes>>)>,
    /// Every answer as it came (no redirect followed, no status an error):
    /// federation reads the status itself.
    raw: bool,
}

/// The `Host` header of a request to `url` (the port only when not the
/// scheme's own): what a signature over `host` signs.
pub(crate) fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

fn origin(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl Http {
    pub(crate) fn new(policy: AddressPolicy, login: Option<&str>, password: Option<&str>) -> Http {
        let authorization = login.map(|l| {
            let pair = format!("{l}:{}", password.unwrap_or(""));
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        });
        Http {
            policy,
            authorization,
            open: None,
            raw: false,
        }
    }

    /// A client that gives every answer as it came (federation's).
    pub(crate) fn raw(policy: AddressPolicy) -> Http {
        Http {
            policy,
            authorization: None,
            open: None,
            raw: true,
        }
    }

    /// Connects to `url`'s origin (its addresses checked first).
    async fn connect(&self, url: &Url) -> Result<SendRequest<Full<Bytes>>, SourceError> {
        let host = url.host_str().unwrap_or_default().to_string();
        let https = match url.scheme() {
            "https" => true,
            "http" if is_loopback_host(&host) => false,
            "http" => {
                return Err(SourceError::refused(format!(
                    "{host} would be read over plain http: kith reads plain http only from this machine"
                )));
            }
            other => {
                return Err(SourceError::refused(format!(
                    "kith does not read {other}:// URLs"
                )));
            }
        };
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let tcp = connect(&self.policy, &host, port).await?;
        let fail = |e: hyper::Error| SourceError::network(format!("talking to {host}: {e}"));
        if https {
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|_| SourceError::tls(format!("{host} is not a name TLS can check")))?;
            let mut config = (*tls_config()).clone();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
            let tls =
                match tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp)).await {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        return Err(SourceError::tls(format!(
                            "a secure connection to {host} failed: {e}"
                        )));
                    }
                    Err(_) => {
                        return Err(SourceError::network(format!(
                            "{host} did not finish the TLS handshake in time"
                        )));
                    }
                };
            let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
                .await
                .map_err(fail)?;
            tokio::spawn(conn);
            Ok(send)
        } else {
            let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
                .await
                .map_err(fail)?;
            tokio::spawn(conn);
            Ok(send)
        }
    }

    /// Sends a request and reads the answer (at most `cap` bytes of body),
    /// following redirects. `what` says what was asked, in errors.
    pub(crate) async fn send(
        &mut self,
        method: Method,
        url: &Url,
        headers: &[(&str, &str)],
        body: Option<String>,
        cap: usize,
        what: &str,
    ) -> Result<Answer, SourceError> {
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let answer = tokio::time::timeout(
                REQUEST_TIMEOUT,
                self.send_once(method.clone(), &url, headers, body.clone(), cap, what),
            )
            .await
            .map_err(|_| {
                SourceError::network(format!("{what}: the server did not answer in time"))
            })??;
            let (answer, location) = answer;
            let Some(location) = location else {
                return Ok(answer);
            };
            let next = url.join(&location).map_err(|e| {
                SourceError::protocol(format!("{what}: a redirect to {location:?}: {e}"))
            })?;
            if url.scheme() == "https" && next.scheme() != "https" {
                return Err(SourceError::refused(format!(
                    "{what}: the server redirects from https to {next}"
                )));
            }
            url = next;
        }
        Err(SourceError::protocol(format!(
            "{what}: more than {MAX_REDIRECTS} redirects"
        )))
    }

    /// One request on the open connection (or a new one): the answer, or
    /// where a redirect points.
    async fn send_once(
        &mut self,
        method: Method,
        url: &Url,
        headers: &[(&str, &str)],
        body: Option<String>,
        cap: usize,
        what: &str,
    ) -> Result<(Answer, Option<String>), SourceError> {
        let key = origin(url);
        let reusable = matches!(&self.open, Some((o, s)) if *o == key && !s.is_closed());
        if !reusable {
            self.open = Some((key.clone(), self.connect(url).await?));
        }
        let Some((_, sender)) = self.open.as_mut() else {
            unreachable!("a connection was just opened")
        };
        let host = url.host_str().unwrap_or_default();
        let host_header = host_header(url);
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("Host", host_header)
            .header("User-Agent", concat!("kith/", env!("CARGO_PKG_VERSION")));
        if let Some(auth) = &self.authorization {
            request = request.header("Authorization", auth);
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let has_body = body.is_some();
        if has_body
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            request = request.header("Content-Type", "application/xml; charset=utf-8");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| SourceError::protocol(format!("{what}: {e}")))?;
        sender
            .ready()
            .await
            .map_err(|e| SourceError::network(format!("{what}: {e}")))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| SourceError::network(format!("{what}: {e}")))?;
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header("etag");
        let location = header("location");
        let declared = header("content-length").and_then(|l| l.parse::<u64>().ok());
        if declared.is_some_and(|n| n > cap as u64) {
            self.open = None;
            return Err(SourceError::protocol(format!(
                "{what}: the answer is larger than kith reads ({} MiB)",
                cap >> 20
            )));
        }
        let mut incoming = response.into_body();
        let mut body = Vec::new();
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(|e| {
                SourceError::network(format!("{what}: the answer was cut off: {e}"))
            })?;
            if let Some(data) = frame.data_ref() {
                if body.len() + data.len() > cap {
                    self.open = None;
                    return Err(SourceError::protocol(format!(
                        "{what}: the answer is larger than kith reads ({} MiB)",
                        cap >> 20
                    )));
                }
                body.extend_from_slice(data);
            }
        }
        if self.raw {
            return Ok((Answer { status, etag, body }, None));
        }
        if status.is_redirection()
            && status != StatusCode::NOT_MODIFIED
            && let Some(location) = location
        {
            return Ok((Answer { status, etag, body }, Some(location)));
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(SourceError::auth(format!(
                "{what}: {host} refused the login ({status}); check the login and the (app) password"
            )));
        }
        if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
            return Err(SourceError::protocol(format!(
                "{what}: the server answered {status} for {url}"
            )));
        }
        Ok((Answer { status, etag, body }, None))
    }
}
