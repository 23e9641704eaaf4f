//! Ties between two people and why they are as strong as they are: set by
//! hand with a kind, or inferred from evidence (the same email threads or
//! meetings, positions at one organisation overlapping in time), and what
//! a member lets their connections see of the people they know. Pure
//! arithmetic; docs/network.md gives the figures and the reasons.

use crate::Position;
use crate::dates::parse_partial_date;
use crate::strength::Circle;
use serde::{Deserialize, Serialize};

/// The kind of a tie set by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieKind {
    Colleague,
    Vendor,
    Client,
    Friend,
    Family,
    Mentor,
    IntroducedBy,
}

impl TieKind {
    pub const ALL: [TieKind; 7] = [
        TieKind::Colleague,
        TieKind::Vendor,
        TieKind::Client,
        TieKind::Friend,
        TieKind::Family,
        TieKind::Mentor,
        TieKind::IntroducedBy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TieKind::Colleague => "colleague",
            TieKind::Vendor => "vendor",
            TieKind::Client => "client",
            TieKind::Friend => "friend",
            TieKind::Family => "family",
            TieKind::Mentor => "mentor",
            TieKind::IntroducedBy => "introduced-by",
        }
    }

    pub fn parse(s: &str) -> Option<TieKind> {
        let s = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        TieKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The strength of a tie of this kind when none is given: family and
    /// friends closest, a one-off introduction least.
    pub fn default_strength(self) -> f64 {
        match self {
            TieKind::Family => 0.9,
            TieKind::Friend => 0.8,
            TieKind::Mentor => 0.7,
            TieKind::Colleague => 0.6,
            TieKind::Client | TieKind::Vendor => 0.5,
            TieKind::IntroducedBy => 0.4,
        }
    }
}

/// One reason two people are tied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "evidence", rename_all = "snake_case")]
pub enum Evidence {
    /// Set by hand, with a strength or the kind's default.
    Explicit {
        kind: TieKind,
        strength: Option<f64>,
    },
    /// Both on the same email threads or in the same meetings.
    Together { messages: u32, meetings: u32 },
    /// Positions at one organisation that overlapped in time; `months` 0
    /// when both are there now and the dates are unknown.
    Colleagues { organization: String, months: u32 },
    /// The account owner's own relationship with a contact.
    Yours {
        score: f64,
        circle: Circle,
        pinned: bool,
    },
    /// The same person in two members' address books (a shared email,
    /// phone or LinkedIn profile), or a member's card and the member.
    SamePerson,
}

/// The weakest tie kith keeps: having someone's card.
pub const CARD_ONLY: f64 = 0.05;

impl Evidence {
    /// What this evidence alone makes the tie worth, in (0, 1].
    pub fn strength(&self) -> f64 {
        match self {
            Evidence::Explicit { kind, strength } => strength.unwrap_or(kind.default_strength()),
            // Each shared thread adds less; a meeting counts twice; never
            // as strong as a tie someone vouches for.
            Evidence::Together { messages, meetings } => {
                let n = f64::from(*messages) + 2.0 * f64::from(*meetings);
                (1.0 - 0.85f64.powf(n)).min(0.8)
            }
            // Years side by side count, up to a point.
            Evidence::Colleagues { months, .. } => {
                (0.2 + 0.05 * f64::from(*months) / 12.0).min(0.5)
            }
            Evidence::Yours { score, .. } => score.max(CARD_ONLY),
            Evidence::SamePerson => 1.0,
        }
    }

    /// The reason in words, naming nobody but whose address book the
    /// owner's own tie comes from (None: the reader's own).
    pub fn explain(&self, whose: Option<&str>) -> String {
        match self {
            Evidence::Explicit { kind, strength } => match strength {
                Some(s) => format!(
                    "{} (set by hand, {:.0}%)",
                    kind.as_str().replace('-', " "),
                    s * 100.0
                ),
                None => format!("{} (set by hand)", kind.as_str().replace('-', " ")),
            },
            Evidence::Together { messages, meetings } => {
                let mut parts = Vec::new();
                if *messages > 0 {
                    parts.push(plural(
                        *messages,
                        "shared email thread",
                        "shared email threads",
                    ));
                }
                if *meetings > 0 {
                    parts.push(plural(*meetings, "meeting together", "meetings together"));
                }
                parts.join(" and ")
            }
            Evidence::Colleagues {
                organization,
                months,
            } => match months {
                0 => format!("both at {organization}"),
                m if *m < 12 => format!(
                    "worked together at {organization} for {}",
                    plural(*m, "month", "months")
                ),
                m => format!(
                    "worked together at {organization} for {}",
                    plural(m / 12, "year", "years")
                ),
            },
            Evidence::Yours {
                score,
                circle,
                pinned,
            } => {
                let (who, whose) = match whose {
                    None => ("you".to_string(), "your".to_string()),
                    Some(name) => (name.to_string(), format!("{name}'s")),
                };
                if *pinned {
                    format!("{who} pinned them to {}", circle.describe())
                } else if *score <= 0.0 {
                    format!("in {whose} address book")
                } else {
                    format!("{whose} tie: {} ({:.0}%)", circle.describe(), score * 100.0)
                }
            }
            Evidence::SamePerson => "the same person".to_string(),
        }
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A tie's strength from all its evidence: a strength set by hand wins;
/// otherwise each piece of evidence is an independent chance that the tie
/// is real (1 - the product of their complements).
pub fn tie_strength(evidence: &[Evidence]) -> f64 {
    if let Some(s) = evidence.iter().find_map(|e| match e {
        Evidence::Explicit {
            strength: Some(s), ..
        } => Some(*s),
        _ => None,
    }) {
        return s.clamp(0.01, 1.0);
    }
    let miss: f64 = evidence.iter().map(|e| 1.0 - e.strength()).product();
    (1.0 - miss).clamp(0.01, 1.0)
}

/// How many months two positions overlapped; `Some(0)` when both are
/// current and their dates unknown; None when they did not overlap or the
/// dates cannot tell. `today` is (year, month).
pub fn overlap_months(a: &Position, b: &Position, today: (i32, i32)) -> Option<u32> {
    let now = today.0 * 12 + today.1 - 1;
    let span = |p: &Position| -> Option<(i32, i32)> {
        let start = month_index(p.start.as_deref()?, false)?;
        let end = match p.end.as_deref() {
            None => now,
            Some(e) => month_index(e, true)?,
        };
        (start <= end).then_some((start, end))
    };
    match (span(a), span(b)) {
        (Some((s1, e1)), Some((s2, e2))) => {
            let months = e1.min(e2) - s1.max(s2) + 1;
            (months > 0).then_some(months as u32)
        }
        _ if a.end.is_none() && b.end.is_none() => Some(0),
        _ => None,
    }
}

/// A date as months since year 0; a bare year is its first month, or its
/// last when it ends a span.
fn month_index(value: &str, end: bool) -> Option<i32> {
    if let Some(d) = parse_partial_date(value) {
        return Some(i32::from(d.year?) * 12 + i32::from(d.month) - 1);
    }
    let year: i32 = value.trim().get(..4)?.parse().ok()?;
    Some(year * 12 + if end { 11 } else { 0 })
}

/// What a member lets their connections use of the people they know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    /// Not used for anyone's paths.
    Nothing,
    /// Used, shown as "someone at ORGANISATION (TITLE)".
    Role,
    /// Used and shown by name.
    Name,
}

impl Sharing {
    pub const ALL: [Sharing; 3] = [Sharing::Nothing, Sharing::Role, Sharing::Name];

    pub fn as_str(self) -> &'static str {
        match self {
            Sharing::Nothing => "nothing",
            Sharing::Role => "role",
            Sharing::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<Sharing> {
        let s = s.trim().to_ascii_lowercase();
        Sharing::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Sharing::Nothing => "nothing: your contacts are never used for your connections' paths",
            Sharing::Role => "their organisation and title: \"someone at Acme (CTO)\"",
            Sharing::Name => "their name",
        }
    }

    /// A person's level: their own rule, else the most private of their
    /// tags' rules, else the account's, else [`Sharing::Role`].
    pub fn resolve(
        person: Option<Sharing>,
        tags: impl IntoIterator<Item = Sharing>,
        account: Option<Sharing>,
    ) -> Sharing {
        person
            .or_else(|| tags.into_iter().min())
            .or(account)
            .unwrap_or(Sharing::Role)
    }

    /// The level of a person made of several merged people (`parts`: the
    /// person's own rule and the rule of each person merged into them,
    /// None where a part has none): each part judged as [`Self::resolve`]
    /// would with the merged person's tags, and the most private wins, so
    /// that a merge never shows more of anyone than before it. One part
    /// (no merge) is [`Self::resolve`].
    pub fn resolve_parts(
        parts: &[Option<Sharing>],
        tags: &[Sharing],
        account: Option<Sharing>,
    ) -> Sharing {
        let whole = |part: Option<Sharing>| Sharing::resolve(part, tags.iter().copied(), account);
        parts
            .iter()
            .map(|p| whole(*p))
            .min()
            .unwrap_or_else(|| whole(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Option<&str>, end: Option<&str>) -> Position {
        Position {
            organization: "Acme".into(),
            start: start.map(str::to_string),
            end: end.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn positions_overlap_by_months() {
        let today = (2026, 11);
        assert_eq!(
            overlap_months(
                &at(Some("2019-03"), Some("2021-02")),
                &at(Some("2020-01-15"), None),
                today
            ),
            Some(14)
        );
        assert_eq!(
            overlap_months(
                &at(Some("2019"), Some("2019")),
                &at(Some("2019-06"), Some("2020")),
                today
            ),
            Some(7)
        );
        assert_eq!(
            overlap_months(
                &at(Some("2010"), Some("2012")),
                &at(Some("2015"), None),
                today
            ),
            None
        );
        assert_eq!(
            overlap_months(&at(None, None), &at(None, None), today),
            Some(0)
        );
        assert_eq!(
            overlap_months(&at(None, Some("2012")), &at(None, None), today),
            None
        );
    }

    #[test]
    fn a_strength_set_by_hand_wins_and_evidence_adds_up() {
        let hand = Evidence::Explicit {
            kind: TieKind::Friend,
            strength: Some(0.3),
        };
        let mail = Evidence::Together {
            messages: 10,
            meetings: 0,
        };
        assert_eq!(tie_strength(&[mail.clone(), hand]), 0.3);
        let work = Evidence::Colleagues {
            organization: "Acme".into(),
            months: 24,
        };
        let both = tie_strength(&[mail.clone(), work.clone()]);
        assert!(both > mail.strength() && both > work.strength() && both < 1.0);
        assert_eq!(work.explain(None), "worked together at Acme for 2 years");
        assert_eq!(
            Evidence::Together {
                messages: 1,
                meetings: 2
            }
            .explain(None),
            "1 shared email thread and 2 meetings together"
        );
    }

    #[test]
    fn sharing_takes_the_most_specific_then_most_private_rule() {
        use Sharing::*;
        assert_eq!(Sharing::resolve(None, [], None), Role);
        assert_eq!(Sharing::resolve(None, [], Some(Name)), Name);
        assert_eq!(Sharing::resolve(None, [Name, Nothing], Some(Name)), Nothing);
        assert_eq!(Sharing::resolve(Some(Name), [Nothing], Some(Nothing)), Name);
    }

    #[test]
    fn a_merged_person_keeps_the_most_private_level_of_its_parts() {
        use Sharing::*;
        // One part: as resolve.
        assert_eq!(
            Sharing::resolve_parts(&[Some(Name)], &[Nothing], None),
            Name
        );
        assert_eq!(Sharing::resolve_parts(&[], &[], Some(Name)), Name);
        // A part hidden by hand hides the whole.
        assert_eq!(
            Sharing::resolve_parts(&[Some(Name), Some(Nothing)], &[], Some(Name)),
            Nothing
        );
        // A part without a rule of its own takes the merged tags' rule.
        assert_eq!(
            Sharing::resolve_parts(&[Some(Name), None], &[Nothing], Some(Name)),
            Nothing
        );
        // ... else the account's.
        assert_eq!(Sharing::resolve_parts(&[Some(Name), None], &[], None), Role);
        assert_eq!(TieKind::parse("Introduced by"), Some(TieKind::IntroducedBy));
    }
}
