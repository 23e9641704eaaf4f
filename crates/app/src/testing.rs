//! For tests: a real SMTP server on loopback (aiosmtpd, from the Python
//! venv the test script makes) that keeps each message it receives in a
//! maildir, where a test reads what arrived; and a way to hold a server's
//! network as a query in progress does.

use crate::mailer::{SmtpConfig, SmtpSecurity};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running aiosmtpd; stopped when dropped.
pub struct SmtpSink {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

impl SmtpSink {
    /// Starts one with `KITH_PYTHON`; None (the test says it is skipped)
    /// when that is not set, except under CI, where it must be.
    pub fn start() -> Option<SmtpSink> {
        let Ok(python) = std::env::var("KITH_PYTHON") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set KITH_PYTHON (scripts/test.sh does)"
            );
            eprintln!(
                "KITH_PYTHON not set: no SMTP server, mail not tested (scripts/test.sh sets it)"
            );
            return None;
        };
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd (pip install aiosmtpd in the venv)");
        let sink = SmtpSink { child, dir, port };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start listening on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(sink)
    }

    /// The `[smtp]` configuration that reaches it.
    pub fn config(&self) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(self.port),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            password_file: None,
            from: "kith <kith@localhost>".into(),
            timeout_seconds: Some(10),
        }
    }

    /// Every message received so far, as raw text, in the order received.
    pub fn messages(&self) -> Vec<String> {
        let new: PathBuf = self.dir.path().join("maildir").join("new");
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&new)
            .map(|d| {
                d.flatten()
                    .map(|e| {
                        let modified = e
                            .metadata()
                            .and_then(|m| m.modified())
                            .unwrap_or(std::time::UNIX_EPOCH);
                        (modified, e.path())
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, p)| std::fs::read_to_string(p).ok())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `query` while `holder`'s network is held for reading, as a search
/// in progress holds it: for tests that queries do not wait on each other.
pub async fn while_network_is_read<T>(
    holder: &crate::App,
    query: impl std::future::Future<Output = T>,
) -> crate::Result<T> {
    let _held = holder.network().await?;
    Ok(query.await)
}
