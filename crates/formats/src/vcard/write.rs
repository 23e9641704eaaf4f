//! Writing vCards 3.0 and 4.0 from kith's [`Card`], through calcard.

use super::{OMIT_YEAR, POSITION_PROPERTY};
use base64::Engine as _;
use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardParameterValue, VCardProperty,
    VCardType, VCardValue, VCardVersion,
};
use calcard::{Entry, Parser};
use kith_core::*;

/// The vCard versions kith writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V3,
    V4,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        match s.trim() {
            "3.0" | "3" => Some(Version::V3),
            "4.0" | "4" => Some(Version::V4),
            _ => None,
        }
    }
}

/// An ISO date as kith keeps it (`1985-04-12`, `--04-12`, `1985-04`,
/// `1985`) as a vCard date, so each version gets its own syntax; anything
/// else stays text.
fn date_value(iso: &str) -> VCardValue {
    let num = |s: &str| s.parse::<u16>().ok();
    let parts: Vec<&str> = iso.strip_prefix("--").unwrap_or(iso).split('-').collect();
    let (year, month, day) = match (iso.starts_with("--"), parts.as_slice()) {
        (true, [m, d]) => (None, num(m), num(d)),
        (false, [y, m, d]) => (num(y), num(m), num(d)),
        (false, [y, m]) => (num(y), num(m), None),
        (false, [y]) if y.len() == 4 => (num(y), None, None),
        _ => return VCardValue::Text(iso.to_string()),
    };
    let valid = year.is_some() || (month.is_some() && day.is_some());
    if !valid
        || month.is_some_and(|m| !(1..=12).contains(&m))
        || day.is_some_and(|d| !(1..=31).contains(&d))
    {
        return VCardValue::Text(iso.to_string());
    }
    VCardValue::PartialDateTime(calcard::common::PartialDateTime {
        year,
        month: month.map(|m| m as u8),
        day: day.map(|d| d as u8),
        ..Default::default()
    })
}

fn birthday_entry(iso: &str, version: Version) -> VCardEntry {
    let entry = VCardEntry::new(VCardProperty::Bday);
    match (version, iso.strip_prefix("--")) {
        (Version::V3, Some(month_day)) => entry
            .with_param(VCardParameter::new(
                VCardParameterName::Other(OMIT_YEAR.into()),
                "1604".to_string(),
            ))
            .with_value(date_value(&format!("1604-{month_day}"))),
        _ => entry.with_value(date_value(iso)),
    }
}

fn text_entry(prop: VCardProperty, value: &str) -> VCardEntry {
    VCardEntry::new(prop).with_value(value.to_string())
}

fn with_kinds(
    mut e: VCardEntry,
    kinds: &[String],
    preferred: bool,
    group: &Option<String>,
) -> VCardEntry {
    for k in kinds {
        e = e.with_param(VCardParameter::typ(type_value(k)));
    }
    if preferred {
        e = e.with_param(VCardParameter::pref(1u32));
    }
    e.with_group(group.clone())
}

fn type_value(k: &str) -> VCardParameterValue {
    let known = match k {
        "work" => Some(VCardType::Work),
        "home" => Some(VCardType::Home),
        "cell" | "mobile" => Some(VCardType::Cell),
        "voice" => Some(VCardType::Voice),
        "fax" => Some(VCardType::Fax),
        "pager" => Some(VCardType::Pager),
        "text" => Some(VCardType::Text),
        "video" => Some(VCardType::Video),
        _ => None,
    };
    match known {
        Some(t) => VCardParameterValue::Type(t),
        None => VCardParameterValue::Text(k.to_string()),
    }
}

/// Builds a vCard from a card: FN and N, contact points with their types,
/// addresses, the current position as ORG/TITLE (other positions as
/// X-KITH-POSITION), photos, notes, CATEGORIES, and the kept extra lines.
pub fn to_vcard(card: &Card, uid: &str, version: Version) -> VCard {
    let mut entries = Vec::new();
    let n = &card.name;
    // FN is required; a card kith keeps always has something to call it by.
    let display = Some(card.display_name())
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| "Unnamed".into());
    entries.push(text_entry(VCardProperty::Fn, &display));
    entries.push(
        VCardEntry::new(VCardProperty::N).with_values(
            [&n.family, &n.given, &n.additional, &n.prefix, &n.suffix]
                .iter()
                .map(|s| VCardValue::Text(s.to_string()))
                .collect(),
        ),
    );
    entries.push(text_entry(VCardProperty::Uid, uid));
    if !card.nicknames.is_empty() {
        let nicks: Vec<&str> = card.nicknames.iter().map(|t| t.value.as_str()).collect();
        entries.push(text_entry(VCardProperty::Nickname, &nicks.join(",")));
    }
    for (prop, list) in [
        (VCardProperty::Email, &card.emails),
        (VCardProperty::Tel, &card.phones),
        (VCardProperty::Url, &card.urls),
        (VCardProperty::Impp, &card.impps),
    ] {
        for cp in list {
            let e = text_entry(prop.clone(), &cp.value);
            entries.push(with_kinds(e, &cp.kinds, cp.preferred, &cp.group));
        }
    }
    for a in &card.addresses {
        let e = VCardEntry::new(VCardProperty::Adr).with_values(
            a.parts()
                .iter()
                .map(|s| VCardValue::Text(s.to_string()))
                .collect(),
        );
        entries.push(with_kinds(e, &a.kinds, false, &a.group));
    }
    if let Some(b) = card.birthdays.first() {
        entries.push(birthday_entry(&b.value, version));
    }
    let current = card.current_position();
    if let Some(p) = current {
        if !p.organization.is_empty() {
            let mut values = vec![VCardValue::Text(p.organization.clone())];
            if !p.department.is_empty() {
                values.push(VCardValue::Text(p.department.clone()));
            }
            entries.push(VCardEntry::new(VCardProperty::Org).with_values(values));
        }
        if !p.title.is_empty() {
            entries.push(text_entry(VCardProperty::Title, &p.title));
        }
    }
    for p in &card.positions {
        if Some(p) != current {
            // Past jobs: organisation;title;start;end, read back by from_vcard.
            let empty = String::new();
            let parts = [
                &p.organization,
                &p.title,
                p.start.as_ref().unwrap_or(&empty),
                p.end.as_ref().unwrap_or(&empty),
            ]
            .iter()
            .map(|s| VCardValue::Text(s.to_string()))
            .collect();
            entries.push(
                VCardEntry::new(VCardProperty::Other(POSITION_PROPERTY.into())).with_values(parts),
            );
        }
    }
    for p in &card.photos {
        if let Some(data) = &p.data {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) {
                let value = VCardValue::Binary(calcard::common::Data {
                    content_type: p.media_type.clone(),
                    data: bytes,
                });
                entries.push(VCardEntry::new(VCardProperty::Photo).with_value(value));
            }
        } else if let Some(uri) = &p.uri {
            entries.push(text_entry(VCardProperty::Photo, uri));
        }
    }
    for note in &card.notes {
        entries.push(text_entry(VCardProperty::Note, &note.value));
    }
    if !card.tags.is_empty() {
        entries.push(
            VCardEntry::new(VCardProperty::Categories).with_values(
                card.tags
                    .iter()
                    .map(|t| VCardValue::Text(t.value.clone()))
                    .collect(),
            ),
        );
    }
    let mut vcard = VCard { entries };
    if !card.extra.is_empty() {
        let mut text = String::from("BEGIN:VCARD\r\nVERSION:4.0\r\n");
        for x in &card.extra {
            text.push_str(&x.line);
            text.push_str("\r\n");
        }
        text.push_str("END:VCARD\r\n");
        if let Entry::VCard(extra) = Parser::new(&text).entry() {
            vcard.entries.extend(extra.entries.into_iter().filter(|e| {
                !matches!(
                    e.name,
                    VCardProperty::Begin | VCardProperty::End | VCardProperty::Version
                )
            }));
        }
    }
    vcard
}

/// Writes one card as vCard text in `version`.
pub fn write_card(out: &mut String, card: &Card, uid: &str, version: Version) {
    let v = match version {
        Version::V3 => VCardVersion::V3_0,
        Version::V4 => VCardVersion::V4_0,
    };
    // Writing into a String cannot fail.
    let _ = to_vcard(card, uid, version).write_to(out, v);
}
