//! Mail headers from mailboxes as users have them: an mbox file (a Gmail
//! Takeout download), a maildir folder, single `.eml` files. Only headers
//! are read (who wrote to whom, when, the Message-ID, whether it is list
//! or bulk mail); bodies are skipped unread, so memory stays bounded
//! whatever the mailbox's size. A message that cannot be read is reported
//! with its line and the rest go on.

use kith_core::Diagnostic;
use mail_parser::{Address, HeaderValue, MessageParser};
use std::io::BufRead;

/// Header bytes kept for one message; beyond, the message is skipped.
const MAX_HEADER: usize = 1024 * 1024;

/// A mailbox address, lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailAddress {
    pub email: String,
    pub name: Option<String>,
}

/// What kith reads of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailHeaders {
    /// Where the message starts (1-based line of the file).
    pub line: u64,
    pub message_id: Option<String>,
    /// Microseconds since the epoch.
    pub at: Option<i64>,
    pub from: Vec<MailAddress>,
    /// To and Cc.
    pub recipients: Vec<MailAddress>,
    pub subject: Option<String>,
    /// Mailing-list or automatic mail: List-Id, Precedence bulk/list/junk,
    /// Auto-Submitted other than `no`.
    pub bulk: bool,
}

fn addresses(a: Option<&Address>) -> Vec<MailAddress> {
    let Some(a) = a else { return Vec::new() };
    a.iter()
        .filter_map(|addr| {
            let email = addr.address()?.trim().to_lowercase();
            if !email.contains('@') {
                return None;
            }
            let name = addr
                .name()
                .map(|n| n.trim().trim_matches(['"', '\'']).trim().to_string())
                .filter(|n| !n.is_empty() && !n.contains('@'));
            Some(MailAddress { email, name })
        })
        .collect()
}

/// Reads the headers of one message (the bytes up to its blank line).
pub fn parse_headers(raw: &[u8], line: u64) -> Option<MailHeaders> {
    let message = MessageParser::new().parse_headers(raw)?;
    let raw_header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    let precedence_bulk =
        raw_header("Precedence").is_some_and(|p| matches!(p.as_str(), "bulk" | "list" | "junk"));
    let auto = raw_header("Auto-Submitted").is_some_and(|a| a != "no");
    let list = !matches!(message.list_id(), HeaderValue::Empty);
    let mut recipients = addresses(message.to());
    recipients.extend(addresses(message.cc()));
    let from = addresses(message.from());
    if from.is_empty() && recipients.is_empty() {
        return None;
    }
    Some(MailHeaders {
        line,
        message_id: message
            .message_id()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty()),
        at: message
            .date()
            .map(|d| d.to_timestamp().saturating_mul(1_000_000)),
        from,
        recipients,
        subject: message
            .subject()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        bulk: list || precedence_bulk || auto,
    })
}

/// The header fields [`parse_headers`] reads (what an IMAP client asks
/// for). The others (Received, DKIM-Signature, ARC-*, X-*: most of a real
/// message's header) are not handed to the parser.
pub const READ_HEADERS: [&[u8]; 9] = [
    b"from",
    b"to",
    b"cc",
    b"date",
    b"message-id",
    b"subject",
    b"list-id",
    b"precedence",
    b"auto-submitted",
];

/// Whether a header line (not a continuation) is one of [`READ_HEADERS`].
fn is_read_header(line: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', line) else {
        return false;
    };
    let name = line[..colon].trim_ascii_end();
    READ_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// The messages of an mbox file, one at a time.
pub struct MboxReader<R> {
    input: R,
    file: String,
    line: u64,
    /// The `From ` line of the next message has been read.
    at_message: bool,
    done: bool,
    buf: Vec<u8>,
}

impl<R: BufRead> MboxReader<R> {
    pub fn new(input: R, file: &str) -> Self {
        MboxReader {
            input,
            file: file.to_string(),
            line: 0,
            at_message: false,
            done: false,
            buf: Vec::with_capacity(4096),
        }
    }

    fn problem(&self, line: u64, message: String) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            line,
            message,
        }
    }

    /// Reads one line into `buf`, keeping at most [`MAX_HEADER`] + 1 bytes
    /// of it (a body line of a gigabyte is skipped, never held); false at
    /// the end.
    fn next_line(&mut self) -> std::io::Result<bool> {
        let line = crate::text::read_line_capped(&mut self.input, &mut self.buf, MAX_HEADER + 1)?;
        if line.read > 0 {
            self.line += 1;
        }
        Ok(line.read > 0)
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = Result<MailHeaders, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        // Find the next `From ` line (the first one, or after a body).
        while !self.at_message {
            match self.next_line() {
                Ok(true) if self.buf.starts_with(b"From ") => self.at_message = true,
                Ok(true) if self.line == 1 => {
                    self.done = true;
                    let p = self.problem(
                        1,
                        "not an mbox file: it does not start with a \"From \" line".into(),
                    );
                    return Some(Err(p));
                }
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.problem(self.line, format!("cannot read: {e}"))));
                }
            }
        }
        self.at_message = false;
        let start = self.line;
        let mut header: Vec<u8> = Vec::new();
        let mut header_bytes = 0usize;
        let mut too_big = false;
        // Whether the header line being read (and its folded continuation
        // lines) is one kith reads.
        let mut wanted = false;
        // Headers up to the blank line, then the body up to the next `From `.
        let mut in_header = true;
        loop {
            match self.next_line() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.problem(self.line, format!("cannot read: {e}"))));
                }
            }
            if self.buf.starts_with(b"From ") {
                self.at_message = true;
                break;
            }
            if in_header {
                header_bytes += self.buf.len();
                if self.buf == b"\n" || self.buf == b"\r\n" {
                    in_header = false;
                } else if header_bytes > MAX_HEADER {
                    too_big = true;
                    in_header = false;
                } else {
                    if !matches!(self.buf.first(), Some(b' ' | b'\t')) {
                        wanted = is_read_header(&self.buf);
                    }
                    if wanted {
                        header.extend_from_slice(&self.buf);
                    }
                }
            }
        }
        if too_big {
            return Some(Err(self.problem(
                start,
                "the message's headers are over 1 MiB: skipped".into(),
            )));
        }
        Some(parse_headers(&header, start + 1).ok_or_else(|| {
            self.problem(
                start,
                "the message has no readable From, To or Cc: skipped".into(),
            )
        }))
    }
}

/// The headers of a single message file (`.eml`, a maildir entry): read up
/// to the first blank line, at most 1 MiB.
pub fn read_message_file<R: BufRead>(mut input: R, file: &str) -> Result<MailHeaders, Diagnostic> {
    let mut header = Vec::new();
    let mut line = Vec::new();
    loop {
        let read =
            crate::text::read_line_capped(&mut input, &mut line, MAX_HEADER + 1).map_err(|e| {
                Diagnostic {
                    file: file.to_string(),
                    line: 1,
                    message: format!("cannot read: {e}"),
                }
            })?;
        if read.read == 0 || line == b"\n" || line == b"\r\n" {
            break;
        }
        if header.len() + line.len() > MAX_HEADER {
            return Err(Diagnostic {
                file: file.to_string(),
                line: 1,
                message: "the message's headers are over 1 MiB".into(),
            });
        }
        header.extend_from_slice(&line);
    }
    parse_headers(&header, 1).ok_or_else(|| Diagnostic {
        file: file.to_string(),
        line: 1,
        message: "not a mail message: no readable From, To or Cc".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MBOX: &str = "From alice@example.org Mon Nov 16 10:00:00 2026\n\
From: Alice Example <Alice@Example.org>\n\
To: Bob <bob@example.net>, carol@example.com\n\
Cc: \"Dan D.\" <dan@example.com>\n\
Subject: =?UTF-8?Q?Caf=C3=A9?= next week\n\
Date: Mon, 16 Nov 2026 10:00:00 +0000\n\
Message-ID: <m1@example.org>\n\
\n\
Body line\n\
>From a quoted line\n\
\n\
From news@list.example Tue Nov 17 09:00:00 2026\n\
From: News <news@list.example>\n\
To: alice@example.org\n\
List-Id: <news.list.example>\n\
Subject: Weekly\n\
Date: Tue, 17 Nov 2026 09:00:00 +0000\n\
\n\
Hello list\n\
From garbage\n\
\n\
no headers here\n";

    #[test]
    fn messages_headers_and_list_mail() {
        let got: Vec<_> = MboxReader::new(MBOX.as_bytes(), "test.mbox").collect();
        assert_eq!(got.len(), 3, "{got:?}");
        let first = got[0].as_ref().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(first.from[0].email, "alice@example.org");
        assert_eq!(first.from[0].name.as_deref(), Some("Alice Example"));
        let to: Vec<&str> = first.recipients.iter().map(|a| a.email.as_str()).collect();
        assert_eq!(
            to,
            ["bob@example.net", "carol@example.com", "dan@example.com"]
        );
        assert_eq!(first.recipients[2].name.as_deref(), Some("Dan D."));
        assert_eq!(first.subject.as_deref(), Some("Café next week"));
        assert_eq!(first.message_id.as_deref(), Some("m1@example.org"));
        assert_eq!(first.at, Some(1_794_823_200_000_000));
        assert!(!first.bulk);
        assert!(got[1].as_ref().unwrap().bulk, "List-Id");
        let broken = got[2].as_ref().unwrap_err();
        assert_eq!(broken.line, 20);
    }

    #[test]
    fn only_the_headers_read_reach_the_parser_folded_ones_whole() {
        let mbox = "From a@example.org Mon Nov 16 10:00:00 2026\n\
Received: from mx.example.org (mx.example.org [192.0.2.1])\n\
\tby mail.example.net; Mon, 16 Nov 2026 10:00:01 +0000\n\
DKIM-Signature: v=1; a=rsa-sha256; d=example.org;\n\
\x20h=From:To:Subject; b=AAAA\n\
From: A <a@example.org>\n\
X-To: nobody@example.com\n\
to : B <b@example.net>,\n\
\x20C <c@example.com>\n\
Date: Mon, 16 Nov 2026 10:00:00 +0000\n\
PRECEDENCE: bulk\n\
\n\
body\n";
        let got: Vec<_> = MboxReader::new(mbox.as_bytes(), "m.mbox").collect();
        let m = got[0].as_ref().unwrap();
        let to: Vec<&str> = m.recipients.iter().map(|a| a.email.as_str()).collect();
        assert_eq!(to, ["b@example.net", "c@example.com"], "X-To is not To");
        assert_eq!(m.at, Some(1_794_823_200_000_000));
        assert!(m.bulk, "header names in any case");
        assert!(is_read_header(b"Message-ID: <x>\n"));
        assert!(!is_read_header(b"Received: by x\n"));
        assert!(!is_read_header(b"no colon here\n"));
    }

    #[test]
    fn not_an_mbox_and_a_truncated_one() {
        let got: Vec<_> = MboxReader::new(&b"hello\nworld\n"[..], "x").collect();
        assert_eq!(got.len(), 1);
        assert!(got[0].as_ref().unwrap_err().message.contains("not an mbox"));
        let cut = &MBOX[..MBOX.find("Date:").unwrap()];
        let got: Vec<_> = MboxReader::new(cut.as_bytes(), "cut.mbox").collect();
        assert_eq!(got.len(), 1, "a message cut in its headers is still read");
        assert_eq!(got[0].as_ref().unwrap().at, None);
    }
}
