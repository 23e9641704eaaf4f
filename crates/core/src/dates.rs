//! The yearly dates of a card worth remembering: birthdays and work
//! anniversaries (the start of a current position). Dates come as sources
//! wrote them (`1990-03-15`, `--0315`, `19900315`, `2020-03`,
//! `1987-09-27T08:30:00-06:00`); this module reads them and tells how many
//! days until the next one.

use crate::Card;
use jiff::civil::Date;

/// A date that may lack its year or its day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartialDate {
    pub year: Option<i16>,
    pub month: i8,
    pub day: Option<i8>,
}

/// Reads the date forms found in vCards and CSV exports; None for text
/// such as "circa 1800" or a year alone.
pub fn parse_partial_date(value: &str) -> Option<PartialDate> {
    let v = value.trim();
    // A time after the date is irrelevant to a yearly date.
    let v = v.split(['T', ' ']).next().unwrap_or(v);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (year, month, day): (Option<&str>, &str, Option<&str>) =
        if let Some(md) = v.strip_prefix("--") {
            match md.split_once('-') {
                Some((m, d)) => (None, m, Some(d)),
                None if md.len() == 4 => (None, &md[..2], Some(&md[2..])),
                None => return None,
            }
        } else {
            let parts: Vec<&str> = v.split('-').collect();
            match parts.as_slice() {
                [y, m, d] => (Some(*y), *m, Some(*d)),
                [y, m] => (Some(*y), *m, None),
                [ymd] if ymd.len() == 8 && digits(ymd) => {
                    (Some(&ymd[..4]), &ymd[4..6], Some(&ymd[6..]))
                }
                _ => return None,
            }
        };
    if !digits(month) || year.is_some_and(|y| y.len() != 4 || !digits(y)) {
        return None;
    }
    let year: Option<i16> = match year {
        Some(y) => Some(y.parse().ok()?),
        None => None,
    };
    let month: i8 = month.parse().ok()?;
    let day: Option<i8> = match day {
        Some(d) if digits(d) => Some(d.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    if !(1..=12).contains(&month) {
        return None;
    }
    if let Some(d) = day {
        // Checked against a leap year: 29 February is a birthday too.
        Date::new(year.unwrap_or(2000), month, d).ok()?;
    }
    Some(PartialDate { year, month, day })
}

/// What a yearly date marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateKind {
    Birthday,
    WorkAnniversary,
}

impl DateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DateKind::Birthday => "birthday",
            DateKind::WorkAnniversary => "work_anniversary",
        }
    }

    pub fn parse(s: &str) -> Option<DateKind> {
        match s {
            "birthday" => Some(DateKind::Birthday),
            "work_anniversary" => Some(DateKind::WorkAnniversary),
            _ => None,
        }
    }
}

/// One yearly date of a card; `label` names the organisation of a work
/// anniversary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearlyDate {
    pub kind: DateKind,
    pub date: PartialDate,
    pub label: String,
}

/// A card's yearly dates: its first readable birthday, and the start of
/// each current position whose year is known.
pub fn yearly_dates(card: &Card) -> Vec<YearlyDate> {
    let mut out: Vec<YearlyDate> = card
        .birthdays
        .iter()
        .find_map(|b| parse_partial_date(&b.value).filter(|d| d.day.is_some()))
        .map(|date| YearlyDate {
            kind: DateKind::Birthday,
            date,
            label: String::new(),
        })
        .into_iter()
        .collect();
    for p in &card.positions {
        let start = p.start.as_deref().and_then(parse_partial_date);
        if let (None, Some(date)) = (&p.end, start)
            && date.year.is_some()
            && !p.organization.trim().is_empty()
        {
            out.push(YearlyDate {
                kind: DateKind::WorkAnniversary,
                date,
                label: p.organization.trim().to_string(),
            });
        }
    }
    out
}

/// Days from `today` to the next time the date comes round (0: today), and
/// the year it falls in. A date without a day comes round for its whole
/// month (0 while in it, else days to the 1st). 29 February falls on
/// 28 February in other years.
pub fn next_occurrence(month: i8, day: Option<i8>, today: Date) -> (i64, i16) {
    let on = |year: i16| -> Date {
        let d = day.unwrap_or(1);
        Date::new(year, month, d)
            .or_else(|_| Date::new(year, month, d - 1))
            .unwrap_or(today)
    };
    if day.is_none() && month == today.month() {
        return (0, today.year());
    }
    let mut year = today.year();
    let mut next = on(year);
    if next < today {
        year += 1;
        next = on(year);
    }
    let days = (next - today).get_days() as i64;
    (days, year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn pd(year: Option<i16>, month: i8, day: Option<i8>) -> Option<PartialDate> {
        Some(PartialDate { year, month, day })
    }

    #[test]
    fn the_forms_sources_write() {
        assert_eq!(
            parse_partial_date("1990-03-15"),
            pd(Some(1990), 3, Some(15))
        );
        assert_eq!(parse_partial_date("--0203"), pd(None, 2, Some(3)));
        assert_eq!(parse_partial_date("--02-03"), pd(None, 2, Some(3)));
        assert_eq!(parse_partial_date("19800118"), pd(Some(1980), 1, Some(18)));
        assert_eq!(
            parse_partial_date("1987-09-27T08:30:00-06:00"),
            pd(Some(1987), 9, Some(27))
        );
        assert_eq!(parse_partial_date("2020-03"), pd(Some(2020), 3, None));
        assert_eq!(parse_partial_date("--02-29"), pd(None, 2, Some(29)));
        assert_eq!(parse_partial_date("circa 1800"), None);
        assert_eq!(parse_partial_date("206-12-15"), None);
        assert_eq!(parse_partial_date("2021-02-30"), None);
        assert_eq!(parse_partial_date("2021"), None);
        assert_eq!(parse_partial_date(""), None);
    }

    #[test]
    fn days_to_the_next_one() {
        let today = date(2026, 11, 26);
        assert_eq!(next_occurrence(11, Some(26), today), (0, 2026));
        assert_eq!(next_occurrence(11, Some(30), today), (4, 2026));
        assert_eq!(next_occurrence(1, Some(2), today), (37, 2027));
        assert_eq!(next_occurrence(11, Some(25), today), (364, 2027));
        assert_eq!(next_occurrence(11, None, today), (0, 2026));
        assert_eq!(next_occurrence(12, None, today), (5, 2026));
        // 29 February in a year without one.
        assert_eq!(next_occurrence(2, Some(29), date(2027, 2, 1)), (27, 2027));
    }
}
