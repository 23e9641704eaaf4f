//! Interactions: a moment of contact between the account's owner and some of
//! their people (an email, a meeting, a coffee…), with its kind, direction
//! and where it came from. The basis of relationship strength and of who is
//! due for a catch-up. Pure data: storing and capturing live elsewhere.

use crate::{InteractionId, PersonId};
use serde::{Deserialize, Serialize};

/// What kind of contact it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    Email,
    Meeting,
    Call,
    Message,
    Coffee,
    Lunch,
    Event,
    Introduction,
    Note,
}

impl InteractionKind {
    pub const ALL: [InteractionKind; 9] = [
        InteractionKind::Email,
        InteractionKind::Meeting,
        InteractionKind::Call,
        InteractionKind::Message,
        InteractionKind::Coffee,
        InteractionKind::Lunch,
        InteractionKind::Event,
        InteractionKind::Introduction,
        InteractionKind::Note,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Email => "email",
            InteractionKind::Meeting => "meeting",
            InteractionKind::Call => "call",
            InteractionKind::Message => "message",
            InteractionKind::Coffee => "coffee",
            InteractionKind::Lunch => "lunch",
            InteractionKind::Event => "event",
            InteractionKind::Introduction => "introduction",
            InteractionKind::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<InteractionKind> {
        let s = s.trim().to_ascii_lowercase();
        InteractionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kinds, for messages: "email, meeting, …".
    pub fn names() -> String {
        InteractionKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Who reached out to whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The owner wrote or called.
    Outgoing,
    /// They wrote or called the owner.
    Incoming,
    /// Both took part (a meeting, a coffee, a reply in a thread).
    Mutual,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outgoing => "outgoing",
            Direction::Incoming => "incoming",
            Direction::Mutual => "mutual",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim().to_ascii_lowercase().as_str() {
            "outgoing" => Some(Direction::Outgoing),
            "incoming" => Some(Direction::Incoming),
            "mutual" => Some(Direction::Mutual),
            _ => None,
        }
    }
}

/// One interaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    pub id: InteractionId,
    /// When it happened: microseconds since the Unix epoch, UTC.
    pub at: i64,
    pub kind: InteractionKind,
    pub direction: Direction,
    /// The people involved besides the owner (at least one).
    pub people: Vec<PersonId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where it came from: `manual`, or the file it was captured from.
    pub source: String,
}

/// Reads when something happened: `today`, `yesterday`, `N days ago`, a
/// date (`2026-11-20`, taken as noon UTC so that no time zone moves it to
/// another day) or a timestamp (`2026-11-20T09:30:00Z`). `now` is in
/// microseconds. Something more than a day ahead has not happened yet.
pub fn parse_when(text: &str, now: i64) -> Result<i64, String> {
    const DAY: i64 = 86_400_000_000;
    let t = text.trim().to_ascii_lowercase();
    let at = match t.as_str() {
        "" | "now" => now,
        "today" => noon_of(now),
        "yesterday" => noon_of(now - DAY),
        _ => {
            if let Some(n) = t.strip_suffix(" days ago").or(t.strip_suffix(" day ago")) {
                let n: i64 = n
                    .trim()
                    .parse()
                    .map_err(|_| format!("{text:?}: use a number of days, as in \"3 days ago\""))?;
                if !(0..=36_500).contains(&n) {
                    return Err(format!("{text:?}: at most 36500 days ago"));
                }
                noon_of(now - n * DAY)
            } else if let Ok(ts) = t.to_uppercase().parse::<jiff::Timestamp>() {
                ts.as_microsecond()
            } else if let Ok(date) = t.parse::<jiff::civil::Date>() {
                date.at(12, 0, 0, 0)
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .map_err(|e| format!("{text:?}: {e}"))?
                    .timestamp()
                    .as_microsecond()
            } else {
                return Err(format!(
                    "{text:?} is not a date: use YYYY-MM-DD, a timestamp such as 2026-11-20T09:30:00Z, today, yesterday or \"N days ago\""
                ));
            }
        }
    };
    if at > now + DAY {
        return Err(format!("{text:?} is in the future: log what has happened"));
    }
    Ok(at)
}

/// Noon UTC of the day `micros` falls on.
fn noon_of(micros: i64) -> i64 {
    const DAY: i64 = 86_400_000_000;
    micros.div_euclid(DAY) * DAY + DAY / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000_000_000; // 2026-11-18T…Z

    #[test]
    fn dates_timestamps_and_words() {
        let day = parse_when("2026-11-10", NOW).unwrap();
        assert_eq!(
            jiff::Timestamp::from_microsecond(day).unwrap().to_string(),
            "2026-11-10T12:00:00Z"
        );
        let ts = parse_when("2026-11-10T09:30:00Z", NOW).unwrap();
        assert_eq!(day - ts, 150 * 60 * 1_000_000);
        assert_eq!(
            parse_when("yesterday", NOW).unwrap() + 86_400_000_000,
            parse_when("today", NOW).unwrap()
        );
        assert_eq!(
            parse_when("3 days ago", NOW).unwrap(),
            parse_when("today", NOW).unwrap() - 3 * 86_400_000_000
        );
        assert_eq!(parse_when("", NOW).unwrap(), NOW);
        for bad in ["2026-13-01", "next tuesday", "2099-01-01", "x days ago"] {
            assert!(parse_when(bad, NOW).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_read_back() {
        for k in InteractionKind::ALL {
            assert_eq!(InteractionKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            InteractionKind::parse(" Coffee "),
            Some(InteractionKind::Coffee)
        );
        assert_eq!(InteractionKind::parse("tea"), None);
    }
}
