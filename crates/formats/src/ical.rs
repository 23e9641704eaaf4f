//! Events from iCalendar (`.ics`) files, read with calcard: for each
//! VEVENT its UID, start, organizer, attendees (people, not rooms or
//! resources), summary and whether it was cancelled. Each event carries the
//! line of its `BEGIN:VEVENT`.

use crate::mail::MailAddress;
use calcard::icalendar::{
    ICalendarComponentType, ICalendarParameterName, ICalendarParameterValue, ICalendarProperty,
    ICalendarStatus, ICalendarUserTypes, ICalendarValue, Uri,
};
use calcard::{Entry, Parser};
use kith_core::Diagnostic;

/// What kith reads of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarEvent {
    pub line: u64,
    pub uid: Option<String>,
    /// Microseconds since the epoch.
    pub start: Option<i64>,
    /// RECURRENCE-ID, for one occurrence of a repeating event.
    pub occurrence: Option<String>,
    pub organizer: Option<MailAddress>,
    /// Attendees that are people (rooms and resources left out).
    pub attendees: Vec<MailAddress>,
    pub summary: Option<String>,
    pub cancelled: bool,
}

/// Whether the text looks like an iCalendar file.
pub fn looks_like_ical(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(256)]);
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_uppercase()
        .starts_with("BEGIN:VCALENDAR")
}

fn address(entry: &calcard::icalendar::ICalendarEntry) -> Option<(MailAddress, bool)> {
    let uri = entry.values.iter().find_map(|v| match v {
        ICalendarValue::Uri(Uri::Location(s)) | ICalendarValue::Text(s) => Some(s.as_str()),
        _ => None,
    })?;
    let email = uri
        .trim()
        .strip_prefix("mailto:")
        .or_else(|| uri.trim().strip_prefix("MAILTO:"))
        .unwrap_or(uri.trim())
        .to_lowercase();
    if !email.contains('@') {
        return None;
    }
    let mut name = None;
    let mut person = true;
    for p in &entry.params {
        match (&p.name, &p.value) {
            (ICalendarParameterName::Cn, ICalendarParameterValue::Text(t)) => {
                let t = t.trim().trim_matches('"').trim();
                if !t.is_empty() && !t.contains('@') {
                    name = Some(t.to_string());
                }
            }
            (ICalendarParameterName::Cutype, ICalendarParameterValue::Cutype(c)) => {
                person = matches!(c, ICalendarUserTypes::Individual);
            }
            _ => {}
        }
    }
    Some((MailAddress { email, name }, person))
}

/// A date without a time (an all-day event): noon UTC that day, in seconds.
fn date_only(d: &calcard::common::PartialDateTime) -> Option<i64> {
    let date = jiff::civil::Date::new(
        i16::try_from(d.year?).ok()?,
        i8::try_from(d.month?).ok()?,
        i8::try_from(d.day?).ok()?,
    )
    .ok()?;
    Some(
        date.at(12, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_second(),
    )
}

/// An event larger than this (its lines from `BEGIN:VEVENT` to `END:VEVENT`)
/// is reported and skipped, never held whole.
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;
/// Components nested deeper than this inside an event (an alarm in an event
/// is 2) make the event a problem: calcard is handed no such text.
pub const MAX_DEPTH: usize = 16;

/// The events of an iCalendar text, and what could not be read.
pub fn read_ics(text: &str, file: &str) -> (Vec<CalendarEvent>, Vec<Diagnostic>) {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    for item in IcsReader::new(text.as_bytes(), file) {
        match item {
            Ok(e) => events.push(e),
            Err(d) => problems.push(d),
        }
    }
    (events, problems)
}

/// Streams the events of an iCalendar file: each `VEVENT` is cut out by its
/// `BEGIN`/`END` lines (with its line number), bounded in size and nesting,
/// and parsed on its own by calcard, so that memory stays flat whatever the
/// file. What lies outside events (time zones, to-dos) is skipped unread.
pub struct IcsReader<R> {
    input: R,
    file: String,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

/// `BEGIN:X` or `END:X` of a line, upper-cased (None for other lines).
fn component_marker(line: &[u8]) -> Option<(bool, String)> {
    let line = crate::text::strip_bom(line);
    if line.len() > 80 {
        return None;
    }
    let text = std::str::from_utf8(line)
        .ok()?
        .trim_end()
        .to_ascii_uppercase();
    if let Some(name) = text.strip_prefix("BEGIN:") {
        Some((true, name.trim().to_string()))
    } else {
        text.strip_prefix("END:")
            .map(|n| (false, n.trim().to_string()))
    }
}

impl<R: std::io::BufRead> IcsReader<R> {
    pub fn new(input: R, file: &str) -> Self {
        IcsReader {
            input,
            file: file.to_string(),
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    fn problem(&self, line: u64, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            line,
            message: message.into(),
        }
    }

    /// The next line into `buf`, at most `cap` bytes of it kept; false at the end.
    fn next_line(&mut self, cap: usize) -> std::io::Result<(bool, bool)> {
        let line = crate::text::read_line_capped(&mut self.input, &mut self.buf, cap)?;
        if line.read > 0 {
            self.line += 1;
        }
        Ok((line.read > 0, line.cut))
    }

    /// Reads an event from its `BEGIN:VEVENT` line (already read, at
    /// `start`) to its `END:VEVENT`.
    fn event(&mut self, start: u64) -> Result<CalendarEvent, Diagnostic> {
        let mut block = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n".to_vec();
        let mut depth = 1usize;
        let mut too_big = false;
        let mut too_deep = false;
        loop {
            let cap = if too_big || too_deep {
                100
            } else {
                MAX_EVENT_BYTES.saturating_sub(block.len()) + 1
            };
            let (more, cut) = self
                .next_line(cap)
                .map_err(|e| self.problem(self.line, format!("cannot read: {e}")))?;
            if !more {
                self.done = true;
                return Err(self.problem(
                    start,
                    "the file ends inside this event (no END:VEVENT): skipped",
                ));
            }
            match component_marker(&self.buf).filter(|_| !cut) {
                Some((true, _)) => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        too_deep = true;
                    }
                }
                Some((false, _)) => depth -= 1,
                None => {}
            }
            if !too_big && !too_deep {
                if cut || block.len() + self.buf.len() > MAX_EVENT_BYTES {
                    too_big = true;
                    block = Vec::new();
                } else {
                    block.extend_from_slice(&self.buf);
                }
            }
            if depth == 0 {
                break;
            }
        }
        if too_deep {
            return Err(self.problem(
                start,
                format!("the event nests components more than {MAX_DEPTH} deep: skipped"),
            ));
        }
        if too_big {
            return Err(self.problem(
                start,
                format!(
                    "the event is larger than {} MiB: skipped",
                    MAX_EVENT_BYTES >> 20
                ),
            ));
        }
        block.extend_from_slice(b"\r\nEND:VCALENDAR\r\n");
        let text = String::from_utf8_lossy(&block);
        let cal = match Parser::new(&text).entry() {
            Entry::ICalendar(cal) => cal,
            Entry::InvalidLine(l) => {
                return Err(self.problem(
                    start,
                    format!(
                        "not iCalendar: {:?}: skipped",
                        l.chars().take(80).collect::<String>()
                    ),
                ));
            }
            other => {
                return Err(self.problem(start, format!("unreadable event ({other:?}): skipped")));
            }
        };
        let Some(c) = cal
            .components
            .iter()
            .find(|c| c.component_type == ICalendarComponentType::VEvent)
        else {
            return Err(self.problem(start, "unreadable event: skipped"));
        };
        let e = event_from(c, start);
        if e.start.is_none() {
            return Err(self.problem(start, "the event has no readable DTSTART: skipped"));
        }
        Ok(e)
    }
}

impl<R: std::io::BufRead> Iterator for IcsReader<R> {
    type Item = Result<CalendarEvent, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        // Skip to the next BEGIN:VEVENT (other components are not read).
        while !self.done {
            match self.next_line(100) {
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.problem(self.line, format!("cannot read: {e}"))));
                }
                Ok((false, _)) => self.done = true,
                Ok((true, false)) => {
                    if component_marker(&self.buf) == Some((true, "VEVENT".into())) {
                        let start = self.line;
                        return Some(self.event(start));
                    }
                }
                Ok((true, true)) => {}
            }
        }
        None
    }
}

/// What kith reads of one parsed VEVENT.
fn event_from(c: &calcard::icalendar::ICalendarComponent, line: u64) -> CalendarEvent {
    let mut e = CalendarEvent {
        line,
        uid: None,
        start: None,
        occurrence: None,
        organizer: None,
        attendees: Vec::new(),
        summary: None,
        cancelled: false,
    };
    for entry in &c.entries {
        let text_value = || {
            entry.values.iter().find_map(|v| match v {
                ICalendarValue::Text(t) => Some(t.trim().to_string()),
                _ => None,
            })
        };
        let date_value = || {
            entry.values.iter().find_map(|v| match v {
                ICalendarValue::PartialDateTime(d) => d.to_timestamp().or_else(|| date_only(d)),
                _ => None,
            })
        };
        match entry.name {
            ICalendarProperty::Uid => e.uid = text_value(),
            ICalendarProperty::Summary => e.summary = text_value(),
            ICalendarProperty::Dtstart => {
                e.start = date_value().map(|s| s.saturating_mul(1_000_000))
            }
            ICalendarProperty::RecurrenceId => e.occurrence = date_value().map(|s| s.to_string()),
            ICalendarProperty::Status => {
                e.cancelled = entry
                    .values
                    .iter()
                    .any(|v| matches!(v, ICalendarValue::Status(ICalendarStatus::Cancelled)))
            }
            ICalendarProperty::Organizer => e.organizer = address(entry).map(|a| a.0),
            ICalendarProperty::Attendee => {
                if let Some((a, true)) = address(entry) {
                    e.attendees.push(a);
                }
            }
            _ => {}
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:ev1@example\r\nDTSTART:20261110T090000Z\r\nSUMMARY:Planning\r\n\
ORGANIZER;CN=Me:mailto:me@home.example\r\n\
ATTENDEE;CN=Grace Hopper;PARTSTAT=ACCEPTED:mailto:Grace@Navy.example\r\n\
ATTENDEE;CUTYPE=ROOM;CN=Room 1:mailto:room1@resource.example\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:ev2@example\r\nDTSTART;VALUE=DATE:20261112\r\nSTATUS:CANCELLED\r\n\
ATTENDEE:mailto:alan@bletchley.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:ev3@example\r\nSUMMARY:no start\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn events_attendees_and_problems() {
        let (events, problems) = read_ics(ICS, "cal.ics");
        assert_eq!(events.len(), 2, "{events:?} {problems:?}");
        let first = &events[0];
        assert_eq!(first.line, 4);
        assert_eq!(first.uid.as_deref(), Some("ev1@example"));
        assert_eq!(first.start, Some(1_794_301_200_000_000));
        assert_eq!(first.organizer.as_ref().unwrap().email, "me@home.example");
        assert_eq!(first.attendees.len(), 1, "the room is not a person");
        assert_eq!(first.attendees[0].email, "grace@navy.example");
        assert_eq!(first.attendees[0].name.as_deref(), Some("Grace Hopper"));
        assert!(events[1].cancelled);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("DTSTART"));
        assert!(looks_like_ical(ICS.as_bytes()));
    }
}
