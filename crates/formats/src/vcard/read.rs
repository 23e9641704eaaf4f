//! Reading vCards: a streaming [`Reader`] over a file and the mapping of a
//! parsed card onto kith's [`Card`].

use super::{OMIT_YEAR, POSITION_PROPERTY, UNPARSED_PROPERTY};
use base64::Engine as _;
use calcard::vcard::{VCard, VCardEntry, VCardParameterName, VCardProperty, VCardValue};
use calcard::{Entry, Parser};
use kith_core::*;
use std::io::BufRead;

/// A card larger than this is reported and skipped (a runaway file, a
/// 50 MB field), so one bad record cannot exhaust memory. A line is never
/// held whole beyond this either: its bytes past the cap are skipped unread.
pub const MAX_CARD_BYTES: usize = 16 * 1024 * 1024;

/// Bytes of a line kept while looking for the next `BEGIN:VCARD` (a marker
/// is short; the rest of a long stray line is skipped unread).
const MARKER_SCAN_BYTES: usize = 64;

/// Streams the cards of one vCard file.
pub struct Reader<'a> {
    input: Box<dyn BufRead + 'a>,
    file: String,
    line: u64,
    finished: bool,
    buf: Vec<u8>,
    /// The line in `buf` was longer than the cap it was read with (its
    /// tail was skipped).
    long_line: bool,
    /// A card read while reporting stray text before it.
    pending: Option<crate::Item>,
    /// A `BEGIN:VCARD` line (and its number) that cut off the card before
    /// it: the next card starts there.
    next_begin: Option<(Vec<u8>, u64)>,
}

impl<'a> Reader<'a> {
    pub fn new(input: Box<dyn BufRead + 'a>, file: &str) -> Self {
        Reader {
            input,
            file: file.to_string(),
            line: 0,
            finished: false,
            buf: Vec::new(),
            long_line: false,
            pending: None,
            next_begin: None,
        }
    }

    fn diag(&self, line: u64, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            line,
            message: message.into(),
        }
    }

    /// Reads one physical line into `self.buf`, keeping at most `cap`
    /// bytes of it (the rest is consumed unread and `long_line` set);
    /// false at end of input.
    fn read_line(&mut self, cap: usize) -> Result<bool, std::io::Error> {
        if self.buf.capacity() > MAX_CARD_BYTES / 4 {
            // Do not keep a huge line's allocation for the rest of the file.
            self.buf = Vec::new();
        }
        let line = crate::text::read_line_capped(&mut self.input, &mut self.buf, cap)?;
        self.long_line = line.cut;
        if line.read > 0 {
            self.line += 1;
        }
        Ok(line.read > 0)
    }
}

/// The upper-cased, trimmed text of a line, when short enough to be a
/// BEGIN/END marker.
fn marker(line: &[u8]) -> Option<String> {
    let line = crate::text::strip_bom(line);
    if line.len() > 40 {
        return None;
    }
    let s = std::str::from_utf8(line).ok()?;
    Some(s.trim().to_ascii_uppercase())
}

/// Whether a line is a vCard 2.1 `AGENT` property with an empty value: the
/// embedded card follows on its own `BEGIN:VCARD` line (`AGENT:`,
/// `item1.AGENT;TYPE=WORK:`).
fn opens_agent(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return false;
    };
    let name = &line[..colon];
    let name = name.split(|&b| b == b';').next().unwrap_or(name);
    let name = name.rsplit(|&b| b == b'.').next().unwrap_or(name);
    name.trim_ascii().eq_ignore_ascii_case(b"AGENT") && line[colon + 1..].trim_ascii().is_empty()
}

impl Iterator for Reader<'_> {
    type Item = crate::Item;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.pending.take() {
            return Some(item);
        }
        if let Some((begin, start)) = self.next_begin.take() {
            return Some(self.read_card(begin, start));
        }
        if self.finished {
            return None;
        }
        // Find the next BEGIN:VCARD, reporting anything else that is not blank.
        let mut stray: Option<u64> = None;
        loop {
            match self.read_line(MARKER_SCAN_BYTES) {
                Err(e) => {
                    self.finished = true;
                    return Some(Err(self.diag(self.line, format!("read error: {e}"))));
                }
                Ok(false) => {
                    self.finished = true;
                    return stray.map(|l| Err(self.diag(l, STRAY)));
                }
                Ok(true) => {}
            }
            match marker(&self.buf).as_deref() {
                Some("BEGIN:VCARD") if !self.long_line => break,
                Some("") => {}
                _ => {
                    stray.get_or_insert(self.line);
                }
            }
        }
        let begin = std::mem::take(&mut self.buf);
        let start = self.line;
        let card = self.read_card(begin, start);
        match stray {
            Some(l) => {
                self.pending = Some(card);
                Some(Err(self.diag(l, STRAY)))
            }
            None => Some(card),
        }
    }
}

const STRAY: &str = "text outside any BEGIN:VCARD … END:VCARD block skipped";

impl Reader<'_> {
    /// Reads from the BEGIN line up to its matching END (nested 2.1 `AGENT`
    /// cards included) and parses the block. A `BEGIN:VCARD` line that does
    /// not follow an `AGENT` property starts the next card: the card before
    /// it was cut off, and is read as far as it goes, with a warning.
    fn read_card(&mut self, mut block: Vec<u8>, start: u64) -> crate::Item {
        let mut depth = 1u32;
        let mut too_big = false;
        // The line ending the card early: end of file (None) or the next BEGIN.
        let mut cut: Option<Option<u64>> = None;
        let mut after_agent = false;
        loop {
            let cap = if too_big {
                MARKER_SCAN_BYTES
            } else {
                MAX_CARD_BYTES + 1 - block.len().min(MAX_CARD_BYTES)
            };
            match self.read_line(cap) {
                Err(e) => {
                    self.finished = true;
                    return Err(self.diag(self.line, format!("read error: {e}")));
                }
                Ok(false) => {
                    self.finished = true;
                    cut = Some(None);
                    break;
                }
                Ok(true) => {}
            }
            let long = self.long_line;
            match marker(&self.buf).as_deref() {
                Some("BEGIN:VCARD") if !long && after_agent => depth += 1,
                Some("BEGIN:VCARD") if !long => {
                    // A new card begins: this one has no END:VCARD.
                    let line = self.line;
                    self.next_begin = Some((std::mem::take(&mut self.buf), line));
                    cut = Some(Some(line));
                    break;
                }
                Some("END:VCARD") if !long => depth -= 1,
                _ => {}
            }
            after_agent = !long && opens_agent(&self.buf);
            if !too_big {
                if long || block.len() + self.buf.len() > MAX_CARD_BYTES {
                    too_big = true;
                    block = Vec::new();
                } else {
                    block.extend_from_slice(&self.buf);
                }
            }
            if depth == 0 {
                break;
            }
        }
        if too_big {
            return Err(self.diag(
                start,
                format!(
                    "card is larger than {} MiB; skipped",
                    MAX_CARD_BYTES / (1024 * 1024)
                ),
            ));
        }
        if cut.is_some() {
            // Close the card (and any AGENT card left open inside it).
            for _ in 0..depth {
                block.extend_from_slice(b"\r\nEND:VCARD\r\n");
            }
        }
        let text = crate::text::decode(&block);
        let mut record = parse_card(&text, &self.file, start).map_err(|m| {
            let m = match cut {
                Some(Some(next)) => {
                    format!("{m} (the card has no END:VCARD before the next card, line {next})")
                }
                Some(None) => format!("{m} (the file ends inside this card)"),
                None => m,
            };
            self.diag(start, m)
        })?;
        match cut {
            Some(Some(next)) => record.warnings.push(format!(
                "no END:VCARD before the next card begins (line {next}); read this card as far as it goes"
            )),
            Some(None) => record
                .warnings
                .push("the file ends inside this card (no END:VCARD); read what was there".into()),
            None => {}
        }
        Ok(record)
    }
}

/// Parses one card's text (BEGIN to END) into a record.
pub fn parse_card(text: &str, file: &str, line: u64) -> Result<ImportRecord, String> {
    let vcard = match Parser::new(text).entry() {
        Entry::VCard(v) => v,
        Entry::InvalidLine(l) => return Err(format!("not a valid vCard: bad line {:?}", clip(&l))),
        Entry::UnterminatedComponent(c) => return Err(format!("unterminated {c}")),
        Entry::Eof => return Err("empty card".into()),
        other => return Err(format!("not a vCard ({other:?})")),
    };
    let mut card = from_vcard(&vcard);
    let source = Source {
        file: file.to_string(),
        line,
        format: "vcard".into(),
    };
    card.stamp(&source);
    if card.has_nothing_to_show() {
        return Err(
            "card has no name, email, phone, URL, IM address, postal address, \
             organisation or note; skipped"
                .into(),
        );
    }
    Ok(ImportRecord {
        card,
        line,
        about_owner: false,
        warnings: Vec::new(),
    })
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

/// The text of every value of an entry, one string per value.
fn texts(entry: &VCardEntry) -> Vec<String> {
    entry.values.iter().map(value_text).collect()
}

fn value_text(v: &VCardValue) -> String {
    match v {
        VCardValue::Text(s) => s.clone(),
        VCardValue::Component(parts) => parts.join(","),
        VCardValue::Integer(i) => i.to_string(),
        VCardValue::Float(f) => f.to_string(),
        VCardValue::Boolean(b) => b.to_string(),
        VCardValue::PartialDateTime(d) => partial_date(d),
        VCardValue::Binary(d) => d.to_unwrapped_string(),
        other => {
            let mut s = String::new();
            let entry = VCardEntry::new(VCardProperty::Note).with_value(other.clone());
            let _ = entry.write_to(&mut s, true);
            s.split_once(':')
                .map(|(_, v)| v.trim_end().to_string())
                .unwrap_or_default()
        }
    }
}

fn partial_date(d: &calcard::common::PartialDateTime) -> String {
    match (d.year, d.month, d.day) {
        (Some(y), Some(m), Some(day)) => format!("{y:04}-{m:02}-{day:02}"),
        (None, Some(m), Some(day)) => format!("--{m:02}-{day:02}"),
        (Some(y), Some(m), None) => format!("{y:04}-{m:02}"),
        (Some(y), None, None) => format!("{y:04}"),
        // calcard's vCard 2.1/3.0 date reader takes `--MM-DD` (no year) as
        // day MM, hour DD; read it back as the month and day it is.
        (None, None, Some(m))
            if d.hour.is_some_and(|h| (1..=31).contains(&h)) && (1..=12).contains(&m) =>
        {
            format!("--{m:02}-{:02}", d.hour.unwrap_or_default())
        }
        _ => String::new(),
    }
}

/// The TYPE values of an entry, lower-case; `pref` is reported separately.
fn kinds(entry: &VCardEntry) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut pref = false;
    for p in &entry.params {
        match &p.name {
            VCardParameterName::Type => {
                let t = p.value.clone().into_text().to_ascii_lowercase();
                for t in t.split(',') {
                    let t = t.trim();
                    if t == "pref" {
                        pref = true;
                    } else if !t.is_empty() && t != "internet" && !out.iter().any(|k| k == t) {
                        out.push(t.to_string());
                    }
                }
            }
            VCardParameterName::Pref => pref = true,
            _ => {}
        }
    }
    (out, pref)
}

fn contact_point(entry: &VCardEntry, value: String) -> ContactPoint {
    let (kinds, preferred) = kinds(entry);
    let value = value
        .strip_prefix("tel:")
        .map(str::to_string)
        .unwrap_or(value);
    ContactPoint {
        value,
        kinds,
        preferred,
        group: entry.group.clone(),
        ..Default::default()
    }
}

/// Maps a parsed vCard onto a card.
pub fn from_vcard(v: &VCard) -> Card {
    let mut card = Card::default();
    let mut orgs: Vec<(String, String)> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    let mut labels: Vec<(String, String)> = Vec::new();
    for e in &v.entries {
        let t = texts(e);
        let first = t.first().cloned().unwrap_or_default();
        match &e.name {
            VCardProperty::Begin | VCardProperty::End | VCardProperty::Version => {}
            VCardProperty::Prodid | VCardProperty::Rev => {}
            // vCard 3.0's PROFILE:VCARD only repeats BEGIN; strict readers reject it mid-card.
            VCardProperty::Other(name) if name.eq_ignore_ascii_case("PROFILE") => {}
            VCardProperty::Fn => {
                if card.name.full.is_empty() {
                    card.name.full = first.trim().to_string();
                }
            }
            VCardProperty::N => {
                let part = |i: usize| t.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
                card.name.family = part(0);
                card.name.given = part(1);
                card.name.additional = part(2);
                card.name.prefix = part(3);
                card.name.suffix = part(4);
            }
            VCardProperty::Nickname => {
                for n in t.iter().flat_map(|s| s.split(',')) {
                    if !n.trim().is_empty() {
                        card.nicknames.push(Text::new(n.trim(), None));
                    }
                }
            }
            VCardProperty::Email if !first.trim().is_empty() => {
                card.emails.push(contact_point(e, first.trim().to_string()))
            }
            VCardProperty::Tel if !first.trim().is_empty() => {
                card.phones.push(contact_point(e, first.trim().to_string()))
            }
            VCardProperty::Url if !first.trim().is_empty() => {
                card.urls.push(contact_point(e, first.trim().to_string()))
            }
            VCardProperty::Impp if !first.trim().is_empty() => {
                card.impps.push(contact_point(e, first.trim().to_string()))
            }
            VCardProperty::Adr => {
                let part = |i: usize| t.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
                let (kinds, _) = kinds(e);
                let a = PostalAddress {
                    po_box: part(0),
                    extended: part(1),
                    street: part(2),
                    locality: part(3),
                    region: part(4),
                    postal_code: part(5),
                    country: part(6),
                    kinds,
                    group: e.group.clone(),
                    ..Default::default()
                };
                if !a.is_empty() {
                    card.addresses.push(a);
                }
            }
            VCardProperty::Bday => {
                let omitted = e.params.iter().find_map(|p| match &p.name {
                    VCardParameterName::Other(n) if n.eq_ignore_ascii_case(OMIT_YEAR) => {
                        Some(p.value.clone().into_text().into_owned())
                    }
                    _ => None,
                });
                let date = match omitted {
                    Some(year) => first
                        .strip_prefix(year.as_str())
                        .map(|md| format!("-{md}"))
                        .unwrap_or(first.clone()),
                    None => first.clone(),
                };
                if !date.trim().is_empty() {
                    card.birthdays.push(Text::new(date.trim(), None));
                }
            }
            VCardProperty::Photo => {
                if let Some(p) = photo(e) {
                    card.photos.push(p);
                }
            }
            VCardProperty::Note => {
                let note = t.join(";");
                if !note.trim().is_empty() {
                    card.notes.push(Text::new(note.trim(), None));
                }
            }
            VCardProperty::Categories => {
                for c in t.iter().flat_map(|s| s.split(',')) {
                    let c = c.trim();
                    if !c.is_empty() && !card.tags.iter().any(|x| x.value == c) {
                        card.tags.push(Text::new(c, None));
                    }
                }
            }
            VCardProperty::Org => {
                let org = t.first().map(|s| s.trim().to_string()).unwrap_or_default();
                let dept = t.iter().skip(1).map(|s| s.trim()).filter(|s| !s.is_empty());
                orgs.push((org, dept.collect::<Vec<_>>().join("; ")));
            }
            VCardProperty::Title => titles.push(first.trim().to_string()),
            VCardProperty::Uid => {
                if !first.trim().is_empty() {
                    card.uids.push(first.trim().to_string());
                }
            }
            VCardProperty::Other(name) if name.eq_ignore_ascii_case(POSITION_PROPERTY) => {
                // An unknown property reaches us as one text: its components
                // (organisation;title;start;end) are split here.
                let parts: Vec<String> = if t.len() == 1 {
                    t[0].split(';').map(str::to_string).collect()
                } else {
                    t.clone()
                };
                let part = |i: usize| {
                    parts
                        .get(i)
                        .map(|s| s.trim().to_string())
                        .unwrap_or_default()
                };
                let date = |i: usize| Some(part(i)).filter(|s| !s.is_empty());
                card.positions.push(Position {
                    organization: part(0),
                    title: part(1),
                    start: date(2),
                    end: date(3),
                    ..Default::default()
                });
            }
            VCardProperty::Other(name)
                if name.eq_ignore_ascii_case("X-ABLABEL") && e.group.is_some() =>
            {
                labels.push((e.group.clone().unwrap_or_default(), first.clone()));
                card.extra.push(ExtraProperty {
                    line: entry_line(e),
                    sources: Vec::new(),
                });
            }
            VCardProperty::Other(name) if !is_property_name(name) => {
                // A broken line read as a property name (a 2.1 value wrapped
                // without folding): keep its text under a valid name.
                let text = format!("{name}:{}", t.join(";"));
                let entry = VCardEntry::new(VCardProperty::Other(UNPARSED_PROPERTY.into()))
                    .with_value(text);
                card.extra.push(ExtraProperty {
                    line: entry_line(&entry),
                    sources: Vec::new(),
                });
            }
            _ => {
                let line = entry_line(e);
                if !line.is_empty() {
                    card.extra.push(ExtraProperty {
                        line,
                        sources: Vec::new(),
                    });
                }
            }
        }
    }
    // ORG and TITLE pair up in order; a lone TITLE is a position without organisation.
    let n = orgs.len().max(titles.len());
    for i in 0..n {
        let (organization, department) = orgs.get(i).cloned().unwrap_or_default();
        let title = titles.get(i).cloned().unwrap_or_default();
        if !organization.is_empty() || !title.is_empty() {
            card.positions.push(Position {
                organization,
                department,
                title,
                ..Default::default()
            });
        }
    }
    // Apple's X-ABLabel names the grouped value it sits beside.
    for (group, label) in labels {
        let label = label
            .trim_start_matches("_$!<")
            .trim_end_matches(">!$_")
            .to_string();
        for cp in card
            .emails
            .iter_mut()
            .chain(&mut card.phones)
            .chain(&mut card.urls)
            .chain(&mut card.impps)
        {
            if cp.group.as_deref() == Some(group.as_str()) && cp.label.is_none() {
                cp.label = Some(label.clone());
            }
        }
    }
    card
}

fn photo(e: &VCardEntry) -> Option<Photo> {
    let media_type = e.params.iter().find_map(|p| match (&p.name, &p.value) {
        (VCardParameterName::Mediatype, v) => Some(v.clone().into_text().into_owned()),
        _ => None,
    });
    match e.values.first()? {
        VCardValue::Binary(d) if !d.data.is_empty() => Some(Photo {
            media_type: d.content_type.clone().or(media_type),
            data: Some(base64::engine::general_purpose::STANDARD.encode(&d.data)),
            ..Default::default()
        }),
        VCardValue::Text(uri) if !uri.trim().is_empty() => Some(Photo {
            media_type,
            uri: Some(uri.trim().to_string()),
            ..Default::default()
        }),
        _ => None,
    }
}

/// One entry as an unfolded vCard 4.0 content line, in the form that reads
/// back to itself (calcard's escaping of some odd values settles after one
/// more pass), so that an export and re-import keeps the line unchanged.
fn entry_line(e: &VCardEntry) -> String {
    let mut line = write_line(e);
    for _ in 0..3 {
        let text = format!("BEGIN:VCARD\r\nVERSION:4.0\r\n{line}\r\nEND:VCARD\r\n");
        let again = match Parser::new(&text).entry() {
            Entry::VCard(v) => v
                .entries
                .iter()
                .find(|x| {
                    !matches!(
                        x.name,
                        VCardProperty::Begin | VCardProperty::End | VCardProperty::Version
                    )
                })
                .map(write_line),
            _ => None,
        };
        match again {
            Some(again) if again != line => line = again,
            _ => break,
        }
    }
    line
}

fn write_line(e: &VCardEntry) -> String {
    let mut s = String::new();
    if e.write_to(&mut s, true).is_err() {
        return String::new();
    }
    s.replace("\r\n ", "")
        .replace("\r\n\t", "")
        .trim_end_matches(['\r', '\n'])
        .to_string()
}

/// A valid vCard property name: letters, digits and dashes.
fn is_property_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
