//! Identity: the strong keys that name a person (normalised email, E.164
//! phone, LinkedIn profile slug, vCard UID) and the rules that decide, for two
//! cards, whether to merge them, suggest them as duplicates, or keep them
//! apart. A wrong merge is far worse than a missed one: only a strong key
//! with compatible names merges; everything else is at most a suggestion.

use crate::model::{Card, ContactPoint};
use crate::names::{self, GivenMatch};
/// A country whose numbering plan reads numbers written without `+`.
pub use phonenumber::country::Id as Region;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A normalised email (`Ada@Example.ORG ` -> `ada@example.org`), or None when
/// the text is not an email.
pub fn email_key(value: &str) -> Option<String> {
    let v = value.trim();
    let v = v
        .strip_prefix("mailto:")
        .or_else(|| v.strip_prefix("MAILTO:"))
        .unwrap_or(v);
    let (local, domain) = v.rsplit_once('@')?;
    if local.is_empty()
        || domain.is_empty()
        || !domain.contains('.')
        || v.chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
    {
        return None;
    }
    Some(v.to_lowercase())
}

/// True for the domains of free and personal mail providers, which say
/// nothing about where someone works.
pub fn is_personal_mail_domain(domain: &str) -> bool {
    const PROVIDERS: &[&str] = &[
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "zoho.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "free.fr",
        "orange.fr",
        "laposte.net",
        "libero.it",
        "naver.com",
        "daum.net",
    ];
    let d = domain.trim().to_ascii_lowercase();
    PROVIDERS.contains(&d.as_str())
        || ["yahoo.", "hotmail.", "outlook.", "live.", "ymail."]
            .iter()
            .any(|p| d.starts_with(p))
}

/// A URL compared without scheme, `www.`, case of the host, or trailing slash.
pub fn url_key(value: &str) -> String {
    let v = value.trim();
    let v = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .unwrap_or(v);
    let v = v.strip_prefix("www.").unwrap_or(v);
    v.trim_end_matches('/').to_lowercase()
}

/// The profile slug of a LinkedIn URL (`https://www.linkedin.com/in/ada-l/` -> `ada-l`).
pub fn linkedin_slug(url: &str) -> Option<String> {
    let key = url_key(url);
    let rest = key
        .strip_prefix("linkedin.com/in/")
        .or_else(|| key.split_once(".linkedin.com/in/").map(|(_, r)| r))?;
    let slug = rest.split(['/', '?', '#']).next()?.trim();
    (!slug.is_empty()).then(|| slug.to_string())
}

/// Parses a region code such as `US` or `GB`.
pub fn parse_region(code: &str) -> Option<Region> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// phonenumber keeps its compiled patterns in an LRU cache of 100, fewer
/// than one validation of numbers from a few countries needs: every number
/// then recompiles regexes (90% of an import's time). Swap in a cache big
/// enough for every pattern actually used; the swap is done once.
fn widen_phone_pattern_cache() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(mut cache) = phonenumber::metadata::DATABASE.cache().lock() {
            *cache = regex_cache::RegexCache::new(2_048);
        }
    });
}

/// Loads the phone metadata and compiles the default region's patterns, so
/// that a server's first card does not wait for them (tens of ms).
pub fn warm_up(region: Region) {
    let _ = phone_e164("020 7946 0000", region);
    let _ = phone_e164("+1 415 555 0123", region);
}

/// A phone number in E.164 (`+14155550123`), or None when it cannot be read
/// as a possible number in `region` (its own `+` prefix wins over the region).
///
/// "Possible" here: a known country code and a national number of a length
/// that country uses (and, written without a country code, matching the
/// default region's general pattern). Full
/// validation (every number-type pattern of every region sharing the code)
/// cost 60% of an import and a large regex cache, and would refuse numbers
/// from ranges opened after the metadata was published.
pub fn phone_e164(value: &str, region: Region) -> Option<String> {
    widen_phone_pattern_cache();
    let v = value.trim();
    let v = v.strip_prefix("tel:").unwrap_or(v);
    if v.chars().filter(|c| c.is_ascii_digit()).count() < 5 {
        return None;
    }
    let parsed = phonenumber::parse(Some(region), v).ok()?;
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    let code = parsed.code().value();
    // E.164 is '+', the country code, then the national number.
    let national = e164.get(1 + code.to_string().len()..)?;
    let mut possible = national_lengths().get(&code)?.contains(&national.len());
    // A number written without its country code was read as one of the
    // default region: check it against that region's general pattern (one
    // pattern, where validation would try one per number type), so that a
    // foreign national number is not taken for a local one (no US number
    // starts with 0). Numbers with their own prefix are taken as written.
    let international = v.starts_with('+') || v.starts_with("00");
    if possible && !international {
        possible = phonenumber::metadata::DATABASE
            .by_id(region.as_ref())
            .is_none_or(|meta| meta.descriptors().general().is_match(national));
    }
    possible.then_some(e164)
}

/// For each country calling code, the lengths its dialable numbers have
/// (every number type but short codes), from phonenumber's metadata.
fn national_lengths() -> &'static HashMap<u16, Vec<usize>> {
    use phonenumber::Type;
    static LENGTHS: std::sync::OnceLock<HashMap<u16, Vec<usize>>> = std::sync::OnceLock::new();
    LENGTHS.get_or_init(|| {
        let kinds = [
            Type::FixedLine,
            Type::Mobile,
            Type::TollFree,
            Type::PremiumRate,
            Type::SharedCost,
            Type::PersonalNumber,
            Type::Voip,
            Type::Pager,
            Type::Uan,
            Type::Voicemail,
        ];
        let mut by_code: HashMap<u16, Vec<usize>> = HashMap::new();
        for meta in phonenumber::metadata::DATABASE.iter() {
            let lengths = by_code.entry(meta.country_code()).or_default();
            for kind in kinds {
                let Some(d) = meta.descriptors().get(kind) else {
                    continue;
                };
                for len in d.possible_length() {
                    lengths.push(usize::from(*len));
                }
            }
            lengths.sort_unstable();
            lengths.dedup();
        }
        by_code
    })
}

/// Normalises a card's phone numbers to E.164 where possible (keeping what
/// was written in `raw`) and trims every contact value.
pub fn normalize_card(card: &mut Card, region: Region) {
    for p in &mut card.phones {
        if let Some(e164) = phone_e164(&p.value, region)
            && e164 != p.value
        {
            p.raw.get_or_insert_with(|| p.value.clone());
            p.value = e164;
        }
    }
    for list in [&mut card.emails, &mut card.urls, &mut card.phones] {
        for cp in list.iter_mut() {
            let t = cp.value.trim();
            if t.len() != cp.value.len() {
                cp.value = t.to_string();
            }
        }
        list.retain(|cp: &ContactPoint| !cp.value.is_empty());
    }
}

/// A fingerprint of an imported record: its file name and its content
/// (without sources: line numbers move when a file is edited above it).
/// The card is serialised straight into the hash, its sources set aside for
/// the while; it is left as it was.
pub fn record_fingerprint(file_name: &str, card: &mut Card) -> String {
    /// FNV-1a, 64 bits: stable across builds and platforms, unlike std's hasher.
    struct Fnv(u64);
    impl std::io::Write for Fnv {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            for b in buf {
                self.0 ^= u64::from(*b);
                self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut set_aside = Vec::new();
    card.each_source_list(|list, _| set_aside.push(std::mem::take(list)));
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    let _ = std::io::Write::write_all(&mut hash, file_name.as_bytes())
        .and_then(|()| std::io::Write::write_all(&mut hash, &[0]));
    // Writing to a hash cannot fail, nor can serialising a card.
    let _ = serde_json::to_writer(&mut hash, &*card);
    let mut lists = set_aside.into_iter();
    card.each_source_list(|list, _| *list = lists.next().unwrap_or_default());
    format!("{:016x}", hash.0)
}

/// The kinds of strong key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyKind {
    Email,
    Phone,
    Linkedin,
    Uid,
    /// The same imported record (file and content) as before.
    Record,
}

/// A strong identity key, e.g. `email:ada@example.org`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key(pub String);

impl Key {
    pub fn kind(&self) -> KeyKind {
        match self.0.split_once(':').map(|(k, _)| k) {
            Some("email") => KeyKind::Email,
            Some("tel") => KeyKind::Phone,
            Some("linkedin") => KeyKind::Linkedin,
            Some("rec") => KeyKind::Record,
            _ => KeyKind::Uid,
        }
    }

    /// The key in words, for reasons shown to the user.
    pub fn describe(&self) -> String {
        let (kind, value) = self.0.split_once(':').unwrap_or(("", &self.0));
        match kind {
            "email" => format!("same email {value}"),
            "tel" => format!("same phone {value}"),
            "linkedin" => format!("same LinkedIn profile {value}"),
            "rec" => "the same record, imported before".to_string(),
            _ => "same card UID".to_string(),
        }
    }
}

/// The strong keys of a card (phones must already be normalised).
pub fn keys(card: &Card) -> Vec<Key> {
    let mut out = Vec::new();
    for e in &card.emails {
        if let Some(k) = email_key(&e.value) {
            out.push(Key(format!("email:{k}")));
        }
    }
    for p in &card.phones {
        if p.value.starts_with('+') && p.value[1..].chars().all(|c| c.is_ascii_digit()) {
            out.push(Key(format!("tel:{}", p.value)));
        }
    }
    for u in &card.urls {
        if let Some(slug) = linkedin_slug(&u.value) {
            out.push(Key(format!("linkedin:{slug}")));
        }
    }
    for uid in &card.uids {
        out.push(Key(format!("uid:{uid}")));
    }
    for rec in &card.records {
        out.push(Key(format!("rec:{rec}")));
    }
    out.sort();
    out.dedup();
    out
}

/// What to do with two cards.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// The same person: merge.
    Merge { reasons: Vec<String> },
    /// Possibly the same person: let the user decide.
    Suggest { score: f64, reasons: Vec<String> },
    /// Nothing suggests they are the same person.
    Apart,
}

/// Decides for two cards that share the strong keys `shared` (may be empty).
/// `shared_by_others` is true when one of those keys already belongs to
/// several different people (an office switchboard, a family address): then
/// the key is no proof on its own.
pub fn decide(a: &Card, b: &Card, shared: &[Key], shared_by_others: bool) -> Decision {
    decide_profiles(
        Profile::of(a).as_ref(),
        Profile::of(b).as_ref(),
        shared,
        shared_by_others,
    )
}

/// [`decide`] on the two people's profiles (None: a card without a name).
pub fn decide_profiles(
    a: Option<&Profile>,
    b: Option<&Profile>,
    shared: &[Key],
    shared_by_others: bool,
) -> Decision {
    if shared.is_empty() {
        return match a.zip(b).and_then(|(a, b)| weak_evidence_of(a, b)) {
            Some((score, reasons)) => Decision::Suggest { score, reasons },
            None => Decision::Apart,
        };
    }
    let mut reasons: Vec<String> = shared.iter().map(Key::describe).collect();
    // The same card UID or record is the same record from the same source.
    if shared
        .iter()
        .any(|k| matches!(k.kind(), KeyKind::Uid | KeyKind::Record))
    {
        return Decision::Merge { reasons };
    }
    if let Some((a, b)) = a.zip(b)
        && !names::compatible_keys(a.name_keys(), b.name_keys())
    {
        // A given name mistyped is worth a look; two other names on one
        // number or address are an office switchboard or a family's
        // shared email: different people, not a suggestion. A LinkedIn
        // profile is one person's, and names in two scripts (박동현 /
        // Dong-hyun Park) cannot be compared: those stay suggestions.
        let one_profile = shared.iter().any(|k| k.kind() == KeyKind::Linkedin);
        let comparable = names::latin_script(&a.display) && names::latin_script(&b.display);
        if !one_profile && comparable && !names::given_typo(&a.given, &b.given) {
            return Decision::Apart;
        }
        reasons.push(format!(
            "but the names differ: {} / {}",
            a.display, b.display
        ));
        return Decision::Suggest {
            score: 0.5,
            reasons,
        };
    }
    if shared_by_others {
        reasons.push("but that is shared by several people".into());
        return Decision::Suggest {
            score: 0.55,
            reasons,
        };
    }
    Decision::Merge { reasons }
}

/// What weak matching needs to know of a person, computed once per person
/// (normalising names is the costly part of comparing).
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// The name as shown, for reasons.
    pub display: String,
    /// Normalised given and family names, and the whole name.
    pub given: String,
    pub family: String,
    pub full: String,
    /// Organisations: (normalised, as written).
    pub orgs: Vec<(String, String)>,
    /// Normalised titles at those organisations (same order; may be empty).
    pub titles: Vec<String>,
    /// Hashes of the person's own emails and phones (only compared).
    pub emails: Vec<u64>,
    pub phones: Vec<u64>,
    /// LinkedIn profiles: one person has one, so two different ones are
    /// two people.
    pub linkedin: Vec<u64>,
}

impl Profile {
    /// The profile of a card; None when it has no name to compare.
    pub fn of(card: &Card) -> Option<Profile> {
        Profile::with_keys(card, &keys(card))
    }

    /// [`Profile::of`] when the card's [`keys`] are already at hand.
    pub fn with_keys(card: &Card, keys: &[Key]) -> Option<Profile> {
        if card.name.is_empty() {
            return None;
        }
        let (given, family) = names::given_family(&card.name);
        let mut orgs: Vec<(String, String)> = card
            .positions
            .iter()
            .map(|p| {
                (
                    names::normalize(&p.organization),
                    p.organization.trim().to_string(),
                )
            })
            .filter(|(n, _)| !n.is_empty())
            .collect();
        orgs.dedup();
        let mut titles: Vec<String> = card
            .positions
            .iter()
            .map(|p| names::normalize(&p.title))
            .filter(|t| !t.is_empty())
            .collect();
        titles.dedup();
        let of_kind = |kind: KeyKind| {
            keys.iter()
                .filter(|k| k.kind() == kind)
                .map(|k| {
                    use std::hash::{Hash, Hasher};
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    k.hash(&mut h);
                    h.finish()
                })
                .collect()
        };
        Some(Profile {
            display: card.name.display(),
            full: names::full_key(&card.name),
            given,
            family,
            orgs,
            titles,
            emails: of_kind(KeyKind::Email),
            phones: of_kind(KeyKind::Phone),
            linkedin: of_kind(KeyKind::Linkedin),
        })
    }

    /// The name as [`names::compatible_keys`] compares it.
    pub fn name_keys(&self) -> names::NameKeys<'_> {
        names::NameKeys {
            given: &self.given,
            family: &self.family,
            full: &self.full,
        }
    }

    /// What is known of a person after `other`'s card is merged into theirs,
    /// before the merged card itself is at hand: their name (or `other`'s
    /// when they had none), and the organisations and contacts of both.
    pub fn merged(mine: Option<&Profile>, other: Option<&Profile>) -> Option<Profile> {
        let (Some(mine), Some(other)) = (mine, other) else {
            return mine.or(other).cloned();
        };
        let mut merged = mine.clone();
        for o in &other.orgs {
            if !merged.orgs.contains(o) {
                merged.orgs.push(o.clone());
            }
        }
        for (into, from) in [
            (&mut merged.emails, &other.emails),
            (&mut merged.phones, &other.phones),
            (&mut merged.linkedin, &other.linkedin),
        ] {
            for h in from {
                if !into.contains(h) {
                    into.push(*h);
                }
            }
        }
        Some(merged)
    }

    /// The blocks this person belongs to: family name with the given name,
    /// with each nickname family it belongs to, and with its initial.
    /// People are compared only with the members of the blocks they
    /// [`probe`](Self::probes), which keeps weak matching near-linear; a
    /// family-name typo is therefore not found.
    pub fn blocks(&self) -> Vec<String> {
        let first = self.first_given();
        let mut out = self.name_blocks();
        if let Some(initial) = first.chars().next() {
            out.push(format!("{}|{initial}.", self.family));
        }
        out
    }

    /// The blocks to look in for this person's possible duplicates: their
    /// own name blocks; an initial also looks among every given name with
    /// that letter, and a full given name among the initials.
    pub fn probes(&self) -> Vec<String> {
        let first = self.first_given();
        let mut out = self.name_blocks();
        if first.chars().count() == 1 {
            out.push(format!("{}|{first}.", self.family));
        } else if let Some(initial) = first.chars().next() {
            out.push(format!("{}|{initial}", self.family));
        }
        out
    }

    fn first_given(&self) -> &str {
        self.given.split(' ').next().unwrap_or("")
    }

    fn name_blocks(&self) -> Vec<String> {
        let first = self.first_given();
        let mut out = vec![format!("{}|{first}", self.family)];
        out.extend(names::nickname_families(first).map(|canon| format!("{}|{canon}", self.family)));
        out.sort();
        out.dedup();
        out
    }
}

/// Both have values of a kind (hashes of emails, say) and none in common.
fn disjoint(x: &[u64], y: &[u64]) -> bool {
    !x.is_empty() && !y.is_empty() && !x.iter().any(|k| y.contains(k))
}

/// Whether an incoming record may merge into a person without a shared
/// key: the same given and family name, both at the same organisation, and
/// no email, phone or LinkedIn profile of one that the other lacks while
/// having its own (different ones would be two people). The caller also
/// checks that nobody else in the address book has this name. Returns the
/// reasons, or None.
pub fn same_name_and_organisation(a: &Profile, b: &Profile) -> Option<Vec<String>> {
    if a.given.is_empty() || a.family.is_empty() || a.full != b.full {
        return None;
    }
    if names::compare_given(&a.given, &b.given) != GivenMatch::Same || a.family != b.family {
        return None;
    }
    if disjoint(&a.emails, &b.emails)
        || disjoint(&a.phones, &b.phones)
        || disjoint(&a.linkedin, &b.linkedin)
    {
        return None;
    }
    let org = a
        .orgs
        .iter()
        .find(|(n, _)| b.orgs.iter().any(|(m, _)| m == n))?;
    Some(vec![
        format!("same name: {} / {}", a.display, b.display),
        format!(
            "both at {}, and nobody else in the address book has this name",
            org.1
        ),
    ])
}

/// Weak evidence (name forms, same organisation) that two cards may be one
/// person: a score in 0..=1 and the reasons, or None below the threshold.
pub fn weak_evidence(a: &Card, b: &Card) -> Option<(f64, Vec<String>)> {
    weak_evidence_of(&Profile::of(a)?, &Profile::of(b)?)
}

/// [`weak_evidence`] on precomputed profiles.
pub fn weak_evidence_of(a: &Profile, b: &Profile) -> Option<(f64, Vec<String>)> {
    // Two LinkedIn profiles: two people of the same name (a LinkedIn export
    // lists each connection once).
    if disjoint(&a.linkedin, &b.linkedin) {
        return None;
    }
    let family_same = !a.family.is_empty() && a.family == b.family;
    let mut reasons = Vec::new();
    let (an, bn) = (&a.display, &b.display);
    let mut score: f64 = match (names::compare_given(&a.given, &b.given), family_same) {
        (GivenMatch::Same, true) => {
            reasons.push(format!("same name: {an} / {bn}"));
            0.7
        }
        (GivenMatch::Nickname, true) => {
            reasons.push(format!("nickname form: {an} / {bn}"));
            0.65
        }
        (GivenMatch::Initial, true) => {
            reasons.push(format!("initial: {an} / {bn}"));
            0.5
        }
        (GivenMatch::Unknown, _) if !a.full.is_empty() && a.full == b.full => {
            reasons.push(format!("same name: {an} / {bn}"));
            0.6
        }
        _ => return None,
    };
    let shared_org = a
        .orgs
        .iter()
        .find(|(n, _)| b.orgs.iter().any(|(m, _)| m == n));
    if let Some(org) = shared_org {
        reasons.push(format!("both at {}", org.1));
        score += 0.15;
        if let Some(title) = a.titles.iter().find(|t| b.titles.contains(t)) {
            reasons.push(format!("same title ({title})"));
            score += 0.05;
        }
    }
    // Each at organisations the other never was at, or each with an email
    // (or phone) of their own and none shared: less likely to be one
    // person (still suggested: people change jobs and addresses).
    let elsewhere = shared_org.is_none() && !a.orgs.is_empty() && !b.orgs.is_empty();
    if elsewhere {
        reasons.push(format!("at {} / {}", a.orgs[0].1, b.orgs[0].1));
    }
    if elsewhere || disjoint(&a.emails, &b.emails) || disjoint(&a.phones, &b.phones) {
        score -= 0.1;
    }
    (score >= 0.6).then_some((score.min(0.95), reasons))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, org: &str, title: &str) -> Profile {
        let mut card = Card::default();
        let (given, family) = name.split_once(' ').unwrap();
        card.name = crate::model::PersonName {
            full: name.into(),
            given: given.into(),
            family: family.into(),
            ..Default::default()
        };
        card.positions.push(crate::model::Position {
            organization: org.into(),
            title: title.into(),
            ..Default::default()
        });
        Profile::of(&card).unwrap()
    }

    #[test]
    fn a_nickname_at_the_same_desk_outranks_a_namesake_elsewhere() {
        let (bob, robert) = (
            profile("Bob Smith", "Acme", "Engineer"),
            profile("Robert Smith", "Acme", "Engineer"),
        );
        let (nick, why) = weak_evidence_of(&bob, &robert).unwrap();
        assert!(why.iter().any(|r| r.contains("same title")), "{why:?}");
        let namesake = profile("Bob Smith", "Globex", "Chef");
        let (same_name, _) = weak_evidence_of(&bob, &namesake).unwrap();
        assert!(nick > same_name, "{nick} > {same_name}");
    }

    #[test]
    fn strong_keys_are_normalised() {
        assert_eq!(
            email_key(" Ada@Example.ORG ").as_deref(),
            Some("ada@example.org")
        );
        assert_eq!(email_key("not an email"), None);
        assert_eq!(
            linkedin_slug("https://www.linkedin.com/in/ada-lovelace/").as_deref(),
            Some("ada-lovelace")
        );
        assert_eq!(linkedin_slug("https://example.org/in/x"), None);
        let us = parse_region("US").unwrap();
        assert_eq!(
            phone_e164("(415) 555-2671", us).as_deref(),
            Some("+14155552671")
        );
        assert_eq!(
            phone_e164("+44 20 7946 0958", us).as_deref(),
            Some("+442079460958")
        );
        assert_eq!(phone_e164("12", us), None);
        // Too long for the country (US national numbers have 10 digits).
        assert_eq!(phone_e164("+1 415 555 26711", us), None);
        assert_eq!(phone_e164("+999 1234 5678", us), None);
        // A French national number read in the US: no US number starts with 0.
        assert_eq!(phone_e164("07 67 81 95 63", us), None);
    }
}
