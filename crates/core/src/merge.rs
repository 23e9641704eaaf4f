//! Merging cards without losing anything, and taking a merge back out.
//! Values are the same when they mean the same (an email in another case,
//! a phone in another format); their sources are then combined.

use crate::identity::{email_key, url_key};
use crate::model::*;
use crate::names::normalize;

/// A list element that can be recognised in another card and combined.
trait Value: Clone {
    fn same(&self, other: &Self) -> bool;
    fn sources(&self) -> &[Source];
    fn sources_mut(&mut self) -> &mut Vec<Source>;
    /// Fill in what this value lacks from an equal value.
    fn fill_from(&mut self, _other: &Self) {}
}

/// The `sources` accessors every value type has the same way.
macro_rules! sources_field {
    () => {
        fn sources(&self) -> &[Source] {
            &self.sources
        }
        fn sources_mut(&mut self) -> &mut Vec<Source> {
            &mut self.sources
        }
    };
}

fn add_sources(into: &mut Vec<Source>, from: &[Source]) {
    for s in from {
        if !into.contains(s) {
            into.push(s.clone());
        }
    }
}

fn union<T: Value>(into: &mut Vec<T>, from: Vec<T>) {
    for mut v in from {
        match into.iter_mut().find(|x| x.same(&v)) {
            Some(existing) => {
                let src = std::mem::take(v.sources_mut());
                add_sources(existing.sources_mut(), &src);
                existing.fill_from(&v);
            }
            None => into.push(v),
        }
    }
}

/// Removes `file`'s sources from each value; a value left with none goes
/// (values that never had a source, typed by hand, stay).
fn drop_file<T: Value>(list: &mut Vec<T>, file: &str) {
    list.retain_mut(|v| {
        if v.sources().is_empty() {
            return true;
        }
        v.sources_mut().retain(|s| s.file != file);
        !v.sources().is_empty()
    });
}

/// Removes what `absorbed` brought in, keeping what `before` already had.
fn subtract<T: Value>(list: &mut Vec<T>, absorbed: &[T], before: &[T]) {
    list.retain_mut(|v| {
        match before.iter().find(|b| b.same(v)) {
            Some(orig) => {
                // Keep the value; drop the sources only the absorbed card had.
                let keep: Vec<Source> = v
                    .sources()
                    .iter()
                    .filter(|s| {
                        orig.sources().contains(s)
                            || !absorbed.iter().any(|a| a.sources().contains(s))
                    })
                    .cloned()
                    .collect();
                *v.sources_mut() = keep;
                true
            }
            None => !absorbed.iter().any(|a| a.same(v)),
        }
    });
}

impl Value for ContactPoint {
    fn same(&self, other: &Self) -> bool {
        contact_key(&self.value) == contact_key(&other.value)
    }
    sources_field!();
    fn fill_from(&mut self, other: &Self) {
        merge_types(&mut self.kinds, &mut self.label, &other.kinds, &other.label);
        if self.raw.is_none() {
            self.raw = other.raw.clone();
        }
        self.preferred |= other.preferred;
    }
}

/// Adds the types another source gave a value, and its label if this one has none.
fn merge_types(
    kinds: &mut Vec<String>,
    label: &mut Option<String>,
    more: &[String],
    other_label: &Option<String>,
) {
    for k in more {
        if !kinds.contains(k) {
            kinds.push(k.clone());
        }
    }
    if label.is_none() {
        label.clone_from(other_label);
    }
}

/// Emails compare case-insensitively, URLs without scheme or trailing slash,
/// phones (already E.164 where possible) by digits.
fn contact_key(value: &str) -> String {
    if let Some(e) = email_key(value) {
        return e;
    }
    let digits: String = value
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    if digits.len() >= 5 && digits.len() * 2 >= value.trim().len() {
        return digits;
    }
    url_key(value)
}

impl Value for PostalAddress {
    fn same(&self, other: &Self) -> bool {
        self.parts()
            .iter()
            .zip(other.parts())
            .all(|(a, b)| normalize(a) == normalize(b))
    }
    sources_field!();
    fn fill_from(&mut self, other: &Self) {
        merge_types(&mut self.kinds, &mut self.label, &other.kinds, &other.label);
    }
}

impl Value for Text {
    fn same(&self, other: &Self) -> bool {
        self.value.trim() == other.value.trim()
    }
    sources_field!();
}

impl Value for Photo {
    fn same(&self, other: &Self) -> bool {
        self.data == other.data && self.uri == other.uri
    }
    sources_field!();
}

impl Value for Position {
    fn same(&self, other: &Self) -> bool {
        normalize(&self.organization) == normalize(&other.organization)
            && normalize(&self.title) == normalize(&other.title)
            && (self.start.is_none() || other.start.is_none() || self.start == other.start)
    }
    sources_field!();
    fn fill_from(&mut self, other: &Self) {
        if self.start.is_none() {
            self.start = other.start.clone();
        }
        if self.end.is_none() {
            self.end = other.end.clone();
        }
        if self.department.is_empty() {
            self.department = other.department.clone();
        }
    }
}

impl Value for ExtraProperty {
    fn same(&self, other: &Self) -> bool {
        self.line == other.line
    }
    sources_field!();
}

impl Value for PersonName {
    fn same(&self, other: &Self) -> bool {
        self.same_as(other)
    }
    sources_field!();
}

impl Card {
    /// Takes every value of `other` into this card. Values this card already
    /// has gain `other`'s sources; new values are added; a different name is
    /// kept in `other_names`. Nothing of `other` is dropped.
    pub fn absorb(&mut self, mut other: Card) {
        other.rename_groups_taken_by(self);
        let Card {
            name,
            other_names,
            nicknames,
            emails,
            phones,
            addresses,
            urls,
            impps,
            birthdays,
            photos,
            notes,
            tags,
            positions,
            extra,
            uids,
            records,
        } = other;
        if self.name.is_empty() {
            self.name = name;
        } else if self.name.same_as(&name) {
            add_sources(&mut self.name.sources, &name.sources);
        } else if !name.is_empty() {
            union(&mut self.other_names, vec![name]);
        }
        union(&mut self.other_names, other_names);
        union(&mut self.nicknames, nicknames);
        union(&mut self.emails, emails);
        union(&mut self.phones, phones);
        union(&mut self.addresses, addresses);
        union(&mut self.urls, urls);
        union(&mut self.impps, impps);
        union(&mut self.birthdays, birthdays);
        union(&mut self.photos, photos);
        union(&mut self.notes, notes);
        union(&mut self.tags, tags);
        union(&mut self.positions, positions);
        union(&mut self.extra, extra);
        for (mine, theirs) in [(&mut self.uids, uids), (&mut self.records, records)] {
            for u in theirs {
                if !mine.contains(&u) {
                    mine.push(u);
                }
            }
        }
    }

    /// Undoes a merge: removes from this (merged) card the values that came
    /// only from `absorbed`, given the card as it was `before` the merge.
    /// Values added since the merge stay.
    pub fn separate(&mut self, absorbed: &Card, before: &Card) {
        // The absorbed values as they were merged (groups renamed the same way).
        let mut renamed = absorbed.clone();
        renamed.rename_groups_taken_by(before);
        let absorbed = &renamed;
        if !before.name.is_empty() {
            self.name = before.name.clone();
            // A merge that kept the absorbed card's name moved this one
            // among the other names: it is the name again.
            let name = &self.name;
            self.other_names
                .retain(|n| !n.same_as(name) || before.other_names.iter().any(|b| b.same_as(n)));
        }
        subtract(
            &mut self.other_names,
            absorbed_names(absorbed),
            &before.other_names,
        );
        subtract(&mut self.nicknames, &absorbed.nicknames, &before.nicknames);
        subtract(&mut self.emails, &absorbed.emails, &before.emails);
        subtract(&mut self.phones, &absorbed.phones, &before.phones);
        subtract(&mut self.addresses, &absorbed.addresses, &before.addresses);
        subtract(&mut self.urls, &absorbed.urls, &before.urls);
        subtract(&mut self.impps, &absorbed.impps, &before.impps);
        subtract(&mut self.birthdays, &absorbed.birthdays, &before.birthdays);
        subtract(&mut self.photos, &absorbed.photos, &before.photos);
        subtract(&mut self.notes, &absorbed.notes, &before.notes);
        subtract(&mut self.tags, &absorbed.tags, &before.tags);
        subtract(&mut self.positions, &absorbed.positions, &before.positions);
        subtract(&mut self.extra, &absorbed.extra, &before.extra);
        self.uids
            .retain(|u| before.uids.contains(u) || !absorbed.uids.contains(u));
        self.records
            .retain(|u| before.records.contains(u) || !absorbed.records.contains(u));
    }

    /// Takes out what one source file brought (a card deleted or changed
    /// in an address book kith reads): its sources leave every value, and
    /// values only it gave go, as do the record fingerprint and UIDs given.
    /// If the name goes, another name the card holds takes its place.
    pub fn drop_source(&mut self, file: &str, record: Option<&str>, uids: &[String]) {
        let name_only_from_file =
            !self.name.sources.is_empty() && self.name.sources.iter().all(|s| s.file == file);
        self.name.sources.retain(|s| s.file != file);
        drop_file(&mut self.other_names, file);
        if name_only_from_file {
            self.name = if self.other_names.is_empty() {
                PersonName::default()
            } else {
                self.other_names.remove(0)
            };
        }
        drop_file(&mut self.nicknames, file);
        drop_file(&mut self.emails, file);
        drop_file(&mut self.phones, file);
        drop_file(&mut self.addresses, file);
        drop_file(&mut self.urls, file);
        drop_file(&mut self.impps, file);
        drop_file(&mut self.birthdays, file);
        drop_file(&mut self.photos, file);
        drop_file(&mut self.notes, file);
        drop_file(&mut self.tags, file);
        drop_file(&mut self.positions, file);
        drop_file(&mut self.extra, file);
        self.uids.retain(|u| !uids.contains(u));
        self.records.retain(|r| Some(r.as_str()) != record);
    }

    /// Whether the card holds nothing at all (no name, no value).
    pub fn holds_nothing(&self) -> bool {
        self.name.is_empty()
            && self.other_names.is_empty()
            && self.nicknames.is_empty()
            && self.emails.is_empty()
            && self.phones.is_empty()
            && self.addresses.is_empty()
            && self.urls.is_empty()
            && self.impps.is_empty()
            && self.birthdays.is_empty()
            && self.photos.is_empty()
            && self.notes.is_empty()
            && self.tags.is_empty()
            && self.positions.is_empty()
            && self.extra.is_empty()
    }

    /// vCard groups (`item1`) of this card, in use.
    fn groups(&self) -> Vec<String> {
        let points = self
            .emails
            .iter()
            .chain(&self.phones)
            .chain(&self.urls)
            .chain(&self.impps);
        let mut out: Vec<String> = points
            .filter_map(|c| c.group.clone())
            .chain(self.addresses.iter().filter_map(|a| a.group.clone()))
            .chain(
                self.extra
                    .iter()
                    .filter_map(|x| extra_group(&x.line).map(str::to_string)),
            )
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// What a group holds, comparable across cards.
    fn group_members(&self, group: &str) -> Vec<String> {
        let g = Some(group.to_string());
        let points = [
            ("email", &self.emails),
            ("tel", &self.phones),
            ("url", &self.urls),
            ("impp", &self.impps),
        ];
        let mut out: Vec<String> = points
            .iter()
            .flat_map(|(kind, list)| {
                list.iter()
                    .filter(|c| c.group == g)
                    .map(move |c| format!("{kind}:{}", c.value))
            })
            .chain(
                self.addresses
                    .iter()
                    .filter(|a| a.group == g)
                    .map(|a| format!("adr:{}", a.one_line())),
            )
            .chain(
                self.extra
                    .iter()
                    .filter(|x| extra_group(&x.line) == Some(group))
                    .map(|x| x.line[group.len()..].to_string()),
            )
            .collect();
        out.sort();
        out
    }

    /// Renames this card's groups that `other` already uses for something
    /// else, so that Apple labels (`item1.X-ABLabel`) stay with their own
    /// value after a merge. A group whose content `other` already holds
    /// under some name takes that name, so merging the same card twice
    /// changes nothing.
    fn rename_groups_taken_by(&mut self, other: &Card) {
        let taken = other.groups();
        let mine = self.groups();
        if taken.is_empty() || mine.is_empty() {
            return;
        }
        let mut used: Vec<String> = taken.iter().chain(&mine).cloned().collect();
        let mut next = 1;
        let mut renames: Vec<(String, String)> = Vec::new();
        for g in &mine {
            let members = self.group_members(g);
            if let Some(same) = taken.iter().find(|h| other.group_members(h) == members) {
                if same != g {
                    renames.push((g.clone(), same.clone()));
                }
            } else if taken.contains(g) {
                let fresh = loop {
                    let candidate = format!("item{next}");
                    next += 1;
                    if !used.contains(&candidate) {
                        break candidate;
                    }
                };
                used.push(fresh.clone());
                renames.push((g.clone(), fresh));
            }
        }
        if renames.is_empty() {
            return;
        }
        let rename = |g: &mut Option<String>| {
            if let Some((_, new)) = renames.iter().find(|(old, _)| Some(old) == g.as_ref()) {
                *g = Some(new.clone());
            }
        };
        let points = self
            .emails
            .iter_mut()
            .chain(&mut self.phones)
            .chain(&mut self.urls)
            .chain(&mut self.impps);
        points.for_each(|c| rename(&mut c.group));
        self.addresses.iter_mut().for_each(|a| rename(&mut a.group));
        for x in &mut self.extra {
            if let Some(g) = extra_group(&x.line).map(str::to_string)
                && let Some((_, new)) = renames.iter().find(|(old, _)| *old == g)
            {
                x.line = format!("{new}{}", &x.line[g.len()..]);
            }
        }
    }

    /// The card with values it holds twice (the same number as work fax and
    /// home fax) folded into one, their types and sources combined.
    pub fn deduplicated(self) -> Card {
        let mut out = Card::default();
        out.absorb(self);
        out
    }

    /// True when absorbing `other` would change nothing (a re-import).
    pub fn contains_all(&self, other: &Card) -> bool {
        let mut merged = self.clone();
        merged.absorb(other.clone());
        &merged == self
    }
}

/// The group of an extra line (`item1` in `item1.X-ABLabel:…`).
fn extra_group(line: &str) -> Option<&str> {
    let head = line.split([':', ';']).next()?;
    head.split_once('.').map(|(g, _)| g)
}

fn absorbed_names(absorbed: &Card) -> &[PersonName] {
    // The absorbed card's main name went into other_names too.
    std::slice::from_ref(&absorbed.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(line: u64) -> Source {
        Source {
            file: "a.vcf".into(),
            line,
            format: "vcard".into(),
        }
    }

    fn card(given: &str, email: &str, line: u64) -> Card {
        let mut c = Card {
            name: PersonName {
                given: given.into(),
                family: "Lovelace".into(),
                ..Default::default()
            },
            emails: vec![ContactPoint::new(email)],
            ..Default::default()
        };
        c.stamp(&src(line));
        c
    }

    #[test]
    fn absorb_keeps_every_value_and_unites_sources() {
        let mut a = card("Ada", "ada@example.org", 1);
        let mut b = card("Augusta", "ADA@example.org", 9);
        b.phones.push(ContactPoint::new("+442079460958"));
        let before = a.clone();
        a.absorb(b.clone());
        assert_eq!(a.emails.len(), 1);
        assert_eq!(a.emails[0].sources, vec![src(1), src(9)]);
        assert_eq!(a.phones.len(), 1);
        assert_eq!(a.other_names.len(), 1);
        assert!(a.contains_all(&b));

        a.separate(&b, &before);
        assert_eq!(a, before);
    }

    #[test]
    fn apple_label_groups_stay_with_their_values() {
        let labelled = |email: &str, label: &str| {
            let mut c = card("Ada", email, 1);
            c.emails[0].group = Some("item1".into());
            c.extra.push(ExtraProperty {
                line: format!("item1.X-ABLabel:{label}"),
                sources: vec![],
            });
            c
        };
        let mut a = labelled("ada@example.org", "Work");
        let b = labelled("ada@home.example", "Home");
        let before = a.clone();
        a.absorb(b.clone());
        assert_eq!(a.emails[1].group.as_deref(), Some("item2"));
        assert!(
            a.extra.iter().any(|x| x.line == "item2.X-ABLabel:Home"),
            "{:?}",
            a.extra
        );
        assert!(a.extra.iter().any(|x| x.line == "item1.X-ABLabel:Work"));
        a.separate(&b, &before);
        assert_eq!(a, before);
    }

    #[test]
    fn values_added_after_a_merge_survive_separation() {
        let mut a = card("Ada", "ada@example.org", 1);
        let b = card("Ada", "countess@example.org", 2);
        let before = a.clone();
        a.absorb(b.clone());
        a.notes.push(Text::new("met at the RI", None));
        a.separate(&b, &before);
        assert_eq!(a.emails.len(), 1);
        assert_eq!(a.notes.len(), 1);
    }
}

#[cfg(test)]
mod drop_source_tests {
    use super::*;

    fn from(file: &str) -> Source {
        Source {
            file: file.into(),
            line: 1,
            format: "vcard".into(),
        }
    }

    #[test]
    fn a_source_file_leaves_and_takes_only_its_own_values() {
        let mut card = Card {
            name: PersonName {
                full: "Grace Hopper".into(),
                sources: vec![from("dav/g.vcf")],
                ..Default::default()
            },
            ..Default::default()
        };
        let mut shared = ContactPoint::new("grace@navy.example");
        shared.sources = vec![from("dav/g.vcf"), from("mail.mbox")];
        let mut own = ContactPoint::new("g@dav.example");
        own.sources = vec![from("dav/g.vcf")];
        card.emails = vec![shared, own];
        card.uids = vec!["uid-1".into()];
        card.records = vec!["fp-1".into(), "fp-2".into()];
        card.drop_source("dav/g.vcf", Some("fp-1"), &["uid-1".into()]);
        assert_eq!(card.emails.len(), 1);
        assert_eq!(card.emails[0].sources, vec![from("mail.mbox")]);
        assert!(card.name.is_empty(), "the name only the file gave goes");
        assert!(card.uids.is_empty());
        assert_eq!(card.records, vec!["fp-2".to_string()]);
        assert!(!card.holds_nothing());
        card.drop_source("mail.mbox", None, &[]);
        assert!(card.holds_nothing());
    }
}
