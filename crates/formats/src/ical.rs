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

/// The events of an iCalendar text, and what could not be read.
pub fn read_ics(text: &str, file: &str) -> (Vec<CalendarEvent>, Vec<Diagnostic>) {
    let text = text.trim_start_matches('\u{feff}');
    // Lines of the BEGIN:VEVENT lines, in order.
    let event_lines: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim().eq_ignore_ascii_case("BEGIN:VEVENT"))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut events = Vec::new();
    let mut problems = Vec::new();
    let mut parser = Parser::new(text);
    let mut seen = 0usize;
    loop {
        match parser.entry() {
            Entry::ICalendar(cal) => {
                for c in &cal.components {
                    if c.component_type != ICalendarComponentType::VEvent {
                        continue;
                    }
                    let line = event_lines.get(seen).copied().unwrap_or(0);
                    seen += 1;
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
                                ICalendarValue::PartialDateTime(d) => {
                                    d.to_timestamp().or_else(|| date_only(d))
                                }
                                _ => None,
                            })
                        };
                        match entry.name {
                            ICalendarProperty::Uid => e.uid = text_value(),
                            ICalendarProperty::Summary => e.summary = text_value(),
                            ICalendarProperty::Dtstart => {
                                e.start = date_value().map(|s| s.saturating_mul(1_000_000))
                            }
                            ICalendarProperty::RecurrenceId => {
                                e.occurrence = date_value().map(|s| s.to_string())
                            }
                            ICalendarProperty::Status => {
                                e.cancelled = entry.values.iter().any(|v| {
                                    matches!(v, ICalendarValue::Status(ICalendarStatus::Cancelled))
                                })
                            }
                            ICalendarProperty::Organizer => {
                                e.organizer = address(entry).map(|a| a.0)
                            }
                            ICalendarProperty::Attendee => {
                                if let Some((a, true)) = address(entry) {
                                    e.attendees.push(a);
                                }
                            }
                            _ => {}
                        }
                    }
                    if e.start.is_none() {
                        problems.push(Diagnostic {
                            file: file.to_string(),
                            line,
                            message: "the event has no readable DTSTART: skipped".into(),
                        });
                    } else {
                        events.push(e);
                    }
                }
            }
            Entry::Eof => break,
            Entry::InvalidLine(l) => problems.push(Diagnostic {
                file: file.to_string(),
                line: 0,
                message: format!(
                    "not iCalendar: {:?}",
                    l.chars().take(80).collect::<String>()
                ),
            }),
            Entry::UnterminatedComponent(c) => {
                problems.push(Diagnostic {
                    file: file.to_string(),
                    line: 0,
                    message: format!("the file ends inside {c}"),
                });
                break;
            }
            _ => {}
        }
    }
    (events, problems)
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
