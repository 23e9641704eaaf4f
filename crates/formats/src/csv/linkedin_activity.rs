//! LinkedIn's activity files from the data export: `messages.csv` (each
//! message sent or received) and `Invitations.csv` (connection requests).
//! Read as metadata only, who wrote to whom and when, plus the subject;
//! message bodies are never read into a record.

use super::{HEADER_SCAN_LINES, Header, Row, Scan, diag, excerpt, scan_header};
use crate::FormatError;
use kith_core::Diagnostic;
use std::io::BufRead;

/// Which activity file a header belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityFile {
    Messages,
    Invitations,
}

fn classify(fields: &[String]) -> Option<ActivityFile> {
    let has = |n: &str| fields.iter().any(|f| f.trim().eq_ignore_ascii_case(n));
    if has("conversation id") && has("from") && has("sender profile url") && has("date") {
        Some(ActivityFile::Messages)
    } else if has("from") && has("to") && has("sent at") && has("direction") {
        Some(ActivityFile::Invitations)
    } else {
        None
    }
}

/// Recognises `messages.csv` or `Invitations.csv` from the first bytes of a
/// file (their header is on the first non-blank line).
pub fn activity_file(head: &[u8]) -> Option<ActivityFile> {
    let head = crate::text::strip_bom(head);
    let line = head
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l).trim().to_string())
        .find(|l| !l.is_empty())?;
    let fields: Vec<String> = line
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_string())
        .collect();
    classify(&fields)
}

/// One LinkedIn message: who sent it to whom, when.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkedinMessage {
    pub line: u64,
    pub conversation: String,
    pub from_name: String,
    pub from_url: String,
    /// Recipients' names, paired with `to_urls` when the counts agree.
    pub to_names: Vec<String>,
    pub to_urls: Vec<String>,
    /// Microseconds since the epoch (UTC).
    pub at: i64,
    pub subject: Option<String>,
    /// A draft, never sent.
    pub draft: bool,
}

/// One connection request.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkedinInvitation {
    pub line: u64,
    pub from_name: String,
    pub to_name: String,
    /// Microseconds since the epoch (LinkedIn gives local time without a
    /// zone; read as UTC).
    pub at: i64,
    /// The owner sent it.
    pub outgoing: bool,
    pub inviter_url: String,
    pub invitee_url: String,
    /// It came with a note.
    pub with_message: bool,
}

type Rows<T> = Box<dyn Iterator<Item = Result<T, Diagnostic>>>;

fn open<'a>(
    input: Box<dyn BufRead + 'a>,
    file: &str,
    want: ActivityFile,
) -> Result<(Header, super::Rows<'a>), FormatError> {
    let expected = match want {
        ActivityFile::Messages => {
            "`CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,…`"
        }
        ActivityFile::Invitations => "`From,To,Sent At,Message,Direction,…`",
    };
    match scan_header(input, file, HEADER_SCAN_LINES, classify)? {
        Scan::Found { header, kind, rows } if kind == want => Ok((header, rows)),
        Scan::Found { .. } | Scan::NotFound { .. } => Err(FormatError::Invalid {
            file: file.to_string(),
            message: format!("no LinkedIn header {expected} found"),
        }),
    }
}

/// Reads `messages.csv`, row by row. A row without a readable date or
/// sender is a diagnostic; the rest go on.
pub fn read_messages(
    input: Box<dyn BufRead + 'static>,
    file: &str,
) -> Result<Rows<LinkedinMessage>, FormatError> {
    let (header, rows) = open(input, file, ActivityFile::Messages)?;
    let file = file.to_string();
    Ok(Box::new(
        rows.map(move |row| message(&header, &row?, &file)),
    ))
}

fn message(header: &Header, row: &Row, file: &str) -> Result<LinkedinMessage, Diagnostic> {
    row.check_width(header, file, true)?;
    let date = row.get(header, "DATE");
    let at = parse_utc(date).ok_or_else(|| {
        diag(
            file,
            row.line,
            format!(
                "DATE {:?} is not a date such as 2025-10-06 23:49:02 UTC; message skipped",
                excerpt(date)
            ),
        )
    })?;
    let from_url = row.get(header, "SENDER PROFILE URL").to_string();
    let from_name = row.get(header, "FROM").to_string();
    if from_url.is_empty() && from_name.is_empty() {
        return Err(diag(file, row.line, "the message has no sender; skipped"));
    }
    let to_urls: Vec<String> = split_list(row.get(header, "RECIPIENT PROFILE URLS"), ';');
    let names = split_list(row.get(header, "TO"), ',');
    // Names may hold commas themselves: only trust the split when it pairs up.
    let to_names = if names.len() == to_urls.len() {
        names
    } else if to_urls.len() == 1 {
        vec![row.get(header, "TO").to_string()]
    } else {
        Vec::new()
    };
    let draft = header
        .find("IS MESSAGE DRAFT")
        .is_some_and(|i| row.cell(Some(i)).eq_ignore_ascii_case("yes"))
        || row.get(header, "FOLDER").eq_ignore_ascii_case("draft");
    let subject = Some(row.get(header, "SUBJECT").to_string()).filter(|s| !s.is_empty());
    Ok(LinkedinMessage {
        line: row.line,
        conversation: row.get(header, "CONVERSATION ID").to_string(),
        from_name,
        from_url,
        to_names,
        to_urls,
        at,
        subject,
        draft,
    })
}

/// Reads `Invitations.csv`, row by row.
pub fn read_invitations(
    input: Box<dyn BufRead + 'static>,
    file: &str,
) -> Result<Rows<LinkedinInvitation>, FormatError> {
    let (header, rows) = open(input, file, ActivityFile::Invitations)?;
    let file = file.to_string();
    Ok(Box::new(
        rows.map(move |row| invitation(&header, &row?, &file)),
    ))
}

fn invitation(header: &Header, row: &Row, file: &str) -> Result<LinkedinInvitation, Diagnostic> {
    row.check_width(header, file, true)?;
    let sent = row.get(header, "Sent At");
    let at = parse_linkedin_time(sent).ok_or_else(|| {
        diag(
            file,
            row.line,
            format!(
                "Sent At {:?} is not a date such as 9/27/25, 8:41 AM; invitation skipped",
                excerpt(sent)
            ),
        )
    })?;
    let direction = row.get(header, "Direction");
    let outgoing = match direction.to_ascii_uppercase().as_str() {
        "OUTGOING" => true,
        "INCOMING" => false,
        _ => {
            return Err(diag(
                file,
                row.line,
                format!(
                    "Direction {:?} is neither INCOMING nor OUTGOING; invitation skipped",
                    excerpt(direction)
                ),
            ));
        }
    };
    Ok(LinkedinInvitation {
        line: row.line,
        from_name: row.get(header, "From").to_string(),
        to_name: row.get(header, "To").to_string(),
        at,
        outgoing,
        inviter_url: row.get(header, "inviterProfileUrl").to_string(),
        invitee_url: row.get(header, "inviteeProfileUrl").to_string(),
        with_message: !row.get(header, "Message").is_empty(),
    })
}

fn split_list(s: &str, sep: char) -> Vec<String> {
    s.split(sep)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

/// `2025-10-06 23:49:02 UTC` (also with a `T`, or without the zone).
pub fn parse_utc(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s
        .strip_suffix(" UTC")
        .or_else(|| s.strip_suffix('Z'))
        .unwrap_or(s);
    let dt: jiff::civil::DateTime = s.replacen(' ', "T", 1).parse().ok()?;
    Some(
        dt.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_microsecond(),
    )
}

/// `9/27/25, 8:41 AM` (month/day/two-digit year, 12-hour clock) as UTC;
/// also the `2025-10-06 23:49:02 UTC` form.
pub fn parse_linkedin_time(s: &str) -> Option<i64> {
    if let Some(t) = parse_utc(s) {
        return Some(t);
    }
    let (date, time) = s.trim().split_once(',')?;
    let mut parts = date.trim().split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (m, d, y): (i8, i8, i16) = (m.parse().ok()?, d.parse().ok()?, y.parse().ok()?);
    let year = if y < 100 { 2000 + y } else { y };
    let time = time.trim().to_ascii_uppercase();
    let (clock, pm) = match (time.strip_suffix("AM"), time.strip_suffix("PM")) {
        (Some(c), _) => (c.trim().to_string(), false),
        (_, Some(c)) => (c.trim().to_string(), true),
        _ => (time.clone(), false),
    };
    let (h, min) = clock.split_once(':')?;
    let (mut h, min): (i8, i8) = (h.parse().ok()?, min.parse().ok()?);
    if time.ends_with('M') {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = (h % 12) + if pm { 12 } else { 0 };
    }
    let dt = jiff::civil::DateTime::new(year, m, d, h, min, 0, 0).ok()?;
    Some(
        dt.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_microsecond(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let utc = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_microsecond();
        assert_eq!(
            parse_utc("2025-10-06 23:49:02 UTC"),
            Some(utc("2025-10-06T23:49:02Z"))
        );
        assert_eq!(
            parse_linkedin_time("9/27/25, 8:41 AM"),
            Some(utc("2025-09-27T08:41:00Z"))
        );
        assert_eq!(
            parse_linkedin_time("12/1/24, 12:05 AM"),
            Some(utc("2024-12-01T00:05:00Z"))
        );
        assert_eq!(
            parse_linkedin_time("12/1/24, 12:05 PM"),
            Some(utc("2024-12-01T12:05:00Z"))
        );
        assert_eq!(parse_linkedin_time("13/40/25, 8:41 AM"), None);
        assert_eq!(parse_linkedin_time("9/27/25, 13:41 PM"), None);
        assert_eq!(parse_linkedin_time("yesterday"), None);
    }

    #[test]
    fn recognised_from_the_header() {
        assert_eq!(
            activity_file(b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS\n"),
            Some(ActivityFile::Messages)
        );
        assert_eq!(
            activity_file(b"\xEF\xBB\xBFFrom,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\r\n"),
            Some(ActivityFile::Invitations)
        );
        assert_eq!(
            activity_file(
                b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            ),
            None
        );
    }
}
