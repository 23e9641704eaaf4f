//! A card a connection holds following the member's shared card: the
//! member's values replaced or removed, the holder's own values, notes and
//! edits untouched, a job left kept in the history with an end date.

use crate::model::{Card, ContactPoint, Position, Source};
use crate::names::normalize;

/// Makes the card a connection holds follow the member's shared card,
/// from what it shared `before` to what it shares `after` (both from
/// [`MyCard::to_card`](crate::mycard::MyCard::to_card) with `source`).
/// Only values that came from the member (`source`) are replaced or
/// removed; the holder's own values, notes and edits stay. A position the member left gets an end date
/// (`today`, "YYYY-MM") and stays in the job history; other values
/// the member stopped sharing go (the change log keeps them).
pub fn follow(held: &mut Card, before: &Card, after: &Card, source: &Source, today: &str) {
    let only_member = |s: &[Source]| !s.is_empty() && s.iter().all(|x| x == source);
    // The name: the member's replaces the member's; the holder's own stays
    // and the member's joins the other names.
    if !after.name.is_empty() && !after.name.same_as(&held.name) {
        if held.name.is_empty() || only_member(&held.name.sources) {
            let old = std::mem::replace(&mut held.name, after.name.clone());
            if !old.is_empty() && !held.other_names.iter().any(|n| n.same_as(&old)) {
                held.other_names.push(old);
            }
        } else if !held.other_names.iter().any(|n| n.same_as(&after.name)) {
            held.other_names.push(after.name.clone());
        }
    }
    // The position: the member's current one ends when it changes.
    let shared = after.positions.first();
    let same = |p: &Position, q: &Position| {
        normalize(&p.organization) == normalize(&q.organization)
            && normalize(&p.title) == normalize(&q.title)
    };
    for p in held.positions.iter_mut() {
        if p.is_current() && p.sources.contains(source) && shared.is_none_or(|s| !same(p, s)) {
            if only_member(&p.sources) {
                p.end = Some(today.to_string());
            } else {
                p.sources.retain(|s| s != source);
            }
        }
    }
    if let Some(s) = shared {
        match held
            .positions
            .iter_mut()
            .find(|p| p.is_current() && same(p, s))
        {
            Some(p) if !p.sources.contains(source) => p.sources.push(source.clone()),
            Some(_) => {}
            None => held.positions.push(Position {
                start: Some(today.to_string()),
                ..s.clone()
            }),
        }
    }
    follow_points(&mut held.emails, &before.emails, &after.emails, source);
    follow_points(&mut held.phones, &before.phones, &after.phones, source);
    follow_points(&mut held.urls, &before.urls, &after.urls, source);
    // The address and the headline: the member's own lines are replaced.
    held.addresses.retain(|a| !only_member(&a.sources));
    for a in &mut held.addresses {
        a.sources.retain(|s| s != source);
    }
    held.addresses.extend(after.addresses.iter().cloned());
    held.extra.retain(|e| !only_member(&e.sources));
    held.extra.extend(after.extra.iter().cloned());
}

/// A list of addresses, numbers or websites following the member's: new
/// values added (or the member's source added to the holder's same value),
/// values no longer shared losing the member's source, and going when
/// only the member had given them.
fn follow_points(
    held: &mut Vec<ContactPoint>,
    before: &[ContactPoint],
    after: &[ContactPoint],
    source: &Source,
) {
    let same = |a: &ContactPoint, b: &ContactPoint| a.value.eq_ignore_ascii_case(&b.value);
    for gone in before.iter().filter(|b| !after.iter().any(|a| same(a, b))) {
        for h in held.iter_mut().filter(|h| same(h, gone)) {
            h.sources.retain(|s| s != source);
        }
        held.retain(|h| !(same(h, gone) && h.sources.is_empty()));
    }
    for a in after {
        match held.iter_mut().find(|h| same(h, a)) {
            Some(h) if !h.sources.contains(source) => h.sources.push(source.clone()),
            Some(_) => {}
            None => held.push(a.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::{ChangeKind, changes};
    use crate::mycard::tests::member;
    use crate::mycard::{Field, MyCard, Visibility};

    #[test]
    fn a_held_card_follows_the_member_and_keeps_the_holders_values() {
        let src = member();
        let mut before = MyCard::default();
        before.set(Field::Name, "Ana Lima", None).unwrap();
        before.set(Field::Organization, "Acme", None).unwrap();
        before.set(Field::Title, "Engineer", None).unwrap();
        before.set(Field::Email, "ana@acme.com", None).unwrap();
        let mut held = Card::default();
        held.notes
            .push(crate::model::Text::new("met at RustConf", None));
        held.emails.push(ContactPoint::new("ana@gmail.com"));
        let empty = Card::default();
        let b = before.to_card(Visibility::Connections, &src);
        follow(&mut held, &empty, &b, &src, "2026-01");
        assert_eq!(held.name.full, "Ana Lima");
        assert_eq!(held.emails.len(), 2);

        let mut after = before.clone();
        after.set(Field::Organization, "Globex", None).unwrap();
        after.set(Field::Title, "CTO", None).unwrap();
        after.unset(Field::Email, Some("ana@acme.com"));
        after.set(Field::Email, "ana@globex.com", None).unwrap();
        after
            .set(Field::Address, "1 Main St, 10115 Berlin, Germany", None)
            .unwrap();
        let a = after.to_card(Visibility::Connections, &src);
        let news = changes(&b, &a);
        let kinds: Vec<ChangeKind> = news.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChangeKind::Job, ChangeKind::City, ChangeKind::Email]
        );
        assert_eq!(news[0].old, "Engineer at Acme");
        assert_eq!(news[0].new, "CTO at Globex");
        assert_eq!(news[1].new, "Berlin");

        follow(&mut held, &b, &a, &src, "2026-11");
        assert_eq!(held.notes[0].value, "met at RustConf");
        let emails: Vec<&str> = held.emails.iter().map(|e| e.value.as_str()).collect();
        assert_eq!(emails, ["ana@gmail.com", "ana@globex.com"]);
        assert_eq!(held.positions.len(), 2);
        assert_eq!(held.positions[0].end.as_deref(), Some("2026-11"));
        assert_eq!(held.current_position().unwrap().organization, "Globex");
        assert_eq!(held.addresses[0].locality, "Berlin");

        // The member makes the address private: it leaves the held card.
        let mut hidden = after.clone();
        hidden
            .set(
                Field::Address,
                "1 Main St, 10115 Berlin, Germany",
                Some(Visibility::Private),
            )
            .unwrap();
        let h = hidden.to_card(Visibility::Connections, &src);
        follow(&mut held, &a, &h, &src, "2026-11");
        assert!(held.addresses.is_empty());
    }

    #[test]
    fn a_name_the_holder_gave_is_kept() {
        let src = member();
        let mut held = Card::default();
        held.name.full = "Annie".into();
        let mut c = MyCard::default();
        c.set(Field::Name, "Ana Lima", None).unwrap();
        let a = c.to_card(Visibility::Connections, &src);
        follow(&mut held, &Card::default(), &a, &src, "2026-11");
        assert_eq!(held.name.full, "Annie");
        assert_eq!(held.other_names[0].full, "Ana Lima");
    }
}
