//! CSV readers (LinkedIn, Google, Outlook, any other CSV) and what they share:
//! a line-exact record splitter, a header keyed by column name, decoding of
//! UTF-8 or Windows-1252 cells, ` ::: ` multi-values, date parsing into ISO
//! partial dates and the `X-KITH-CSV-*` lines that keep unmapped columns.
//! Readers here build [`Card`]s; they never match, merge or store them.
//!
//! Why a hand-written splitter rather than `csv::Reader`: the `csv` crate
//! reports a record's position lazily (blank lines and the CR of a CRLF are
//! consumed by the *next* read), so its line numbers drift on exactly the files
//! this module exists for (LinkedIn preambles, Excel re-saves). The splitter
//! below follows the same RFC 4180 rules as `csv-core` (a quote opens a quoted
//! field only at the start of a field, `""` is a quote, a stray quote inside an
//! unquoted field is data, rows may have any width) and counts lines exactly,
//! including `\r`-only line ends written by old Mac Excel.

pub mod generic;
pub mod google;
pub mod linkedin;
pub mod linkedin_activity;
pub mod outlook;

use crate::FormatError;
use kith_core::{Card, ContactPoint, Diagnostic, ExtraProperty, ImportRecord, Source};
use std::collections::HashMap;
use std::io::{BufRead, ErrorKind};

/// Why a row that holds nothing kith can show a person by is skipped
/// (see [`Card::has_nothing_to_show`]).
pub(crate) const NOTHING_TO_SHOW: &str = "no name, email, phone, website, IM address, \
     postal address, organisation or note; row skipped";

/// How many non-blank lines a reader looks at to find its header.
pub(crate) const HEADER_SCAN_LINES: u64 = 200;

// ---------------------------------------------------------------------------
// Record splitting
// ---------------------------------------------------------------------------

/// A record (a row, with its quoted line breaks) larger than this is
/// reported and skipped: its bytes past the cap are read but not kept, so
/// one runaway row (a 1 GiB line, a quote never closed) cannot exhaust
/// memory. Each field counts 32 bytes besides its text (a line of commas).
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
const FIELD_OVERHEAD: usize = 32;

/// One record as bytes, with the line it starts on.
#[derive(Debug)]
struct RawRecord {
    line: u64,
    fields: Vec<Vec<u8>>,
    /// The input ended inside a quoted field.
    unclosed_quote: bool,
    /// The record was over [`MAX_RECORD_BYTES`]: `fields` is empty.
    too_big: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Splits a byte stream into CSV records, counting lines exactly.
pub(crate) struct RecordReader<'a> {
    input: Box<dyn BufRead + 'a>,
    /// The line the next byte belongs to (1-based).
    line: u64,
    /// The last byte was a `\r`: a `\n` right after it ends the same line.
    pending_cr: bool,
}

impl<'a> RecordReader<'a> {
    pub(crate) fn new(input: Box<dyn BufRead + 'a>) -> Self {
        RecordReader {
            input,
            line: 1,
            pending_cr: false,
        }
    }

    /// Reads the next record. With `one_line`, the record ends at the end of
    /// the physical line even inside quotes (used to find a header below a
    /// preamble that might hold a stray quote).
    fn read(&mut self, one_line: bool) -> std::io::Result<Option<RawRecord>> {
        let start = self.line;
        let mut fields: Vec<Vec<u8>> = Vec::new();
        let mut field: Vec<u8> = Vec::new();
        let mut state = State::Start;
        let mut any = false;
        // Bytes kept so far (text and per-field overhead); past the cap,
        // nothing more is kept and the record is reported as too big.
        let mut kept = 0usize;
        let mut too_big = false;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                if !any {
                    return Ok(None);
                }
                fields.push(field);
                return Ok(Some(RawRecord {
                    line: start,
                    fields: if too_big { Vec::new() } else { fields },
                    unclosed_quote: state == State::Quoted,
                    too_big,
                }));
            }
            let mut used = 0;
            let mut done = false;
            for &b in buf {
                used += 1;
                if self.pending_cr {
                    self.pending_cr = false;
                    if b == b'\n' {
                        continue;
                    }
                }
                any = true;
                kept += 1;
                if kept > MAX_RECORD_BYTES && !too_big {
                    too_big = true;
                    fields = Vec::new();
                    field = Vec::new();
                }
                if too_big {
                    // Drop what the state machine keeps; it still finds the record's end.
                    field.clear();
                    fields.clear();
                }
                let newline = b == b'\n' || b == b'\r';
                if newline {
                    self.line += 1;
                    self.pending_cr = b == b'\r';
                }
                match state {
                    State::Start | State::Unquoted | State::QuoteInQuoted => {
                        if newline {
                            done = true;
                            break;
                        }
                        match (state, b) {
                            (State::Start, b'"') => state = State::Quoted,
                            (State::QuoteInQuoted, b'"') => {
                                field.push(b'"');
                                state = State::Quoted;
                            }
                            (_, b',') => {
                                kept += FIELD_OVERHEAD;
                                fields.push(std::mem::take(&mut field));
                                state = State::Start;
                            }
                            _ => {
                                field.push(b);
                                state = State::Unquoted;
                            }
                        }
                    }
                    State::Quoted => {
                        if newline {
                            if one_line {
                                done = true;
                                break;
                            }
                            field.push(b'\n');
                        } else if b == b'"' {
                            state = State::QuoteInQuoted;
                        } else {
                            field.push(b);
                        }
                    }
                }
            }
            self.input.consume(used);
            if done {
                fields.push(field);
                return Ok(Some(RawRecord {
                    line: start,
                    fields: if too_big { Vec::new() } else { fields },
                    unclosed_quote: false,
                    too_big,
                }));
            }
        }
    }
}

/// Decodes one cell: UTF-8, or Windows-1252 when it is not valid UTF-8.
fn decode_field(bytes: &[u8]) -> String {
    crate::text::decode(bytes).into_owned()
}

fn is_blank(fields: &[String]) -> bool {
    fields.iter().all(|f| f.trim().is_empty())
}

// ---------------------------------------------------------------------------
// Header and rows
// ---------------------------------------------------------------------------

/// The header of a CSV file: column names and where each one is.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub names: Vec<String>,
    /// The line the header is on.
    pub line: u64,
    index: HashMap<String, usize>,
}

impl Header {
    pub(crate) fn new(names: Vec<String>, line: u64) -> Self {
        let names: Vec<String> = names.into_iter().map(|n| n.trim().to_string()).collect();
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            index.entry(n.to_lowercase()).or_insert(i);
        }
        Header { names, line, index }
    }

    /// The column named `name` (case-insensitive).
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.index.get(&name.trim().to_lowercase()).copied()
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The column names for a message, shortened when there are many.
    pub(crate) fn list(&self) -> String {
        const MAX: usize = 30;
        let mut out = self
            .names
            .iter()
            .take(MAX)
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>();
        if self.names.len() > MAX {
            out.push(format!("… ({} columns in all)", self.names.len()));
        }
        out.join(", ")
    }
}

/// One data row: its first line and its decoded cells.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub line: u64,
    pub fields: Vec<String>,
}

impl Row {
    /// The trimmed cell at `index`, or "" when the column is absent.
    pub(crate) fn cell(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    /// The trimmed cell of the column named `name`, or "".
    pub(crate) fn get(&self, header: &Header, name: &str) -> &str {
        self.cell(header.find(name))
    }

    /// Checks the row is as wide as the header. Extra cells that are empty
    /// (Excel pads rows with commas) are fine; with `lenient`, missing cells
    /// at the end read as empty.
    pub(crate) fn check_width(
        &self,
        header: &Header,
        file: &str,
        lenient: bool,
    ) -> Result<(), Diagnostic> {
        let n = self.fields.len();
        let want = header.len();
        let extra_filled = n > want && self.fields[want..].iter().any(|f| !f.trim().is_empty());
        if extra_filled || (n < want && !lenient) {
            return Err(Diagnostic {
                file: file.to_string(),
                line: self.line,
                message: format!(
                    "{n} fields where the header (line {}) has {want}; row skipped \
                     (look for an unquoted comma or a missing quote)",
                    header.line
                ),
            });
        }
        Ok(())
    }
}

/// Data rows after the header, blank rows (also comma-only ones) skipped.
pub(crate) struct Rows<'a> {
    reader: RecordReader<'a>,
    file: String,
    done: bool,
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let raw = match self.reader.read(false) {
                Ok(Some(r)) => r,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(Diagnostic {
                        file: self.file.clone(),
                        line: self.reader.line,
                        message: format!("cannot read the rest of the file: {e}"),
                    }));
                }
            };
            if raw.too_big {
                if raw.unclosed_quote {
                    self.done = true;
                }
                return Some(Err(Diagnostic {
                    file: self.file.clone(),
                    line: raw.line,
                    message: format!(
                        "the row is larger than {} MiB; skipped{}",
                        MAX_RECORD_BYTES >> 20,
                        if raw.unclosed_quote {
                            " (a quoted field opened in it is never closed: the rest of the \
                             file could not be read)"
                        } else {
                            ""
                        }
                    ),
                }));
            }
            if raw.unclosed_quote {
                self.done = true;
                return Some(Err(Diagnostic {
                    file: self.file.clone(),
                    line: raw.line,
                    message: "a quoted field opened here is never closed; the rest of the file \
                              could not be read (fix the quote and import again)"
                        .into(),
                }));
            }
            let fields: Vec<String> = raw.fields.iter().map(|f| decode_field(f)).collect();
            if is_blank(&fields) {
                continue;
            }
            return Some(Ok(Row {
                line: raw.line,
                fields,
            }));
        }
    }
}

/// The outcome of looking for a header.
pub(crate) enum Scan<'a, T> {
    Found {
        header: Header,
        kind: T,
        rows: Rows<'a>,
    },
    /// No accepted header; `first` is the first non-blank line seen.
    NotFound { first: Option<String> },
}

/// The header of a file that has it on its first non-blank line (Google,
/// Outlook, generic CSV), and the rows after it; an empty file is an error.
pub(crate) fn header_on_first_line<'a>(
    input: Box<dyn BufRead + 'a>,
    file: &str,
) -> Result<(Header, Rows<'a>), FormatError> {
    match scan_header(input, file, 1, |_| Some(()))? {
        Scan::Found { header, rows, .. } => Ok((header, rows)),
        Scan::NotFound { first: None } => Err(FormatError::Invalid {
            file: file.to_string(),
            message: "the file is empty; export the contacts again".into(),
        }),
        Scan::NotFound { first: Some(first) } => Err(FormatError::Invalid {
            file: file.to_string(),
            message: format!("the first line is not a header: {first}"),
        }),
    }
}

/// Looks at up to `max_lines` non-blank lines for one that `accept` takes as
/// the header, and returns it with the rows after it. A leading Excel
/// `sep=,` line is skipped.
pub(crate) fn scan_header<'a, T>(
    input: Box<dyn BufRead + 'a>,
    file: &str,
    max_lines: u64,
    accept: impl Fn(&[String]) -> Option<T>,
) -> Result<Scan<'a, T>, FormatError> {
    let mut reader = RecordReader::new(input);
    let mut first: Option<String> = None;
    let mut seen = 0u64;
    while seen < max_lines {
        let raw = match reader.read(true) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(source) => {
                return Err(FormatError::Io {
                    file: file.to_string(),
                    source,
                });
            }
        };
        if raw.too_big {
            // Not a header (and not kept): it counts as a line looked at.
            seen += 1;
            first.get_or_insert_with(|| {
                format!(
                    "line {} is over {} MiB (not read)",
                    raw.line,
                    MAX_RECORD_BYTES >> 20
                )
            });
            continue;
        }
        let fields: Vec<String> = raw.fields.iter().map(|f| decode_field(f)).collect();
        if is_blank(&fields) {
            continue;
        }
        seen += 1;
        if seen == 1
            && fields.len() == 1
            && fields[0].trim().to_ascii_lowercase().starts_with("sep=")
        {
            continue;
        }
        if first.is_none() {
            first = Some(fields.join(","));
        }
        if let Some(kind) = accept(&fields) {
            let header = Header::new(fields, raw.line);
            return Ok(Scan::Found {
                header,
                kind,
                rows: Rows {
                    reader,
                    file: file.to_string(),
                    done: false,
                },
            });
        }
    }
    Ok(Scan::NotFound { first })
}

/// Shortens a line for an error message.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// Splits a Google multi-value cell (`a ::: b`) into its trimmed, non-empty parts.
pub(crate) fn split_multi(s: &str) -> Vec<&str> {
    s.split(":::")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Splits on any of `seps`, trimmed, empty parts dropped.
pub(crate) fn split_any<'s>(s: &'s str, seps: &[char]) -> Vec<&'s str> {
    s.split(|c| seps.contains(&c))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// vCard TEXT escaping, kith-core's (one escaper for every vCard line kith
/// writes by hand).
pub(crate) use kith_core::vtext::escape_text;

/// A column name as the tail of a vCard property name: upper-case ASCII
/// letters and digits, everything else one `-`.
pub(crate) fn property_suffix(header: &str, index: usize) -> String {
    let mut out = String::new();
    for c in header.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        format!("COLUMN-{}", index + 1)
    } else {
        out
    }
}

/// Keeps a column kith does not interpret: `X-KITH-CSV-<COLUMN>:<value>`.
pub(crate) fn extra_cell(header: &str, index: usize, value: &str) -> ExtraProperty {
    ExtraProperty {
        line: format!(
            "X-KITH-CSV-{}:{}",
            property_suffix(header, index),
            escape_text(value)
        ),
        sources: Vec::new(),
    }
}

/// Adds a contact point, or folds it into an equal one already on the list.
pub(crate) fn push_point(
    list: &mut Vec<ContactPoint>,
    value: &str,
    kinds: &[String],
    label: Option<String>,
    preferred: bool,
) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    if let Some(p) = list
        .iter_mut()
        .find(|p| p.value.eq_ignore_ascii_case(value))
    {
        for k in kinds {
            if !p.kinds.contains(k) {
                p.kinds.push(k.clone());
            }
        }
        p.preferred |= preferred;
        if p.label.is_none() {
            p.label = label;
        }
        return;
    }
    list.push(ContactPoint {
        value: value.to_string(),
        kinds: kinds.to_vec(),
        label,
        preferred,
        ..Default::default()
    });
}

/// Reads a type label (`Work`, `* Mobile`, `Komórka`): known words become
/// vCard-style kinds, anything else stays a free-text label. A leading `* `
/// (Google's mark of the primary entry) sets `preferred`.
pub(crate) fn label_kinds(label: &str) -> (Vec<String>, Option<String>, bool) {
    let mut text = label.trim();
    let mut preferred = false;
    if let Some(rest) = text.strip_prefix('*') {
        preferred = true;
        text = rest.trim();
    }
    if text.is_empty() {
        return (Vec::new(), None, preferred);
    }
    let lower = text.to_lowercase();
    let mut kinds: Vec<String> = Vec::new();
    for word in lower.split(|c: char| c.is_whitespace() || c == '-' || c == '/') {
        let kind = match word {
            "" => continue,
            "work" | "business" | "office" => "work",
            "home" | "private" => "home",
            "mobile" | "cell" | "cellular" | "handy" => "cell",
            "fax" => "fax",
            "pager" => "pager",
            "other" => "other",
            "main" => "main",
            "voice" | "phone" | "tel" => "voice",
            "text" | "sms" => "text",
            "video" => "video",
            "car" => "car",
            "isdn" => "isdn",
            "personal" => "personal",
            "blog" => "blog",
            "profile" => "profile",
            "homepage" => "homepage",
            "internet" | "smtp" => "internet",
            _ => return (Vec::new(), Some(text.to_string()), preferred),
        };
        if !kinds.iter().any(|k| k == kind) {
            kinds.push(kind.to_string());
        }
    }
    (kinds, None, preferred)
}

/// Drops Google's system groups that only mean "a contact" or "starred".
pub(crate) fn is_system_group(tag: &str) -> bool {
    let t: String = tag
        .trim()
        .trim_start_matches('*')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    matches!(t.as_str(), "mycontacts" | "starred" | "othercontacts")
}

// ---------------------------------------------------------------------------
// Building records
// ---------------------------------------------------------------------------

/// A problem with one row.
pub(crate) fn diag(file: &str, line: u64, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

/// Stamps every value of `card` with the row's source and wraps it up.
pub(crate) fn finish(
    mut card: Card,
    row: &Row,
    file: &str,
    format: &str,
    about_owner: bool,
    warnings: Vec<String>,
) -> ImportRecord {
    card.stamp(&Source {
        file: file.to_string(),
        line: row.line,
        format: format.to_string(),
    });
    ImportRecord {
        card,
        line: row.line,
        about_owner,
        warnings,
    }
}

/// The non-empty parts joined by one space (a formatted name).
pub(crate) fn join_name(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The columns a reader does not interpret, to be kept as `X-KITH-CSV-*`.
pub(crate) fn unhandled_columns(header: &Header, handled: impl Fn(&str) -> bool) -> Vec<usize> {
    (0..header.len())
        .filter(|&i| !handled(&header.names[i]))
        .collect()
}

/// Keeps each non-empty cell of `columns` on the card as an `X-KITH-CSV-*` line.
pub(crate) fn keep_columns(card: &mut Card, header: &Header, row: &Row, columns: &[usize]) {
    for &i in columns {
        let value = row.cell(Some(i));
        if !value.is_empty() {
            card.extra.push(extra_cell(&header.names[i], i, value));
        }
    }
}

/// Parses `Group N - Part` column names (`E-mail 2 - Value`) into
/// (`e-mail`, 2, `value`), lower-case.
pub(crate) fn numbered_column(name: &str) -> Option<(String, u32, String)> {
    let (left, part) = name.split_once(" - ")?;
    let (group, n) = left.trim().rsplit_once(' ')?;
    let n: u32 = number(n)?;
    Some((group.trim().to_lowercase(), n, part.trim().to_lowercase()))
}

// ---------------------------------------------------------------------------
// Dates: every helper returns an ISO-8601 (partial) date or None.
// ---------------------------------------------------------------------------

/// An English month name or its abbreviation (`Mar`, `March`, `Sept`).
pub(crate) fn month_number(s: &str) -> Option<u32> {
    let s = s.trim().trim_end_matches('.').to_ascii_lowercase();
    if s.len() < 3 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if s == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&s))
        .map(|i| i as u32 + 1)
}

fn days_in_month(year: Option<i32>, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 0,
    }
}

/// `YYYY-MM-DD`, or `--MM-DD` without a year; None when the day does not exist.
pub(crate) fn ymd(year: Option<i32>, month: u32, day: u32) -> Option<String> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    match year {
        Some(y) if (1..=9999).contains(&y) => Some(format!("{y:04}-{month:02}-{day:02}")),
        Some(_) => None,
        None => Some(format!("--{month:02}-{day:02}")),
    }
}

fn number<T: std::str::FromStr>(s: &str) -> Option<T> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A year as written: four digits, or two digits the way Excel reads them
/// (`00`–`29` are 2000–2029, `30`–`99` are 1930–1999).
fn year(s: &str) -> Option<i32> {
    let s = s.trim();
    let y: i32 = number(s)?;
    match s.len() {
        4 => Some(y),
        2 => Some(if y < 30 { 2000 + y } else { 1900 + y }),
        _ => None,
    }
}

/// ISO dates as written by Google: `2024-03-15`, `--03-15`, `20240315`,
/// and the partial `2024-03` and `2024`.
pub(crate) fn parse_iso(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("--") {
        let (m, d) = rest
            .split_once('-')
            .or_else(|| (rest.len() == 4 && rest.is_char_boundary(2)).then(|| rest.split_at(2)))?;
        return ymd(None, number(m)?, number(d)?);
    }
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => ymd(Some(number(y)?), number(m)?, number(d)?),
        [y, m] if y.len() == 4 => {
            let (y, m): (i32, u32) = (number(y)?, number(m)?);
            (1..=12).contains(&m).then(|| format!("{y:04}-{m:02}"))
        }
        [y] if y.len() == 4 => Some(format!("{:04}", number::<i32>(y)?)),
        [d] if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) => {
            ymd(Some(number(&d[..4])?), number(&d[4..6])?, number(&d[6..])?)
        }
        _ => None,
    }
}

/// `15 Mar 2024` (LinkedIn's `Connected On`), also `1 March 2024`.
pub(crate) fn parse_day_month_year(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        [d, m, y] if y.trim().len() == 4 => ymd(year(y), month_number(m)?, number(d)?),
        _ => None,
    }
}

/// Excel's `29-Mar-21` (also `29-Mar-2021`).
pub(crate) fn parse_day_mon_yy(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    match parts.as_slice() {
        [d, m, y] => ymd(year(y), month_number(m)?, number(d)?),
        _ => None,
    }
}

/// US `M/D/YYYY` (also `MM/DD/YY`). `0/0/00` and friends (Outlook's "none")
/// give None.
pub(crate) fn parse_mdy(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.trim().split('/').collect();
    match parts.as_slice() {
        [m, d, y] if (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            ymd(year(y), number(m)?, number(d)?)
        }
        _ => None,
    }
}

/// `D/M/YYYY`, for when `parse_mdy` fails because the first number is a day.
pub(crate) fn parse_dmy(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.trim().split(['/', '.']).collect();
    match parts.as_slice() {
        [d, m, y] if (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            ymd(year(y), number(m)?, number(d)?)
        }
        _ => None,
    }
}

/// True for Outlook's placeholder dates that mean "no date" (`0/0/00`, `1/0/00`).
pub(crate) fn is_no_date(s: &str) -> bool {
    let parts: Vec<&str> = s.trim().split('/').collect();
    parts.len() == 3 && parts.iter().any(|p| number::<u32>(p) == Some(0))
}

/// `Sep 2024` (LinkedIn positions) -> `2024-09`; `2024` -> `2024`.
pub(crate) fn parse_month_year(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        [m, y] if y.len() == 4 => Some(format!("{:04}-{:02}", year(y)?, month_number(m)?)),
        [y] if y.len() == 4 => Some(format!("{:04}", year(y)?)),
        _ => None,
    }
}

/// `Dec 4` (LinkedIn birth date) -> `--12-04`; `Dec 4, 1990` -> `1990-12-04`;
/// `4 Dec` -> `--12-04`.
pub(crate) fn parse_month_day(s: &str) -> Option<String> {
    let cleaned = s.replace(',', " ");
    let parts: Vec<&str> = cleaned.split_whitespace().collect();
    match parts.as_slice() {
        [m, d] => match (month_number(m), month_number(d)) {
            (Some(m), None) => ymd(None, m, number(d)?),
            (None, Some(m2)) => ymd(None, m2, number(m)?),
            _ => None,
        },
        [m, d, y] if y.len() == 4 => ymd(year(y), month_number(m)?, number(d)?),
        _ => None,
    }
}

/// Any date a hand-made CSV might hold. The flag is true when the form was
/// ambiguous or unusual enough to warn about.
pub(crate) fn parse_any_date(s: &str) -> Option<(String, bool)> {
    let s = s.trim();
    if let Some(d) = parse_iso(s) {
        return Some((d, false));
    }
    if let Some(d) = parse_day_month_year(s).or_else(|| parse_month_day(s)) {
        return Some((d, false));
    }
    if let Some(d) = parse_day_mon_yy(s) {
        return Some((d, true));
    }
    if s.contains('/')
        && let Some(d) = parse_mdy(s)
    {
        return Some((d, true));
    }
    parse_dmy(s).map(|d| (d, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(Box::new(input.as_bytes()));
        let mut out = Vec::new();
        while let Ok(Some(rec)) = r.read(false) {
            out.push((
                rec.line,
                rec.fields.iter().map(|f| decode_field(f)).collect(),
            ));
        }
        out
    }

    #[test]
    fn splitter_counts_lines_through_quotes_blank_lines_and_crlf() {
        let got = records("a,b\r\n\r\n\r\nc,\"d\r\nx\"\ne,f\n\n\ng,h");
        let lines: Vec<u64> = got
            .iter()
            .filter(|(_, f)| !is_blank(f))
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, [1, 4, 6, 9]);
        assert_eq!(got[3].1, ["c", "d\nx"]);
    }

    #[test]
    fn splitter_handles_doubled_quotes_stray_quotes_and_cr_only_lines() {
        let got = records("\"Senior \"\"Platform\"\"\",x\"y\r\"Stripe, Inc.\",\"\"\r");
        assert_eq!(
            got[0],
            (
                1,
                vec!["Senior \"Platform\"".to_string(), "x\"y".to_string()]
            )
        );
        assert_eq!(got[1], (2, vec!["Stripe, Inc.".to_string(), String::new()]));
    }

    #[test]
    fn unclosed_quote_is_reported_not_swallowed_silently() {
        let mut r = RecordReader::new(Box::new(&b"a,\"b\nc,d\n"[..]));
        let rec = r.read(false).ok().flatten();
        assert!(rec.is_some_and(|r| r.unclosed_quote));
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_day_month_year("15 Mar 2024").as_deref(),
            Some("2024-03-15")
        );
        assert_eq!(parse_day_month_year("31 Feb 2024"), None);
        assert_eq!(parse_day_mon_yy("29-Mar-21").as_deref(), Some("2021-03-29"));
        assert_eq!(parse_mdy("3/15/2024").as_deref(), Some("2024-03-15"));
        assert_eq!(parse_mdy("0/0/00"), None);
        assert!(is_no_date("0/0/00"));
        assert_eq!(parse_month_year("Sep 2024").as_deref(), Some("2024-09"));
        assert_eq!(parse_month_day("Dec 4").as_deref(), Some("--12-04"));
        assert_eq!(parse_month_day("Feb 29").as_deref(), Some("--02-29"));
        assert_eq!(parse_iso("--12-04").as_deref(), Some("--12-04"));
        assert_eq!(parse_iso("1985-04-12").as_deref(), Some("1985-04-12"));
        assert_eq!(parse_iso("1985-13-12"), None);
        assert_eq!(parse_iso("2023-02-29"), None);
        assert_eq!(
            parse_any_date("12 April 1985").map(|d| d.0).as_deref(),
            Some("1985-04-12")
        );
    }

    #[test]
    fn labels_become_kinds_or_free_text() {
        assert_eq!(
            label_kinds("* Work"),
            (vec!["work".to_string()], None, true)
        );
        assert_eq!(label_kinds("Mobile").0, ["cell"]);
        assert_eq!(label_kinds("Work Fax").0, ["work", "fax"]);
        assert_eq!(
            label_kinds("Komórka"),
            (vec![], Some("Komórka".to_string()), false)
        );
    }

    #[test]
    fn unmapped_cells_are_escaped_vcard_text() {
        let p = extra_cell("Spouse's name (2)", 0, "a,b;c\\d\r\ne");
        assert_eq!(p.line, "X-KITH-CSV-SPOUSE-S-NAME-2:a\\,b\\;c\\\\d\\ne");
        assert_eq!(property_suffix("É", 4), "COLUMN-5");
    }

    #[test]
    fn multi_values_split() {
        assert_eq!(
            split_multi("+60 12-345 6789 ::: 04-1234567"),
            ["+60 12-345 6789", "04-1234567"]
        );
        assert!(split_multi(" ::: ").is_empty());
        assert!(is_system_group("* myContacts"));
        assert!(is_system_group("* My Contacts"));
        assert!(!is_system_group("Friends"));
    }
}
