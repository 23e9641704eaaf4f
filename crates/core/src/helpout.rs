//! "What can I do for them": needs matched with offers and positions. A
//! need and a candidate (an offer, or someone's job title) are reduced to
//! keywords (folded, common words dropped, endings cut so that "designers"
//! and "design" meet); a candidate helps when the words they share cover
//! at least 40% of the need's weight, rarer words weighing more.

use crate::names::normalize;
use std::collections::HashMap;
use std::hash::Hash;

/// Words that say nothing of what is needed or offered.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "by",
    "can",
    "could",
    "for",
    "from",
    "get",
    "good",
    "great",
    "has",
    "have",
    "help",
    "her",
    "hire",
    "hiring",
    "his",
    "in",
    "intro",
    "introduction",
    "is",
    "job",
    "jobs",
    "know",
    "knows",
    "looking",
    "my",
    "need",
    "needs",
    "new",
    "of",
    "on",
    "or",
    "our",
    "people",
    "person",
    "role",
    "seek",
    "seeking",
    "some",
    "someone",
    "somebody",
    "the",
    "their",
    "to",
    "want",
    "wants",
    "who",
    "with",
    "work",
];

/// Endings cut from a word, longest first, while the stem keeps 4 letters.
const ENDINGS: &[&str] = &["ment", "ing", "ers", "ist", "er", "or", "es", "s"];

/// The keywords of a text: "Hiring two Product Designers" → {"two",
/// "product", "design"}.
pub fn keywords(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in normalize(text).split(' ') {
        if word.len() < 2 || STOP_WORDS.contains(&word) {
            continue;
        }
        let stem = stem(word);
        if !out.contains(&stem) {
            out.push(stem);
        }
    }
    out
}

fn stem(word: &str) -> String {
    let mut w = word.to_string();
    loop {
        let cut = ENDINGS
            .iter()
            .find(|e| w.ends_with(*e) && w.len() - e.len() >= 4);
        match cut {
            Some(e) => w.truncate(w.len() - e.len()),
            None => return w,
        }
    }
}

/// A need, an offer or a position, of one person.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<P> {
    pub person: P,
    pub text: String,
    pub tags: Vec<String>,
}

impl<P> Entry<P> {
    fn words(&self) -> Vec<String> {
        let mut w = keywords(&self.text);
        for t in self.tags.iter().flat_map(|t| keywords(t)) {
            if !w.contains(&t) {
                w.push(t);
            }
        }
        w
    }
}

/// A person who can help with a need: the candidate entries of theirs that
/// meet it, the best first.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// Indexes of the candidates (one person's offers and positions).
    pub helpers: Vec<usize>,
    /// How much of the need's weight the best one's words cover, in (0, 1].
    pub score: f64,
    /// The keywords the best one shares with the need.
    pub shared: Vec<String>,
}

/// The people who can help with one need.
#[derive(Clone, Debug, PartialEq)]
pub struct NeedMatches {
    /// Index of the need.
    pub need: usize,
    /// How many people can help.
    pub people: usize,
    /// The best of them: highest score, then closest, at most `keep`.
    pub best: Vec<Match>,
}

/// The least part of a need's weight a candidate must cover.
pub const MIN_COVER: f64 = 0.4;

/// For each need that someone can meet (never the need's own person), how
/// many people can, and the `keep` best of them: highest score first, then
/// the highest `closeness`. A need's words score every candidate holding
/// them through an index of words (so a need costs what its words' holders
/// cost, not the whole network).
pub fn match_needs<P: Eq + Hash + Clone>(
    needs: &[Entry<P>],
    candidates: &[Entry<P>],
    keep: usize,
    closeness: impl Fn(&P) -> i64,
) -> Vec<NeedMatches> {
    // Many candidates share a text or tag (a title, an organisation): each
    // string is reduced to keywords once.
    let mut seen: HashMap<&str, Vec<String>> = HashMap::new();
    let cand_words: Vec<Vec<String>> = candidates
        .iter()
        .map(|c| {
            let mut words: Vec<String> = Vec::new();
            for text in std::iter::once(&c.text).chain(&c.tags) {
                for w in seen
                    .entry(text.as_str())
                    .or_insert_with(|| keywords(text))
                    .iter()
                {
                    if !words.contains(w) {
                        words.push(w.clone());
                    }
                }
            }
            words
        })
        .collect();
    let need_words: Vec<Vec<String>> = needs.iter().map(Entry::words).collect();
    // Inverse document frequency over every need and candidate, and which
    // candidates hold each word.
    let mut df: HashMap<&str, usize> = HashMap::new();
    for words in cand_words.iter().chain(&need_words) {
        for w in words {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut holders: HashMap<&str, Vec<u32>> = HashMap::new();
    for (ci, words) in cand_words.iter().enumerate() {
        for w in words {
            holders.entry(w.as_str()).or_default().push(ci as u32);
        }
    }
    let docs = (cand_words.len() + need_words.len()) as f64;
    let idf = |w: &str| (1.0 + docs / (*df.get(w).unwrap_or(&1) as f64)).ln();
    // Each candidate's covered weight for the current need, and who got one.
    let mut covered = vec![0.0f64; candidates.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    for (ni, (need, words)) in needs.iter().zip(&need_words).enumerate() {
        let total: f64 = words.iter().map(|w| idf(w)).sum();
        if total <= 0.0 {
            continue;
        }
        for w in words {
            let weight = idf(w);
            for &ci in holders.get(w.as_str()).into_iter().flatten() {
                if covered[ci as usize] == 0.0 {
                    touched.push(ci);
                }
                covered[ci as usize] += weight;
            }
        }
        // Per person: their candidates that meet the need, best first.
        let mut people: HashMap<&P, (f64, Vec<usize>)> = HashMap::new();
        for ci in touched.drain(..) {
            let ci = ci as usize;
            let score = std::mem::take(&mut covered[ci]) / total;
            let who = &candidates[ci].person;
            if score < MIN_COVER - 1e-9 || *who == need.person {
                continue;
            }
            let e = people.entry(who).or_insert((score, Vec::new()));
            e.0 = e.0.max(score);
            e.1.push(ci);
        }
        if people.is_empty() {
            continue;
        }
        let count = people.len();
        let mut ranked: Vec<(f64, i64, Vec<usize>)> = people
            .into_iter()
            .map(|(who, (score, cis))| (score, closeness(who), cis))
            .collect();
        ranked.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(a.2.iter().min().cmp(&b.2.iter().min()))
        });
        ranked.truncate(keep);
        let best = ranked
            .into_iter()
            .map(|(score, _, mut cis)| {
                let cover = |ci: usize| -> f64 {
                    words
                        .iter()
                        .filter(|w| cand_words[ci].contains(w))
                        .map(|w| idf(w))
                        .sum()
                };
                cis.sort_by(|a, b| cover(*b).total_cmp(&cover(*a)).then(a.cmp(b)));
                let shared = words
                    .iter()
                    .filter(|w| cand_words[cis[0]].contains(w))
                    .cloned()
                    .collect();
                Match {
                    helpers: cis,
                    score,
                    shared,
                }
            })
            .collect();
        out.push(NeedMatches {
            need: ni,
            people: count,
            best,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(person: u32, text: &str) -> Entry<u32> {
        Entry {
            person,
            text: text.into(),
            tags: vec![],
        }
    }

    #[test]
    fn keywords_meet_across_word_forms() {
        assert_eq!(keywords("Hiring a Product Designer"), ["product", "design"]);
        assert_eq!(keywords("designers"), ["design"]);
        assert_eq!(keywords("a job in data engineering"), ["data", "engine"]);
        assert_eq!(keywords("Data Engineer"), ["data", "engine"]);
        assert_eq!(keywords("investors; investment"), ["invest"]);
    }

    #[test]
    fn needs_meet_offers_and_positions() {
        let needs = vec![
            e(1, "hiring a designer"),
            e(2, "a job in data engineering"),
            e(3, "a flat in Berlin"),
        ];
        let cands = vec![
            e(1, "Senior Designer at Acme"), // the need's own person: never
            e(4, "Product Designer at Globex"),
            e(5, "Data Engineer at Initech"),
            e(6, "knows every landlord in Berlin"),
            e(7, "Accountant at Umbrella"),
            Entry {
                person: 8,
                text: "UX".into(),
                tags: vec!["design".into()],
            },
        ];
        let m = match_needs(&needs, &cands, 10, |_| 0);
        let pairs: Vec<(usize, usize)> = m
            .iter()
            .flat_map(|n| n.best.iter().map(move |b| (n.need, b.helpers[0])))
            .collect();
        assert!(pairs.contains(&(0, 1)) && pairs.contains(&(0, 5)));
        assert!(!pairs.contains(&(0, 0)));
        assert!(pairs.contains(&(1, 2)));
        assert!(pairs.contains(&(2, 3)));
        assert!(!pairs.iter().any(|p| p.1 == 4));
        assert_eq!(m[0].people, 2);
        let data = &m.iter().find(|n| n.need == 1).unwrap().best[0];
        assert_eq!(data.shared, ["data", "engine"]);
        assert!((data.score - 1.0).abs() < 1e-9);
        // Equal fits: the closer person first.
        let closest = match_needs(&needs[..1], &cands, 1, |p| i64::from(*p == 8));
        assert_eq!(closest[0].best[0].helpers, [5]);
        assert_eq!(closest[0].people, 2);
    }
}
