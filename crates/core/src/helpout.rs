//! "What can I do for them": needs matched with offers and positions. A
//! need and a candidate (an offer, or someone's job title) are reduced to
//! keywords (folded, common words dropped, endings cut so that "designers"
//! and "design" meet); a candidate helps when the words they share cover
//! at least 40% of the need's weight, rarer words weighing more.

use crate::names::normalize;
use std::collections::HashMap;

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

/// A candidate who can help with a need.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// Index of the need.
    pub need: usize,
    /// Index of the candidate.
    pub helper: usize,
    /// How much of the need's weight their words cover, in (0, 1].
    pub score: f64,
    /// The keywords they share.
    pub shared: Vec<String>,
}

/// The least part of a need's weight a candidate must cover.
pub const MIN_COVER: f64 = 0.4;

/// Every candidate that helps with each need (never the need's own
/// person), best first per need.
pub fn match_needs<P: PartialEq>(needs: &[Entry<P>], candidates: &[Entry<P>]) -> Vec<Match> {
    let cand_words: Vec<Vec<String>> = candidates.iter().map(Entry::words).collect();
    let need_words: Vec<Vec<String>> = needs.iter().map(Entry::words).collect();
    // Inverse document frequency over every need and candidate, and which
    // candidates hold each word (only they can meet a need with it).
    let mut df: HashMap<&str, usize> = HashMap::new();
    for words in cand_words.iter().chain(&need_words) {
        for w in words {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let mut holders: HashMap<&str, Vec<usize>> = HashMap::new();
    for (ci, words) in cand_words.iter().enumerate() {
        for w in words {
            holders.entry(w.as_str()).or_default().push(ci);
        }
    }
    let docs = (cand_words.len() + need_words.len()) as f64;
    let idf = |w: &str| (1.0 + docs / (*df.get(w).unwrap_or(&1) as f64)).ln();
    let mut out = Vec::new();
    for (ni, (need, words)) in needs.iter().zip(&need_words).enumerate() {
        let total: f64 = words.iter().map(|w| idf(w)).sum();
        if total <= 0.0 {
            continue;
        }
        // Each candidate's shared words, in the need's order.
        let mut shared: HashMap<usize, Vec<&String>> = HashMap::new();
        for w in words {
            for &ci in holders.get(w.as_str()).into_iter().flatten() {
                shared.entry(ci).or_default().push(w);
            }
        }
        let mut found: Vec<Match> = shared
            .into_iter()
            .filter(|(ci, _)| candidates[*ci].person != need.person)
            .filter_map(|(ci, words)| {
                let score = words.iter().map(|w| idf(w)).sum::<f64>() / total;
                (score >= MIN_COVER - 1e-9).then(|| Match {
                    need: ni,
                    helper: ci,
                    score,
                    shared: words.into_iter().cloned().collect(),
                })
            })
            .collect();
        found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.helper.cmp(&b.helper)));
        out.extend(found);
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
        let m = match_needs(&needs, &cands);
        let pairs: Vec<(usize, usize)> = m.iter().map(|m| (m.need, m.helper)).collect();
        assert!(pairs.contains(&(0, 1)) && pairs.contains(&(0, 5)));
        assert!(!pairs.contains(&(0, 0)));
        assert!(pairs.contains(&(1, 2)));
        assert!(pairs.contains(&(2, 3)));
        assert!(!pairs.iter().any(|p| p.1 == 4));
        let data = m.iter().find(|m| m.need == 1).unwrap();
        assert_eq!(data.shared, ["data", "engine"]);
        assert!((data.score - 1.0).abs() < 1e-9);
    }
}
