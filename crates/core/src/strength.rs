//! How strong a relationship is, and why, from its interactions: a score in
//! [0, 1] that grows with how often and how recently the two were in touch,
//! counts a meeting above a message, two-way contact above one-way, and
//! fades with time. The formula and its parameters are in
//! docs/relationships.md; this module is pure arithmetic.

use crate::{Direction, InteractionKind};
use serde::{Deserialize, Serialize};

const DAY: f64 = 86_400_000_000.0;

/// The knobs of the formula (kith.toml `[strength]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrengthParams {
    /// After this many days an interaction counts half as much.
    pub half_life_days: f64,
    /// Weighted, decayed interactions at which the score reaches 63%
    /// (1 - 1/e); the score approaches 1 beyond.
    pub saturation: f64,
    /// What one-way contact counts for, against two-way (1.0).
    pub one_way: f64,
    /// The window the explanation counts in.
    pub window_days: i64,
    /// The lowest score of the inner circle, of close ties and of the
    /// network; below the last, a tie is distant.
    pub inner_from: f64,
    pub close_from: f64,
    pub network_from: f64,
}

impl Default for StrengthParams {
    fn default() -> Self {
        StrengthParams {
            half_life_days: 90.0,
            saturation: 4.0,
            one_way: 0.5,
            window_days: 90,
            inner_from: 0.6,
            close_from: 0.3,
            network_from: 0.1,
        }
    }
}

/// How much one interaction of a kind counts: meeting in person counts
/// most, a passing note least.
pub fn channel_weight(kind: InteractionKind) -> f64 {
    match kind {
        InteractionKind::Meeting | InteractionKind::Coffee | InteractionKind::Lunch => 1.0,
        InteractionKind::Call | InteractionKind::Introduction => 0.8,
        InteractionKind::Event => 0.6,
        InteractionKind::Message => 0.4,
        InteractionKind::Email => 0.3,
        InteractionKind::Note => 0.1,
    }
}

/// One interaction as the formula sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Touch {
    /// Microseconds since the epoch.
    pub at: i64,
    pub kind: InteractionKind,
    pub direction: Direction,
}

/// The rings of closeness, innermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Circle {
    Inner,
    Close,
    Network,
    Distant,
}

impl Circle {
    pub const ALL: [Circle; 4] = [
        Circle::Inner,
        Circle::Close,
        Circle::Network,
        Circle::Distant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Circle::Inner => "inner",
            Circle::Close => "close",
            Circle::Network => "network",
            Circle::Distant => "distant",
        }
    }

    /// In words: "the inner circle", "close ties", "the wider network", "distant ties".
    pub fn describe(self) -> &'static str {
        match self {
            Circle::Inner => "the inner circle",
            Circle::Close => "close ties",
            Circle::Network => "the wider network",
            Circle::Distant => "distant ties",
        }
    }

    pub fn parse(s: &str) -> Option<Circle> {
        let s = s.trim().to_ascii_lowercase();
        let s = s.strip_suffix(" circle").unwrap_or(&s);
        Circle::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The circle a score falls in.
    pub fn of_score(score: f64, p: &StrengthParams) -> Circle {
        if score >= p.inner_from {
            Circle::Inner
        } else if score >= p.close_from {
            Circle::Close
        } else if score >= p.network_from {
            Circle::Network
        } else {
            Circle::Distant
        }
    }

    /// The score a pinned circle stands for where ties are ranked: the
    /// middle of its band.
    pub fn typical_score(self, p: &StrengthParams) -> f64 {
        match self {
            Circle::Inner => (p.inner_from + 1.0) / 2.0,
            Circle::Close => (p.close_from + p.inner_from) / 2.0,
            Circle::Network => (p.network_from + p.close_from) / 2.0,
            Circle::Distant => p.network_from / 2.0,
        }
    }
}

/// A score with its reasons in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Strength {
    /// 0 (no contact) to 1, from the interactions alone.
    pub score: f64,
    /// "3 two-way coffees and 5 emails in the last 90 days; last met 3 weeks ago".
    pub explanation: String,
    /// The circle: the one the user pinned, else the score's.
    pub circle: Circle,
    /// The circle was pinned by hand.
    pub pinned: bool,
}

impl Strength {
    /// Pins the tie to `circle`, whatever the interactions say, and says so.
    pub fn pinned_to(mut self, circle: Circle) -> Strength {
        let computed = self.circle;
        self.explanation = if computed == circle {
            format!(
                "pinned to {} by you; {}",
                circle.describe(),
                self.explanation
            )
        } else {
            format!(
                "pinned to {} by you (the interactions alone say {}); {}",
                circle.describe(),
                computed.describe(),
                self.explanation
            )
        };
        self.circle = circle;
        self.pinned = true;
        self
    }

    /// The score to rank by: a pinned circle's typical score, else the score.
    pub fn effective(&self, p: &StrengthParams) -> f64 {
        if self.pinned {
            self.circle.typical_score(p)
        } else {
            self.score
        }
    }
}

/// The strength of a relationship from its interactions at `now`.
pub fn strength(touches: &[Touch], now: i64, p: &StrengthParams) -> Strength {
    if touches.is_empty() {
        return Strength {
            score: 0.0,
            explanation: "no interactions yet".into(),
            circle: Circle::of_score(0.0, p),
            pinned: false,
        };
    }
    let half_life = p.half_life_days.max(1.0);
    let mut points = 0.0;
    for t in touches {
        let age_days = ((now - t.at) as f64 / DAY).max(0.0);
        let decay = 0.5f64.powf(age_days / half_life);
        let way = if t.direction == Direction::Mutual {
            1.0
        } else {
            p.one_way
        };
        points += channel_weight(t.kind) * way * decay;
    }
    // Contact in both directions (not only mutual events) is reciprocal too:
    // one-way contact in both directions earns back what one-way lost.
    let outgoing = touches
        .iter()
        .filter(|t| t.direction == Direction::Outgoing)
        .count();
    let incoming = touches
        .iter()
        .filter(|t| t.direction == Direction::Incoming)
        .count();
    if outgoing > 0 && incoming > 0 {
        let balance = outgoing.min(incoming) as f64 / outgoing.max(incoming) as f64;
        points *= 1.0 + (1.0 / p.one_way.max(0.01) - 1.0) * balance * 0.5;
    }
    let score = 1.0 - (-points / p.saturation.max(0.01)).exp();
    let score = (score * 100.0).round() / 100.0;
    Strength {
        score,
        explanation: explain(touches, now, p, outgoing, incoming),
        circle: Circle::of_score(score, p),
        pinned: false,
    }
}

fn explain(
    touches: &[Touch],
    now: i64,
    p: &StrengthParams,
    outgoing: usize,
    incoming: usize,
) -> String {
    let window = p.window_days.max(1);
    let since = now - window * DAY as i64;
    let recent: Vec<&Touch> = touches.iter().filter(|t| t.at >= since).collect();
    let mut parts = Vec::new();
    let mut counted: Vec<(InteractionKind, usize, usize)> = Vec::new();
    for t in &recent {
        let two_way = t.direction == Direction::Mutual || (outgoing > 0 && incoming > 0);
        match counted.iter_mut().find(|(k, _, _)| *k == t.kind) {
            Some((_, n, both)) => {
                *n += 1;
                *both += usize::from(two_way);
            }
            None => counted.push((t.kind, 1, usize::from(two_way))),
        }
    }
    counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
    for (kind, n, both) in &counted {
        let noun = plural(kind.as_str(), *n);
        let way = if *both == *n {
            "two-way "
        } else if *both == 0 {
            "one-way "
        } else {
            ""
        };
        parts.push(format!("{n} {way}{noun}"));
    }
    let mut text = if parts.is_empty() {
        format!("nothing in the last {window} days")
    } else {
        format!("{} in the last {window} days", join_words(&parts))
    };
    let in_person = |k: InteractionKind| {
        matches!(
            k,
            InteractionKind::Meeting
                | InteractionKind::Coffee
                | InteractionKind::Lunch
                | InteractionKind::Event
        )
    };
    let last = touches.iter().map(|t| t.at).max().unwrap_or(now);
    match touches
        .iter()
        .filter(|t| in_person(t.kind))
        .map(|t| t.at)
        .max()
    {
        Some(met) => text.push_str(&format!("; last met {}", ago(now - met))),
        None => text.push_str("; never met in person"),
    }
    let met = touches
        .iter()
        .filter(|t| in_person(t.kind))
        .map(|t| t.at)
        .max();
    if met != Some(last) {
        text.push_str(&format!("; last contact {}", ago(now - last)));
    }
    text
}

fn plural(word: &str, n: usize) -> String {
    match (word, n) {
        (_, 1) => word.to_string(),
        ("coffee", _) => "coffees".into(),
        ("lunch", _) => "lunches".into(),
        ("email", _) => "emails".into(),
        (w, _) => format!("{w}s"),
    }
}

fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "today", "3 days ago", "2 weeks ago", "4 months ago", "2 years ago".
pub fn ago(micros: i64) -> String {
    let days = (micros.max(0) as f64 / DAY).floor() as i64;
    match days {
        0 => "today".into(),
        1 => "yesterday".into(),
        2..=13 => format!("{days} days ago"),
        14..=59 => format!("{} weeks ago", days / 7),
        60..=729 => format!("{} months ago", days / 30),
        _ => format!("{} years ago", days / 365),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_000_000_000_000;

    fn touch(days_ago: i64, kind: InteractionKind, direction: Direction) -> Touch {
        Touch {
            at: NOW - days_ago * DAY as i64,
            kind,
            direction,
        }
    }

    #[test]
    fn more_recent_more_frequent_and_two_way_is_stronger() {
        use Direction::*;
        use InteractionKind::*;
        let p = StrengthParams::default();
        let s = |t: &[Touch]| strength(t, NOW, &p).score;
        assert_eq!(s(&[]), 0.0);
        let recent = s(&[touch(3, Coffee, Mutual)]);
        let old = s(&[touch(300, Coffee, Mutual)]);
        assert!(recent > old && old > 0.0, "{recent} {old}");
        assert!(s(&[touch(3, Coffee, Mutual), touch(10, Coffee, Mutual)]) > recent);
        assert!(s(&[touch(3, Meeting, Mutual)]) > s(&[touch(3, Email, Mutual)]));
        let one_way = s(&[touch(3, Email, Outgoing), touch(5, Email, Outgoing)]);
        let two_way = s(&[touch(3, Email, Outgoing), touch(5, Email, Incoming)]);
        assert!(two_way > one_way, "{two_way} {one_way}");
        let many: Vec<Touch> = (0..200).map(|d| touch(d, Meeting, Mutual)).collect();
        let top = s(&many);
        assert!(top <= 1.0 && top > 0.99, "{top}");
    }

    #[test]
    fn it_explains_itself() {
        use Direction::*;
        use InteractionKind::*;
        let mut touches: Vec<Touch> = (0..12)
            .map(|i| {
                touch(
                    2 + i * 5,
                    Email,
                    if i % 2 == 0 { Outgoing } else { Incoming },
                )
            })
            .collect();
        touches.push(touch(21, Coffee, Mutual));
        touches.push(touch(400, Lunch, Mutual));
        let s = strength(&touches, NOW, &StrengthParams::default());
        assert_eq!(
            s.explanation,
            "12 two-way emails and 1 two-way coffee in the last 90 days; last met 3 weeks ago; last contact 2 days ago"
        );
        let none = strength(
            &[touch(500, Email, Outgoing)],
            NOW,
            &StrengthParams::default(),
        );
        assert_eq!(
            none.explanation,
            "nothing in the last 90 days; never met in person; last contact 16 months ago"
        );
    }
}
