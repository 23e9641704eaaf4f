//! A mailbox read over IMAP: the headers kith reads of each message in the
//! chosen folders (INBOX and the `\Sent` special-use folder by default),
//! fetched with `BODY.PEEK[HEADER.FIELDS (…)]` from a read-only EXAMINE —
//! never a body, never a flag changed — and captured as a mailbox file is
//! (`import::mail::MailCapture`: the same rules, once per Message-ID).
//! Each folder's UIDVALIDITY and last UID are the cursor: later syncs ask
//! only for what is newer, a folder whose UIDNEXT has not moved costs one
//! EXAMINE, and a changed UIDVALIDITY reads the folder again (Message-IDs
//! keep it from counting twice). CONDSTORE is not needed: kith reads only
//! new messages, never flag changes.

use super::net::{CONNECT_TIMEOUT, REQUEST_TIMEOUT, connect, is_loopback_host, tls_config};
use super::{SourceError, SyncContext, SyncReport, SyncResult};
use crate::App;
use crate::import::ImportReport;
use crate::import::mail::MailCapture;
use async_imap::types::NameAttribute;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// UIDs asked for in one FETCH.
const FETCH_CHUNK: usize = 1000;
/// New messages one sync reads at most (about 150 bytes each are kept
/// until they are written); a larger first sync goes on in the next.
const MAX_PER_SYNC: usize = 200_000;
/// Bytes the greeting, the login, an EXAMINE or the logout may bring (a
/// few hundred, normally): an answer that never ends is cut off early.
const SMALL_BUDGET: i64 = 1024 * 1024;
/// Bytes the folder list may bring.
const LIST_BUDGET: i64 = 4 * 1024 * 1024;
/// Bytes a SEARCH answer may bring (a million UIDs or so).
const SEARCH_BUDGET: i64 = 16 * 1024 * 1024;
/// FETCH answers read ahead of the writing (memory stays flat).
const FETCHED_AHEAD: usize = 4;
/// Bytes one command's answer may bring (a header block is a few KB; a
/// server sending more is cut off before kith's memory grows with it).
const ANSWER_BUDGET: i64 = 64 * 1024 * 1024;
/// Folders read when the source names none, besides INBOX, when the
/// server marks no folder `\Sent`.
const SENT_NAMES: [&str; 5] = [
    "Sent",
    "Sent Items",
    "Sent Messages",
    "[Gmail]/Sent Mail",
    "INBOX.Sent",
];

/// Where each folder's last sync stopped.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Cursor {
    #[serde(default)]
    folders: BTreeMap<String, FolderCursor>,
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
struct FolderCursor {
    validity: u32,
    /// The highest UID read.
    last_uid: u32,
}

/// The connection: TCP, or TLS over it.
#[derive(Debug)]
enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

/// The connection, counting what the server sends against a budget that
/// each command resets: a reader error once it is spent.
#[derive(Debug)]
struct Wire {
    conn: Conn,
    budget: Arc<AtomicI64>,
}

impl AsyncRead for Wire {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.budget.load(Ordering::Relaxed) < 0 {
            return Poll::Ready(Err(std::io::Error::other(
                "the server sent more than kith reads for one command",
            )));
        }
        let before = buf.filled().len();
        let this = &mut *self;
        let poll = match &mut this.conn {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        };
        let read = (buf.filled().len() - before) as i64;
        this.budget.fetch_sub(read, Ordering::Relaxed);
        poll
    }
}

impl AsyncWrite for Wire {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match &mut self.conn {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, data),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, data),
        }
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match &mut self.conn {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match &mut self.conn {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

type Session = async_imap::Session<Wire>;

/// An IMAP error in words.
fn imap_error(what: &str, e: async_imap::error::Error) -> SourceError {
    match e {
        async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => {
            SourceError::protocol(format!("{what}: the server said {}", m.trim()))
        }
        async_imap::error::Error::Io(io) => {
            SourceError::network(format!("{what}: the connection failed ({io})"))
        }
        async_imap::error::Error::ConnectionLost => {
            SourceError::network(format!("{what}: the server closed the connection"))
        }
        other => SourceError::protocol(format!("{what}: {other}")),
    }
}

/// Runs an IMAP step with the request timeout.
async fn timed<T>(
    what: &str,
    f: impl Future<Output = async_imap::error::Result<T>>,
) -> Result<T, SourceError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, f).await {
        Ok(r) => r.map_err(|e| imap_error(what, e)),
        Err(_) => Err(SourceError::network(format!(
            "{what}: the server did not answer in time"
        ))),
    }
}

/// Connects, secures (imaps: TLS at once; imap: STARTTLS when offered,
/// plain text only to this machine) and signs in.
async fn sign_in(ctx: &SyncContext<'_>, budget: &Arc<AtomicI64>) -> Result<Session, SourceError> {
    let url = url::Url::parse(&ctx.row.url)
        .map_err(|e| SourceError::protocol(format!("the source's URL cannot be read: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_string();
    let implicit_tls = url.scheme() == "imaps";
    let port = url.port().unwrap_or(if implicit_tls { 993 } else { 143 });
    let tcp = connect(&ctx.policy, &host, port).await?;
    let tls = |tcp: TcpStream| {
        let host = host.clone();
        async move {
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|_| SourceError::tls(format!("{host} is not a name TLS can check")))?;
            let connector = tokio_rustls::TlsConnector::from(tls_config());
            match tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp)).await {
                Ok(Ok(s)) => Ok(Conn::Tls(Box::new(s))),
                Ok(Err(e)) => Err(SourceError::tls(format!(
                    "a secure connection to {host} failed: {e}"
                ))),
                Err(_) => Err(SourceError::network(format!(
                    "{host} did not finish the TLS handshake in time"
                ))),
            }
        }
    };
    let wire = |conn| Wire {
        conn,
        budget: budget.clone(),
    };
    budget.store(SMALL_BUDGET, Ordering::Relaxed);
    let mut client = if implicit_tls {
        async_imap::Client::new(wire(tls(tcp).await?))
    } else {
        async_imap::Client::new(wire(Conn::Plain(tcp)))
    };
    greeting(&mut client).await?;
    if !implicit_tls {
        // A server without STARTTLS answers BAD or NO.
        match timed(
            "starting TLS",
            client.run_command_and_check_ok("STARTTLS", None),
        )
        .await
        {
            Ok(()) => {
                let Wire { conn, .. } = client.into_inner();
                let Conn::Plain(tcp) = conn else {
                    unreachable!("a plain connection before STARTTLS")
                };
                client = async_imap::Client::new(wire(tls(tcp).await?));
            }
            Err(_) if is_loopback_host(&host) => {} // plain text on this machine only
            Err(_) => {
                return Err(SourceError::refused(format!(
                    "{host} offers no STARTTLS: kith would send the password in clear text; use imaps://{host}"
                )));
            }
        }
    }
    let login = ctx.row.login.clone().unwrap_or_default();
    let password = ctx.password.clone().unwrap_or_default();
    match tokio::time::timeout(REQUEST_TIMEOUT, client.login(&login, &password)).await {
        Ok(Ok(session)) => Ok(session),
        Ok(Err((async_imap::error::Error::No(m), _))) => Err(SourceError::auth(format!(
            "{host} refused the login {login:?}: {} (check the password; most providers need an app password, see docs/sources.md)",
            m.trim()
        ))),
        Ok(Err((e, _))) => Err(imap_error("signing in", e)),
        Err(_) => Err(SourceError::network(format!(
            "{host} did not answer the login in time"
        ))),
    }
}

/// Reads the server's greeting.
async fn greeting(client: &mut async_imap::Client<Wire>) -> Result<(), SourceError> {
    match tokio::time::timeout(CONNECT_TIMEOUT, client.read_response()).await {
        Ok(Ok(Some(_))) => Ok(()),
        Ok(Ok(None)) => Err(SourceError::network(
            "the server closed the connection at once",
        )),
        Ok(Err(e)) => Err(SourceError::network(format!("the server's greeting: {e}"))),
        Err(_) => Err(SourceError::network("the server sent no greeting in time")),
    }
}

/// The folders to read: those chosen, else INBOX and the `\Sent` folder.
async fn folders(
    session: &mut Session,
    ctx: &SyncContext<'_>,
    cursor: &Cursor,
) -> Result<Vec<String>, SourceError> {
    if !ctx.options.folders.is_empty() {
        return Ok(ctx.options.folders.clone());
    }
    if !cursor.folders.is_empty() {
        return Ok(cursor.folders.keys().cloned().collect());
    }
    let names: Vec<(String, bool)> = timed("listing the folders", async {
        let mut stream = session.list(Some(""), Some("*")).await?;
        let mut out = Vec::new();
        while let Some(n) = stream.next().await {
            let n = n?;
            let sent = n
                .attributes()
                .iter()
                .any(|a| matches!(a, NameAttribute::Sent));
            out.push((n.name().to_string(), sent));
            if out.len() > 10_000 {
                break;
            }
        }
        Ok(out)
    })
    .await?;
    let mut chosen = vec!["INBOX".to_string()];
    let sent = names
        .iter()
        .find(|(_, sent)| *sent)
        .map(|(n, _)| n.clone())
        .or_else(|| {
            SENT_NAMES
                .iter()
                .find_map(|want| names.iter().find(|(n, _)| n.eq_ignore_ascii_case(want)))
                .map(|(n, _)| n.clone())
        });
    chosen.extend(sent);
    Ok(chosen)
}

/// An IMAP set of UIDs (`3:7,9,12:13`).
fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// One FETCH's header blocks (folder's index in the work, UID, bytes), or
/// why fetching stopped.
type Fetched = Result<(usize, Vec<(u32, Vec<u8>)>), SourceError>;

/// Fetches the header fields kith reads of each folder's new UIDs, chunk
/// by chunk, into `send`; logs out at the end.
async fn fetch_headers(
    mut session: Session,
    work: Vec<(String, Vec<u32>)>,
    budget: Arc<AtomicI64>,
    send: tokio::sync::mpsc::Sender<Fetched>,
) -> Result<(), SourceError> {
    let query = format!(
        "(UID BODY.PEEK[HEADER.FIELDS ({})])",
        kith_formats::mail::READ_HEADERS
            .iter()
            .map(|h| String::from_utf8_lossy(h).to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let result: Result<(), SourceError> = async {
        for (index, (folder, uids)) in work.iter().enumerate() {
            budget.store(SMALL_BUDGET, Ordering::Relaxed);
            timed(
                &format!("opening the folder {folder:?}"),
                session.examine(folder),
            )
            .await?;
            for chunk in uids.chunks(FETCH_CHUNK) {
                budget.store(ANSWER_BUDGET, Ordering::Relaxed);
                let what = format!("reading the messages of {folder:?}");
                let fetched: Vec<(u32, Vec<u8>)> = timed(&what, async {
                    let mut stream = session.uid_fetch(uid_set(chunk), &query).await?;
                    let mut out = Vec::with_capacity(chunk.len());
                    while let Some(f) = stream.next().await {
                        let f = f?;
                        if let (Some(uid), Some(header)) = (f.uid, f.header()) {
                            out.push((uid, header.to_vec()));
                        }
                    }
                    Ok(out)
                })
                .await?;
                if send.send(Ok((index, fetched))).await.is_err() {
                    return Ok(()); // the sync stopped
                }
            }
        }
        Ok(())
    }
    .await;
    let _ = tokio::time::timeout(CONNECT_TIMEOUT, session.logout()).await;
    if let Err(e) = &result {
        let _ = send.send(Err(e.clone())).await;
    }
    result
}

impl App {
    pub(crate) async fn sync_imap(&self, ctx: &SyncContext<'_>) -> SyncResult<SyncReport> {
        let mine = self.source_owner(ctx).await?;
        let started = std::time::Instant::now();
        let mut cursor: Cursor = serde_json::from_str(&ctx.row.cursor).unwrap_or_default();
        let budget = Arc::new(AtomicI64::new(ANSWER_BUDGET));
        let mut session = sign_in(ctx, &budget).await?;
        budget.store(LIST_BUDGET, Ordering::Relaxed);
        let folders = folders(&mut session, ctx, &cursor).await?;
        let base = ctx.row.url.trim_end_matches('/').to_string();
        let capture = MailCapture::new(mine, ctx.options.keep_subjects);
        let mut report = ImportReport::default();
        let mut next = Cursor::default();
        // Each folder: which UIDs are new.
        let mut work: Vec<(String, Vec<u32>)> = Vec::new();
        let mut capture = capture;
        for folder in &folders {
            budget.store(SMALL_BUDGET, Ordering::Relaxed);
            let mailbox = timed(
                &format!("opening the folder {folder:?}"),
                session.examine(folder),
            )
            .await?;
            let validity = mailbox.uid_validity.unwrap_or(0);
            let before = cursor.folders.remove(folder).unwrap_or_default();
            let last = if before.validity == validity {
                before.last_uid
            } else {
                0
            };
            let next_uid = mailbox.uid_next.unwrap_or(u32::MAX);
            next.folders.insert(
                folder.clone(),
                FolderCursor {
                    validity,
                    last_uid: last,
                },
            );
            if mailbox.exists == 0 || next_uid <= last.saturating_add(1) {
                continue; // nothing new: one EXAMINE was all it cost
            }
            budget.store(SEARCH_BUDGET, Ordering::Relaxed);
            let found = timed(
                &format!("listing the new messages of {folder:?}"),
                session.uid_search(format!("UID {}:*", last.saturating_add(1))),
            )
            .await?;
            let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > last).collect();
            uids.sort_unstable();
            if !uids.is_empty() {
                work.push((folder.clone(), uids));
            }
        }
        let cursor_text =
            |next: &Cursor| serde_json::to_string(next).unwrap_or_else(|_| "{}".into());
        if work.is_empty() {
            let _ = tokio::time::timeout(CONNECT_TIMEOUT, session.logout()).await;
            if cursor_text(&next) == ctx.row.cursor {
                return Ok(SyncReport {
                    unchanged: true,
                    ..Default::default()
                });
            }
            let mut tx = self.store.begin(self.account).await?;
            tx.set_source_cursor(ctx.row.id, &cursor_text(&next))
                .await?;
            tx.commit().await?;
            return Ok(SyncReport {
                unchanged: true,
                ..Default::default()
            });
        }
        // At most MAX_PER_SYNC, the oldest first: the cursor stops at the
        // last one read and the next sync goes on from there.
        let mut room = MAX_PER_SYNC;
        let mut more = false;
        for (_, uids) in &mut work {
            if uids.len() > room {
                uids.truncate(room);
                more = true;
            }
            room -= uids.len();
        }
        work.retain(|(_, uids)| !uids.is_empty());
        let total: usize = work.iter().map(|(_, u)| u.len()).sum();
        let places: Vec<usize> = work
            .iter()
            .map(|(folder, _)| capture.place(format!("{base}/{folder}")))
            .collect();
        let folder_names: Vec<String> = work.iter().map(|(f, _)| f.clone()).collect();
        // Fetching runs on a task of its own while what came is parsed;
        // everything is written at the end, in one transaction (writing as
        // messages come was measured slower on two cores: docs/benchmarks.md).
        let (send, mut receive) = tokio::sync::mpsc::channel(FETCHED_AHEAD);
        let fetcher = tokio::spawn(fetch_headers(session, work, budget, send));
        let region = self.phone_region().await?;
        let mut done = 0usize;
        while let Some(item) = receive.recv().await {
            let (index, fetched) = item?;
            let folder = &folder_names[index];
            let highest = next.folders.get(folder).map_or(0, |c| c.last_uid);
            let mut top = highest;
            for (uid, header) in &fetched {
                top = top.max(*uid);
                match kith_formats::mail::parse_headers(header, u64::from(*uid)) {
                    Some(m) => capture.add(places[index], m, &mut report),
                    None => report.skipped += 1,
                }
            }
            if let Some(c) = next.folders.get_mut(folder) {
                c.last_uid = top;
            }
            done += fetched.len();
            ctx.progress.set(done as u64, total as u64);
        }
        if let Ok(Err(e)) = fetcher.await {
            return Err(e.into());
        }
        tracing::debug!(
            messages = total,
            millis = started.elapsed().as_millis() as u64,
            "imap: fetched"
        );
        let mut tx = self.store.begin(self.account).await?;
        capture.finish(&mut tx, region, "imap", &mut report).await?;
        tx.set_source_cursor(ctx.row.id, &cursor_text(&next))
            .await?;
        tx.commit().await?;
        tracing::debug!(
            millis = started.elapsed().as_millis() as u64,
            "imap: written"
        );
        Ok(SyncReport {
            read: report.records,
            interactions: report.interactions,
            created: report.created,
            updated: report.updated,
            skipped: report.skipped,
            problems: report
                .problems
                .iter()
                .take(5)
                .map(|d| d.to_string())
                .collect(),
            unchanged: report.interactions == 0 && report.created == 0,
            more,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::uid_set;

    #[test]
    fn uid_sets_fold_runs() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[42]), "42");
        assert_eq!(uid_set(&[]), "");
    }
}
