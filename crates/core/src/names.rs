//! Name comparison: normalisation (case, accents, punctuation), nickname
//! forms (Bob = Robert), initials, and whether two names can belong to the
//! same person. Used by identity matching; nothing here merges anything.

use crate::model::PersonName;
use deunicode::deunicode;

/// Lower-case ASCII letters and digits, words separated by one space.
/// "José  O'Neil-Smith" -> "jose o neil smith".
pub fn normalize(s: &str) -> String {
    let folded = if s.is_ascii() {
        s.to_string()
    } else {
        deunicode(s)
    };
    let mut out = String::with_capacity(folded.len());
    let mut space = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c.to_ascii_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Groups of given names that are forms of one another. Each line is one
/// family; a nickname may belong to several (Chris, Alex).
const NICKNAME_GROUPS: &[&[&str]] = &[
    &["robert", "bob", "bobby", "rob", "robbie", "bert"],
    &["william", "bill", "billy", "will", "willy", "liam"],
    &["richard", "rick", "ricky", "dick", "rich", "richie"],
    &["james", "jim", "jimmy", "jamie"],
    &["john", "jack", "johnny", "jon"],
    &["jonathan", "jon", "jonny"],
    &["michael", "mike", "mikey", "mick", "mickey"],
    &["thomas", "tom", "tommy"],
    &["david", "dave", "davey"],
    &["daniel", "dan", "danny"],
    &["christopher", "chris", "kit"],
    &["christine", "chris", "chrissy", "tina"],
    &["christina", "chris", "tina"],
    &["alexander", "alex", "sasha", "sandy", "xander"],
    &["alexandra", "alex", "sasha", "sandra", "sandy"],
    &["nicholas", "nick", "nicky", "nico"],
    &["anthony", "tony"],
    &["antonio", "toni", "tony"],
    &["joseph", "joe", "joey"],
    &["samuel", "sam", "sammy"],
    &["samantha", "sam", "sammy"],
    &["benjamin", "ben", "benny"],
    &["matthew", "matt", "matty"],
    &["patrick", "pat", "paddy"],
    &["patricia", "pat", "patty", "tricia", "trish"],
    &["margaret", "maggie", "meg", "peggy", "marge", "greta"],
    &[
        "elizabeth",
        "liz",
        "lizzie",
        "beth",
        "betty",
        "eliza",
        "libby",
        "elisabeth",
    ],
    &[
        "katherine",
        "kate",
        "katie",
        "kathy",
        "kat",
        "catherine",
        "kathryn",
        "cathy",
    ],
    &["jennifer", "jen", "jenny"],
    &["andrew", "andy", "drew"],
    &["edward", "ed", "eddie", "ted", "teddy", "ned"],
    &["steven", "steve", "stephen"],
    &["gregory", "greg"],
    &["henry", "harry", "hank"],
    &["susan", "sue", "susie", "suzanne"],
    &["rebecca", "becky", "becca"],
    &["abigail", "abby", "abbie"],
    &["frederick", "fred", "freddie", "freddy"],
    &["lawrence", "larry", "laurence"],
    &["jeffrey", "jeff", "geoffrey"],
    &["timothy", "tim", "timmy"],
    &["victoria", "vicky", "tori"],
    &["peter", "pete"],
    &["charles", "charlie", "chuck"],
    &["donald", "don", "donny"],
    &["ronald", "ron", "ronnie"],
    &["kenneth", "ken", "kenny"],
    &["joshua", "josh"],
    &["zachary", "zach", "zack"],
    &["nathaniel", "nathan", "nate"],
    &["gabriel", "gabe"],
    &["gabrielle", "gabby", "gaby"],
    &["raymond", "ray"],
    &["deborah", "debbie", "deb"],
    &["dorothy", "dot", "dottie"],
    &["barbara", "barb", "babs"],
    &["cynthia", "cindy"],
    &["jacqueline", "jackie"],
    &["theodore", "theo", "ted"],
    &["francis", "frank", "fran"],
    &["frances", "fran", "frankie"],
    &["vincent", "vince", "vinnie"],
    &["leonard", "leo", "len", "lenny"],
    &["douglas", "doug"],
    &["philip", "phil", "phillip"],
    &["eugene", "gene"],
    &["albert", "al", "bert"],
    &["alan", "al", "allan", "allen"],
    &["jose", "pepe"],
    &["francisco", "paco", "pancho"],
    &["manuel", "manolo"],
    &["giuseppe", "beppe", "peppe"],
    &["johannes", "hans", "jan"],
    &["wolfgang", "wolf"],
    &["aleksandr", "sasha", "alexander"],
    &["dmitri", "dima", "dmitry"],
    &["yekaterina", "katya", "ekaterina"],
    &["mohammed", "mohamed", "muhammad", "mohammad"],
    &["jacob", "jake", "jakob"],
    &["frank", "frankie"],
    &["gary", "gaz"],
    &["dennis", "denny"],
    &["gerald", "jerry", "gerry"],
    &["debra", "debbie", "deb"],
    &["pamela", "pam"],
    &["jessica", "jess", "jessie"],
    &["kimberly", "kim"],
    &["stephanie", "steph"],
    &["amanda", "mandy"],
    &["melissa", "missy", "mel"],
    &["alejandro", "alex", "ale"],
    &["guadalupe", "lupe"],
    &["antonio", "tono"],
    &["ricardo", "ricky", "rick"],
    &["fernando", "nando"],
    &["maximilian", "max", "maxi"],
    &["katharina", "kathi", "katja"],
    &["kathleen", "kathy", "kath"],
    &["alessandro", "sandro"],
    &["francesco", "franco", "cesco"],
    &["gabriel", "gabi"],
    &["sebastian", "basti", "seb"],
    &["sebastien", "seb"],
    &["nicolas", "nico"],
    &["nikhil", "nik"],
    &["siddharth", "sid"],
    &["aishwarya", "aish"],
];

/// True when one given name is a nickname form of the other (or the same).
pub fn nickname_equivalent(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    NICKNAME_GROUPS
        .iter()
        .any(|g| g.contains(&a) && g.contains(&b))
}

/// The canonical form (first name of each nickname family) of every
/// family `name` belongs to: `bob` -> `robert`; `chris` -> `christopher`,
/// `christine`, `christina`.
pub fn nickname_families(name: &str) -> impl Iterator<Item = &'static str> + '_ {
    NICKNAME_GROUPS
        .iter()
        .filter(move |g| g.contains(&name))
        .map(|g| g[0])
}

/// How two given names relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GivenMatch {
    /// Same after normalisation (accents and case ignored).
    Same,
    /// A nickname form (Bob / Robert).
    Nickname,
    /// One is the other's initial (J. / John).
    Initial,
    /// At least one side has no given name.
    Unknown,
    /// Clearly different given names.
    Different,
}

impl GivenMatch {
    /// Could these be the same person's given names?
    pub fn compatible(self) -> bool {
        !matches!(self, GivenMatch::Different)
    }
}

/// Compares two given names (first word of each, normalised).
/// Whether every letter of `s` is a Latin one (with or without accents):
/// names in other scripts are compared through a transliteration, which
/// cannot tell a typo from another name.
pub fn latin_script(s: &str) -> bool {
    s.chars().all(|c| {
        !c.is_alphabetic()
            || c.is_ascii()
            || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
    })
}

/// Whether two different given names (normalised) are one name mistyped:
/// one letter added, dropped, changed or two swapped ("Jonh" / "John",
/// "Mei" / "Meii"), two for names of six letters or more. "Anna" and
/// "Peter", or "Maria" and "Mario"'s first letters, are not.
pub fn given_typo(a: &str, b: &str) -> bool {
    let (a, b) = (first_word(a), first_word(b));
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.is_empty() || b.is_empty() || a[0] != b[0] {
        return false;
    }
    let limit = if a.len().min(b.len()) >= 6 { 2 } else { 1 };
    if a.len().abs_diff(b.len()) > limit {
        return false;
    }
    // Optimal string alignment distance (edits plus adjacent swaps).
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()] <= limit
}

pub fn compare_given(a: &str, b: &str) -> GivenMatch {
    let (a, b) = (normalize(a), normalize(b));
    if a.is_empty() || b.is_empty() {
        return GivenMatch::Unknown;
    }
    if a == b {
        return GivenMatch::Same;
    }
    let (fa, fb) = (first_word(&a), first_word(&b));
    if fa == fb {
        // "Mary Ann" vs "Mary": a middle name given in one source only.
        return GivenMatch::Same;
    }
    if nickname_equivalent(fa, fb) {
        return GivenMatch::Nickname;
    }
    if (fa.len() == 1 && fb.starts_with(fa)) || (fb.len() == 1 && fa.starts_with(fb)) {
        return GivenMatch::Initial;
    }
    GivenMatch::Different
}

fn first_word(s: &str) -> &str {
    s.split(' ').next().unwrap_or(s)
}

/// The (given, family) of a name, taken from the structured parts, else split
/// from the formatted name ("Ada Lovelace" -> ("ada", "lovelace")).
pub fn given_family(name: &PersonName) -> (String, String) {
    let given = normalize(&name.given);
    let family = normalize(&name.family);
    if !given.is_empty() || !family.is_empty() {
        return (given, family);
    }
    let full = normalize(&name.full);
    match full.rsplit_once(' ') {
        Some((g, f)) => (g.to_string(), f.to_string()),
        None => (full, String::new()),
    }
}

/// The normalised full name for comparing (formatted name, else parts).
pub fn full_key(name: &PersonName) -> String {
    normalize(&name.display())
}

/// How alike two full names are, 0..=1 (Jaro-Winkler on normalised names,
/// order of words ignored).
pub fn similarity(a: &PersonName, b: &PersonName) -> f64 {
    similarity_of_keys(&full_key(a), &full_key(b))
}

/// [`similarity`] of two [`full_key`]s.
pub fn similarity_of_keys(a: &str, b: &str) -> f64 {
    let (ka, kb) = (sorted_words(a), sorted_words(b));
    if ka.is_empty() || kb.is_empty() {
        return 0.0;
    }
    strsim::jaro_winkler(&ka, &kb)
}

/// How well the words of a normalised query match words of a normalised
/// name, 0..=1: each query word scores its closest word of the name
/// (Jaro-Winkler), and the scores are averaged. "kestral" and "kestrel
/// aviation" score high; for "did you mean".
pub fn words_similarity(query: &str, name: &str) -> f64 {
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    let scores: Vec<f64> = query
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|q| {
            words
                .iter()
                .map(|w| strsim::jaro_winkler(q, w))
                .fold(0.0, f64::max)
        })
        .collect();
    if scores.is_empty() || words.is_empty() {
        return 0.0;
    }
    scores.iter().sum::<f64>() / scores.len() as f64
}

/// Whether every word of a normalised query begins a word of a normalised
/// name ("kestrel" in "kestrel aviation", "av" too).
pub fn words_begin(query: &str, name: &str) -> bool {
    let words: Vec<&str> = name.split(' ').collect();
    query
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|q| words.iter().any(|w| w.starts_with(q)))
}

fn sorted_words(s: &str) -> String {
    let mut w: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
    w.sort_unstable();
    w.join(" ")
}

/// A name as compared: normalised given and family names ([`given_family`])
/// and the [`full_key`].
#[derive(Clone, Copy, Debug)]
pub struct NameKeys<'a> {
    pub given: &'a str,
    pub family: &'a str,
    pub full: &'a str,
}

/// Can these two names belong to one person? Different family names alone
/// are fine (marriage); clearly different given names are not.
pub fn compatible(a: &PersonName, b: &PersonName) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    let (ga, fa) = given_family(a);
    let (gb, fb) = given_family(b);
    let (ka, kb) = (full_key(a), full_key(b));
    compatible_keys(
        NameKeys {
            given: &ga,
            family: &fa,
            full: &ka,
        },
        NameKeys {
            given: &gb,
            family: &fb,
            full: &kb,
        },
    )
}

/// [`compatible`] on names already normalised (both non-empty).
pub fn compatible_keys(a: NameKeys, b: NameKeys) -> bool {
    // Same words in another order (family name first).
    if !a.given.is_empty() && a.given == b.family && a.family == b.given {
        return true;
    }
    match compare_given(a.given, b.given) {
        GivenMatch::Different => false,
        GivenMatch::Unknown => {
            // Only one word each or no given name: fall back to the whole name.
            a.family == b.family || similarity_of_keys(a.full, b.full) >= 0.9
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(given: &str, family: &str) -> PersonName {
        PersonName {
            given: given.into(),
            family: family.into(),
            ..Default::default()
        }
    }

    #[test]
    fn normalises_accents_case_and_punctuation() {
        assert_eq!(normalize("  José O'Neil-Smith "), "jose o neil smith");
        assert_eq!(normalize("ZOË"), "zoe");
    }

    #[test]
    fn given_names() {
        assert_eq!(compare_given("Bob", "Robert"), GivenMatch::Nickname);
        assert_eq!(compare_given("J.", "John"), GivenMatch::Initial);
        assert_eq!(compare_given("Zoë", "zoe"), GivenMatch::Same);
        assert_eq!(compare_given("Anna", "Peter"), GivenMatch::Different);
        assert_eq!(compare_given("", "Peter"), GivenMatch::Unknown);
    }

    #[test]
    fn marriage_is_no_conflict_but_other_given_name_is() {
        assert!(compatible(&n("Maria", "Garcia"), &n("Maria", "Lopez")));
        assert!(!compatible(&n("Anna", "Smith"), &n("Peter", "Smith")));
        assert!(compatible(&n("Lovelace", "Ada"), &n("Ada", "Lovelace")));
    }
}
