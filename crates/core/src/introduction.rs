//! Where an introduction request stands (the double opt-in: the member
//! asked, then the person asked about), with each state's stored and
//! shown name. The moves between states are the app's; this only names
//! them.

use std::fmt;

/// The state of an introduction request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntroStatus {
    /// Waiting for the member asked (the broker).
    Asked,
    /// The broker said yes; waiting for the person's answer.
    Accepted,
    /// The broker said no.
    Declined,
    /// The requester took it back.
    Withdrawn,
    /// The person said yes: everyone was introduced.
    Introduced,
    /// The person said no.
    Refused,
}

impl IntroStatus {
    pub const ALL: [IntroStatus; 6] = [
        IntroStatus::Asked,
        IntroStatus::Accepted,
        IntroStatus::Declined,
        IntroStatus::Withdrawn,
        IntroStatus::Introduced,
        IntroStatus::Refused,
    ];

    /// `asked`, `accepted`, `declined`, `withdrawn`, `introduced` or `refused`.
    pub fn as_str(self) -> &'static str {
        match self {
            IntroStatus::Asked => "asked",
            IntroStatus::Accepted => "accepted",
            IntroStatus::Declined => "declined",
            IntroStatus::Withdrawn => "withdrawn",
            IntroStatus::Introduced => "introduced",
            IntroStatus::Refused => "refused",
        }
    }

    /// Exactly one of the names `as_str` gives.
    pub fn parse(s: &str) -> Option<IntroStatus> {
        IntroStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Still waiting for an answer (asked or accepted).
    pub fn is_open(self) -> bool {
        matches!(self, IntroStatus::Asked | IntroStatus::Accepted)
    }
}

impl fmt::Display for IntroStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_only_two_are_open() {
        for s in IntroStatus::ALL {
            assert_eq!(IntroStatus::parse(s.as_str()), Some(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        assert_eq!(IntroStatus::parse("Asked"), None);
        let open: Vec<_> = IntroStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open, [IntroStatus::Asked, IntroStatus::Accepted]);
    }
}
