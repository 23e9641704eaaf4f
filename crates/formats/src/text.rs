//! Turning bytes of unknown encoding into text: BOM stripping, UTF-8 first,
//! Windows-1252 (what Outlook and old phones write) when bytes are not UTF-8;
//! and reading a line without ever holding more of it than a cap.

use std::borrow::Cow;
use std::io::{BufRead, ErrorKind};

/// A line read by [`read_line_capped`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// Bytes consumed from the input (0 at the end of the input).
    pub read: u64,
    /// The line was longer than the cap: only its first `cap` bytes were
    /// kept, the rest was consumed unread.
    pub cut: bool,
}

/// Reads one line (up to and including `\n`) into `buf`, which is cleared
/// first, keeping at most `cap` bytes of it. Unlike `read_until`, a line of
/// a gigabyte never sits in memory: what is past the cap is skipped as it
/// streams by.
pub fn read_line_capped(
    input: &mut (impl BufRead + ?Sized),
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Line> {
    buf.clear();
    let mut line = Line {
        read: 0,
        cut: false,
    };
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(line);
        }
        let (used, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        if used > room {
            line.cut = true;
        }
        let keep = &chunk[..used.min(room)];
        if buf.capacity() - buf.len() < keep.len() {
            // Grow by doubling, but never past the cap (a 16 MiB line must
            // not reserve 32 MiB).
            let want = (buf.len() * 2).max(buf.len() + keep.len()).min(cap);
            buf.reserve_exact(want.max(buf.len() + keep.len()) - buf.len());
        }
        buf.extend_from_slice(keep);
        input.consume(used);
        line.read += used as u64;
        if done {
            return Ok(line);
        }
    }
}

/// Strips a UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Decodes bytes as UTF-8, or as Windows-1252 when they are not valid UTF-8.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = strip_bom(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Cow::Owned(text.into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_not_held() {
        let text = format!("short\n{}\nlast", "A".repeat(100_000));
        let mut input = std::io::BufReader::with_capacity(16, text.as_bytes());
        let mut buf = Vec::new();
        let cap = 10;
        let first = read_line_capped(&mut input, &mut buf, cap).ok();
        assert_eq!(
            first,
            Some(Line {
                read: 6,
                cut: false
            })
        );
        assert_eq!(buf, b"short\n");
        let long = read_line_capped(&mut input, &mut buf, cap).ok();
        assert_eq!(
            long,
            Some(Line {
                read: 100_001,
                cut: true
            })
        );
        assert_eq!(buf, b"AAAAAAAAAA");
        assert!(buf.capacity() < 1000, "the line was never held whole");
        let last = read_line_capped(&mut input, &mut buf, cap).ok();
        assert_eq!(
            last,
            Some(Line {
                read: 4,
                cut: false
            })
        );
        assert_eq!(buf, b"last");
        let end = read_line_capped(&mut input, &mut buf, cap).ok();
        assert_eq!(
            end,
            Some(Line {
                read: 0,
                cut: false
            })
        );
    }

    #[test]
    fn bom_is_stripped_and_latin1_is_decoded() {
        assert_eq!(decode(b"\xEF\xBB\xBFAda"), "Ada");
        assert_eq!(decode(b"Jos\xE9"), "José");
        assert_eq!(decode("Zoë".as_bytes()), "Zoë");
    }
}
