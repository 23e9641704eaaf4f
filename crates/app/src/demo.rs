//! A realistic, seeded demo network for `kith demo`: people with job
//! histories across a few dozen organisations, work and personal emails,
//! phones, tags, and a few near-duplicates (nickname forms) for the
//! duplicate review. Written as a vCard file and imported the normal way,
//! so the demo shows what an import does.

use crate::error::{AppError, Result};
use crate::import::{ImportOptions, ImportReport, NoProgress};
use crate::{App, PersonView};
use kith_core::{Card, ContactPoint, PersonName, Position, Text};
use kith_formats::vcard::{Version, write_card};
use std::path::Path;

const GIVEN: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Arjun", "Astrid", "Bea", "Camille", "Carlos", "Chen", "Chloé",
    "Daniel", "Diego", "Elena", "Emeka", "Farah", "Grace", "Hana", "Ines", "Ivan", "Jonas",
    "Julia", "Kenji", "Lars", "Leila", "Lucas", "Maya", "Mei", "Mohammed", "Nadia", "Noah", "Olga",
    "Omar", "Priya", "Rafael", "Sara", "Sofia", "Tariq", "Yuki", "Zoë",
];
/// Formal given names with the nickname a near-duplicate uses.
const NICKNAMES: &[(&str, &str)] = &[
    ("Robert", "Bob"),
    ("William", "Bill"),
    ("Katherine", "Kate"),
    ("Elizabeth", "Liz"),
    ("Alexander", "Alex"),
    ("Margaret", "Peggy"),
    ("Michael", "Mike"),
    ("Jennifer", "Jen"),
];
const FAMILY: &[&str] = &[
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fernández",
    "García",
    "Hoffmann",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Martin",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Park",
    "Petrov",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Tanaka",
    "Umar",
    "Van Dijk",
    "Wang",
    "Weber",
    "Yilmaz",
];
/// Organisations and their email domains.
const ORGS: &[(&str, &str)] = &[
    ("Northwind Analytics", "northwind.example"),
    ("Blue Fjord Systems", "bluefjord.example"),
    ("Cobalt Health", "cobalthealth.example"),
    ("Delta Freight", "deltafreight.example"),
    ("Evergreen Energy", "evergreen.example"),
    ("Fablab Studio", "fablab.example"),
    ("Granite Bank", "granitebank.example"),
    ("Harbor Robotics", "harbor.example"),
    ("Iris Biotech", "irisbio.example"),
    ("Juniper Software", "juniper-soft.example"),
    ("Kestrel Aviation", "kestrel.example"),
    ("Lumen Media", "lumen.example"),
    ("Maple Retail", "maple.example"),
    ("Nimbus Cloud", "nimbus.example"),
    ("Orbit Logistics", "orbit.example"),
    ("Pioneer Consulting", "pioneer.example"),
];
const TITLES: &[&str] = &[
    "Software Engineer",
    "Senior Engineer",
    "Engineering Manager",
    "Product Manager",
    "Data Scientist",
    "Designer",
    "Account Executive",
    "Head of Sales",
    "CTO",
    "Founder",
    "Recruiter",
    "Marketing Lead",
    "Operations Manager",
    "Analyst",
    "Consultant",
    "Procurement Lead",
];
const TAGS: &[&str] = &[
    "former colleague",
    "vendor",
    "client",
    "mentor",
    "conference",
    "alumni",
];
const MAIL: &[&str] = &["gmail.example", "proton.example", "fastmail.example"];

/// SplitMix64: small, seeded, the same numbers on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A name as the local part of an email address ("Van Dijk" -> "vandijk").
fn mail_part(s: &str) -> String {
    kith_core::names::normalize(s).replace(' ', "")
}

fn contact(value: String, kind: &str) -> ContactPoint {
    ContactPoint {
        value,
        kinds: vec![kind.to_string()],
        ..Default::default()
    }
}

/// `count` demo people (about 4% of them near-duplicates), the same for
/// the same `seed`.
pub fn demo_cards(count: usize, seed: u64) -> Vec<Card> {
    let mut rng = Rng(seed);
    let mut cards = Vec::with_capacity(count);
    let mut n = 0u32;
    while cards.len() < count {
        n += 1;
        let formal = rng.chance(8).then(|| NICKNAMES[rng.below(NICKNAMES.len())]);
        let given = formal.map(|(f, _)| f).unwrap_or_else(|| rng.pick(GIVEN));
        let family = rng.pick(FAMILY);
        // A job history: one to three positions, the last one current.
        let jobs = 1 + rng.below(3);
        let mut year = 2008 + rng.below(10) as i32;
        let mut positions = Vec::new();
        for j in 0..jobs {
            let (org, _) = ORGS[rng.below(ORGS.len())];
            let start = format!("{year}-{:02}", 1 + rng.below(12));
            year += 1 + rng.below(5) as i32;
            let end = (j + 1 < jobs).then(|| format!("{year}-{:02}", 1 + rng.below(12)));
            positions.push(Position {
                organization: org.into(),
                title: rng.pick(TITLES).into(),
                start: Some(start),
                end,
                ..Default::default()
            });
        }
        let current = positions
            .last()
            .map(|p| p.organization.clone())
            .unwrap_or_default();
        let domain = ORGS
            .iter()
            .find(|(o, _)| *o == current)
            .map(|(_, d)| *d)
            .unwrap_or("example.org");
        let local = format!("{}.{}{n}", mail_part(given), mail_part(family));
        let mut card = Card {
            name: PersonName {
                full: format!("{given} {family}"),
                given: given.into(),
                family: family.into(),
                ..Default::default()
            },
            emails: vec![contact(format!("{local}@{domain}"), "work")],
            phones: vec![contact(
                format!("+1 415 555 {:04}", rng.below(10_000)),
                "cell",
            )],
            positions,
            ..Default::default()
        };
        if rng.chance(40) {
            card.emails
                .push(contact(format!("{local}@{}", rng.pick(MAIL)), "home"));
        }
        if rng.chance(60) {
            card.tags.push(Text::new(rng.pick(TAGS), None));
        }
        if rng.chance(15) {
            card.notes.push(Text::new(
                format!(
                    "Met at {} in {}.",
                    rng.pick(&["a meetup", "a conference", "a dinner"]),
                    year
                ),
                None,
            ));
        }
        let twin = formal.map(|(_, nick)| {
            // The same person again under a nickname, from another source:
            // no shared email or phone, so kith can only suggest it.
            let mut twin = card.clone();
            twin.name.given = nick.into();
            twin.name.full = format!("{nick} {family}");
            twin.emails = vec![contact(
                format!(
                    "{}{}@{}",
                    mail_part(nick),
                    mail_part(family),
                    rng.pick(MAIL)
                ),
                "home",
            )];
            twin.phones.clear();
            twin.notes.clear();
            twin
        });
        cards.push(card);
        if let Some(twin) = twin
            && cards.len() < count
        {
            cards.push(twin);
        }
    }
    cards
}

impl App {
    /// Writes the demo network to `dir/demo.vcf` and imports it.
    pub async fn import_demo(&self, dir: &Path, count: usize, seed: u64) -> Result<ImportReport> {
        let mut text = String::new();
        for (i, card) in demo_cards(count, seed).iter().enumerate() {
            write_card(
                &mut text,
                card,
                &format!("kith-demo-{seed}-{i}"),
                Version::V4,
            );
        }
        let path = dir.join("demo.vcf");
        std::fs::write(&path, text).map_err(|e| AppError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        self.import_file(&path, &ImportOptions::default(), &NoProgress)
            .await
    }

    /// Gives the demo address book a life: interactions with about one
    /// person in six over the last months (so ties differ in strength) and
    /// a few ties set by hand between people, all seeded.
    pub async fn demo_activity(&self, seed: u64) -> Result<()> {
        use kith_core::InteractionKind;
        let mut rng = Rng(seed ^ 0x5eed_ac71);
        let people: Vec<String> = self
            .list_people(&kith_store::PeopleFilter::default())
            .await?
            .into_iter()
            .map(|p| p.id.to_string())
            .collect();
        if people.len() < 2 {
            return Ok(());
        }
        let kinds = [
            InteractionKind::Coffee,
            InteractionKind::Email,
            InteractionKind::Call,
            InteractionKind::Meeting,
            InteractionKind::Lunch,
        ];
        for _ in 0..people.len() / 6 {
            let who = people[rng.below(people.len())].clone();
            let mut with = vec![who];
            if rng.chance(20) {
                with.push(people[rng.below(people.len())].clone());
            }
            for _ in 0..1 + rng.below(6) {
                self.log_interaction(&crate::interactions::NewInteraction {
                    people: with.clone(),
                    kind: kinds[rng.below(kinds.len())],
                    when: format!("{} days ago", 1 + rng.below(240)),
                    note: None,
                    direction: None,
                })
                .await?;
            }
        }
        let tie_kinds = kith_core::ties::TieKind::ALL;
        for _ in 0..people.len() / 20 {
            let (a, b) = (rng.below(people.len()), rng.below(people.len()));
            if a != b {
                let kind = tie_kinds[rng.below(tie_kinds.len())];
                self.set_tie(&people[a], &people[b], kind.as_str(), None)
                    .await?;
            }
        }
        Ok(())
    }

    /// Needs and offers on a few seeded people, written so that some meet
    /// the jobs and offers of others (the help-out list has something to
    /// show), and a favour or two.
    pub async fn demo_reciprocity(&self, seed: u64) -> Result<()> {
        let mut rng = Rng(seed ^ 0x0ffe_4ed5);
        let people = self
            .list_people(&kith_store::PeopleFilter::default())
            .await?;
        let titled: Vec<(String, String)> = people
            .iter()
            .filter_map(|p| Some((p.id.to_string(), p.title.clone()?)))
            .filter(|(_, t)| !t.trim().is_empty())
            .collect();
        if titled.len() < 4 {
            return Ok(());
        }
        let ids: Vec<String> = people.iter().map(|p| p.id.to_string()).collect();
        for _ in 0..6 {
            let (_, title) = &titled[rng.below(titled.len())];
            let who = &ids[rng.below(ids.len())];
            let article = if title.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            self.add_need_offer(Some(who), "need", &format!("hiring {article} {title}"), &[])
                .await?;
        }
        let offers = [
            ("mentoring for new engineering managers", "management"),
            ("knows the Berlin startup scene", "berlin"),
            ("reviews pitch decks for seed rounds", "fundraising"),
            ("introductions to design agencies", "design"),
        ];
        for (text, tag) in offers {
            let who = &ids[rng.below(ids.len())];
            self.add_need_offer(Some(who), "offer", text, &[tag.to_string()])
                .await?;
        }
        for what in ["introduced me to my first client", "reviewed my CV"] {
            let who = &ids[rng.below(ids.len())];
            self.add_favour(who, "received", what).await?;
        }
        Ok(())
    }

    /// Makes every page of the demo show something true: people to keep
    /// in touch with (a tag's cadence and a few people's own, with old and
    /// recent interactions so that some are due and some are not) and a
    /// birthday in the next days. Returns the people chosen, for the
    /// caller's introduction.
    pub async fn demo_keep_in_touch(&self, seed: u64) -> Result<Vec<PersonView>> {
        use kith_core::InteractionKind;
        let mut rng = Rng(seed ^ 0x0c0f_fee5);
        let people = self
            .list_people(&kith_store::PeopleFilter::default())
            .await?;
        if people.len() < 12 {
            return Ok(Vec::new());
        }
        // Everyone with the first demo tag: every two months.
        self.set_tag_cadence(TAGS[0], Some(60)).await?;
        let mut chosen = Vec::new();
        for _ in 0..8 {
            let p = &people[rng.below(people.len())];
            if chosen.iter().any(|c: &PersonView| c.id == p.id) {
                continue;
            }
            chosen.push(p.clone());
        }
        for (n, p) in chosen.iter().enumerate() {
            let id = p.id.to_string();
            // Half were last seen long ago (due now), half last week.
            let days_ago = if n % 2 == 0 {
                90 + rng.below(120)
            } else {
                2 + rng.below(8)
            };
            self.set_cadence(&id, Some(30 + 15 * (n as i64 % 3)))
                .await?;
            self.log_interaction(&crate::interactions::NewInteraction {
                people: vec![id],
                kind: [
                    InteractionKind::Coffee,
                    InteractionKind::Call,
                    InteractionKind::Lunch,
                ][n % 3],
                when: format!("{days_ago} days ago"),
                note: (n == 0).then(|| "talked about their move to product management".to_string()),
                direction: None,
            })
            .await?;
        }
        // A birthday in three days.
        let soon = jiff::Zoned::now()
            .date()
            .checked_add(jiff::Span::new().days(3))
            .ok();
        if let (Some(day), Some(who)) = (soon, chosen.get(1)) {
            let edit = crate::people::PersonEdit {
                birthday: Some(format!("--{:02}-{:02}", day.month(), day.day())),
                ..Default::default()
            };
            self.edit_person(&who.id.to_string(), &edit).await?;
        }
        Ok(chosen)
    }
}
