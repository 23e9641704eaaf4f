//! What is new about a person between two cards of them (a job, a title,
//! a city, addresses, numbers, websites, a name, a headline), for the
//! "what changed" feed and the history; and how much each kind matters.
//! Only compares cards: storing and showing changes is the app's.

use crate::model::{Card, ContactPoint, Position};
use crate::mycard::HEADLINE_PROPERTY;
use crate::names::normalize;
use serde::{Deserialize, Serialize};

/// Where a change came from: the member's own card (they changed it) or
/// an imported file that said so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOrigin {
    Member,
    Import,
}

impl ChangeOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOrigin::Member => "member",
            ChangeOrigin::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeOrigin> {
        [ChangeOrigin::Member, ChangeOrigin::Import]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// What changed about a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A new organisation.
    Job,
    /// A new title at the same organisation.
    Title,
    City,
    Email,
    Phone,
    Website,
    Name,
    Headline,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Job => "job",
            ChangeKind::Title => "title",
            ChangeKind::City => "city",
            ChangeKind::Email => "email",
            ChangeKind::Phone => "phone",
            ChangeKind::Website => "website",
            ChangeKind::Name => "name",
            ChangeKind::Headline => "headline",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Job,
            ChangeKind::Title,
            ChangeKind::City,
            ChangeKind::Email,
            ChangeKind::Phone,
            ChangeKind::Website,
            ChangeKind::Name,
            ChangeKind::Headline,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// How much a change of this kind matters in the feed: a new job most,
    /// then a new title or city, then new ways to reach someone.
    pub fn weight(self) -> f64 {
        match self {
            ChangeKind::Job => 3.0,
            ChangeKind::Title | ChangeKind::City => 2.0,
            ChangeKind::Name | ChangeKind::Headline | ChangeKind::Email | ChangeKind::Phone => 1.0,
            ChangeKind::Website => 0.5,
        }
    }
}

/// One change: its kind, the value before (may be empty) and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub old: String,
    pub new: String,
}

/// A position as one line: "CTO at Acme", "Acme", "CTO".
pub fn position_line(p: &Position) -> String {
    match (p.title.trim(), p.organization.trim()) {
        ("", o) => o.to_string(),
        (t, "") => t.to_string(),
        (t, o) => format!("{t} at {o}"),
    }
}

fn headline(card: &Card) -> Option<String> {
    card.extra.iter().find_map(|e| {
        e.line
            .split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case(HEADLINE_PROPERTY))
            .map(|(_, v)| {
                v.replace("\\,", ",")
                    .replace("\\;", ";")
                    .replace("\\\\", "\\")
            })
    })
}

/// Whether two place names are one place written two ways: case, accents
/// and the German way of writing umlauts aside ("Köln", "Koeln", "KOLN").
pub fn same_place(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        normalize(s)
            .replace("ae", "a")
            .replace("oe", "o")
            .replace("ue", "u")
            .replace("ss", "s")
    };
    fold(a) == fold(b)
}

/// What is new in `new` compared with `old`: a current position at an
/// organisation `old` had no current position at (a job), a new title at
/// the same one, a new city, new addresses, numbers and websites, another
/// name or headline. Values only removed are not news.
pub fn changes(old: &Card, new: &Card) -> Vec<Change> {
    let mut out = Vec::new();
    let current = |c: &Card| -> Vec<(String, String, String)> {
        c.positions
            .iter()
            .filter(|p| p.is_current() && !p.organization.trim().is_empty())
            .map(|p| {
                (
                    normalize(&p.organization),
                    normalize(&p.title),
                    position_line(p),
                )
            })
            .collect()
    };
    let (was, now) = (current(old), current(new));
    let before_line = old
        .current_position()
        .map(position_line)
        .unwrap_or_default();
    for (org, title, line) in &now {
        if !was.iter().any(|(o, _, _)| o == org) {
            out.push(Change {
                kind: ChangeKind::Job,
                old: before_line.clone(),
                new: line.clone(),
            });
        } else if !title.is_empty() && !was.iter().any(|(o, t, _)| o == org && t == title) {
            let old_line = was
                .iter()
                .find(|(o, _, _)| o == org)
                .map(|w| w.2.clone())
                .unwrap_or_default();
            out.push(Change {
                kind: ChangeKind::Title,
                old: old_line,
                new: line.clone(),
            });
        }
    }
    let cities = |c: &Card| -> Vec<String> {
        c.addresses
            .iter()
            .map(|a| a.locality.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let old_cities = cities(old);
    for city in cities(new) {
        if !old_cities.iter().any(|c| same_place(c, &city)) {
            out.push(Change {
                kind: ChangeKind::City,
                old: old_cities.first().cloned().unwrap_or_default(),
                new: city,
            });
        }
    }
    let points =
        |kind: ChangeKind, a: &[ContactPoint], b: &[ContactPoint], out: &mut Vec<Change>| {
            for p in b {
                if !a.iter().any(|q| q.value.eq_ignore_ascii_case(&p.value)) {
                    out.push(Change {
                        kind,
                        old: a.first().map(|q| q.value.clone()).unwrap_or_default(),
                        new: p.value.clone(),
                    });
                }
            }
        };
    points(ChangeKind::Email, &old.emails, &new.emails, &mut out);
    points(ChangeKind::Phone, &old.phones, &new.phones, &mut out);
    points(ChangeKind::Website, &old.urls, &new.urls, &mut out);
    if !new.name.is_empty() && !old.name.is_empty() && !new.name.same_as(&old.name) {
        out.push(Change {
            kind: ChangeKind::Name,
            old: old.name.display(),
            new: new.name.display(),
        });
    }
    if let Some(h) = headline(new).filter(|h| Some(h) != headline(old).as_ref()) {
        out.push(Change {
            kind: ChangeKind::Headline,
            old: headline(old).unwrap_or_default(),
            new: h,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_city_written_two_ways_is_no_move() {
        assert!(same_place("Köln", "Koeln"));
        assert!(same_place("München", "MUENCHEN"));
        assert!(same_place("Zürich", "Zurich"));
        assert!(!same_place("Köln", "Bonn"));
    }

    #[test]
    fn an_import_with_a_new_position_is_a_job_change() {
        let mut old = Card::default();
        old.positions.push(Position {
            organization: "Acme".into(),
            title: "Engineer".into(),
            ..Default::default()
        });
        let mut new = old.clone();
        new.positions.push(Position {
            organization: "Initech".into(),
            title: "Lead".into(),
            ..Default::default()
        });
        let c = changes(&old, &new);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, ChangeKind::Job);
        assert!(changes(&new, &new).is_empty());
    }
}
