//! Keep-in-touch: who is due for a catch-up. A person's cadence (every N
//! days) is their own, else the shortest of their tags' cadences; they are
//! due when the last contact is a cadence or more ago (or there was none),
//! unless snoozed. The list is ranked by how overdue, weighted by strength:
//! a strong tie left waiting comes before a weak one. Pure arithmetic.

use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400_000_000;

/// Where a person's cadence comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "name")]
pub enum CadenceSource {
    /// Set on the person.
    Person,
    /// From one of their tags (the shortest).
    Tag(String),
}

/// What the ranking needs to know of one person.
#[derive(Clone, Debug, PartialEq)]
pub struct DueInput {
    pub every_days: i64,
    pub source: CadenceSource,
    /// Microseconds; None: never in touch.
    pub last_contact: Option<i64>,
    /// Microseconds; not due before this.
    pub snoozed_until: Option<i64>,
    /// 0 to 1.
    pub strength: f64,
}

/// A due person's place in the list and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Due {
    /// Days past the cadence (a person never contacted counts one cadence).
    pub overdue_days: i64,
    /// Higher first.
    pub priority: f64,
    pub reason: String,
}

/// Whether someone is due at `now`, and if so how urgently.
pub fn due(input: &DueInput, now: i64) -> Option<Due> {
    if input.every_days <= 0 || input.snoozed_until.is_some_and(|s| s > now) {
        return None;
    }
    let every = input.every_days;
    let since_days = input.last_contact.map(|t| (now - t).max(0) / DAY);
    let overdue_days = match since_days {
        Some(d) if d < every => return None,
        Some(d) => d - every,
        None => every,
    };
    let waited = since_days.unwrap_or(2 * every) as f64 / every as f64;
    let priority = waited * (0.5 + input.strength.clamp(0.0, 1.0));
    let cadence = match &input.source {
        CadenceSource::Person => format!("every {every} days"),
        CadenceSource::Tag(t) => format!("every {every} days ({t})"),
    };
    let reason = match since_days {
        None => format!("never in touch; {cadence}"),
        Some(d) => format!(
            "last contact {}; {cadence}; {}",
            crate::strength::ago(d * DAY),
            if overdue_days == 0 {
                "due today".to_string()
            } else {
                format!("{overdue_days} days overdue")
            }
        ),
    };
    Some(Due {
        overdue_days,
        priority,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000_000_000;

    fn input(every: i64, last_days_ago: Option<i64>, strength: f64) -> DueInput {
        DueInput {
            every_days: every,
            source: CadenceSource::Person,
            last_contact: last_days_ago.map(|d| NOW - d * DAY),
            snoozed_until: None,
            strength,
        }
    }

    #[test]
    fn due_after_a_cadence_ranked_by_overdue_and_strength() {
        assert_eq!(due(&input(30, Some(10), 0.5), NOW), None, "not yet");
        let on_time = due(&input(30, Some(30), 0.5), NOW).unwrap();
        assert_eq!(on_time.overdue_days, 0);
        assert!(on_time.reason.ends_with("due today"), "{}", on_time.reason);
        let late = due(&input(30, Some(90), 0.5), NOW).unwrap();
        assert_eq!(late.overdue_days, 60);
        assert_eq!(
            late.reason,
            "last contact 3 months ago; every 30 days; 60 days overdue"
        );
        assert!(late.priority > on_time.priority);
        let strong = due(&input(30, Some(90), 0.9), NOW).unwrap();
        assert!(strong.priority > late.priority, "a strong tie first");
        let never = due(&input(30, None, 0.0), NOW).unwrap();
        assert_eq!(never.overdue_days, 30);
        assert_eq!(never.reason, "never in touch; every 30 days");
    }

    #[test]
    fn snoozed_and_tag_cadences() {
        let mut snoozed = input(30, Some(90), 0.5);
        snoozed.snoozed_until = Some(NOW + DAY);
        assert_eq!(due(&snoozed, NOW), None);
        snoozed.snoozed_until = Some(NOW - DAY);
        assert!(due(&snoozed, NOW).is_some(), "a snooze ends");
        let mut tagged = input(180, Some(200), 0.1);
        tagged.source = CadenceSource::Tag("network".into());
        assert!(
            due(&tagged, NOW)
                .unwrap()
                .reason
                .contains("every 180 days (network)")
        );
    }
}
