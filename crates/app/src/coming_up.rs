//! Birthdays and work anniversaries coming up (the home page, the digest,
//! `kith due`'s companion `/api/v1/coming-up`): the next N days, soonest
//! first, each said in words.

use crate::{App, AppError, Result};
use kith_core::PersonId;
use kith_core::dates::{DateKind, next_occurrence};
use kith_store::dates::MonthDays;
use serde::Serialize;

/// The longest window asked for.
pub const MAX_DAYS: i64 = 60;

/// A birthday or work anniversary coming up.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComingUpView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: PersonId,
    pub name: String,
    /// `birthday` or `work_anniversary`.
    pub kind: String,
    /// The day it falls on (`YYYY-MM-DD`), or the month (`YYYY-MM`) when
    /// the source gave no day.
    pub date: String,
    /// 0: today (or this month, for a date without a day).
    pub in_days: i64,
    /// Years turned or completed, when the year is known.
    pub years: Option<i64>,
    /// The organisation of a work anniversary.
    pub organization: Option<String>,
    /// "Ada Lovelace turns 36 on 15 March", "5 years at Navy in March".
    pub text: String,
}

/// Month names, January first.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The days from `today` through `days` days later, month by month.
fn window(today: jiff::civil::Date, days: i64) -> Vec<MonthDays> {
    let mut out: Vec<MonthDays> = Vec::new();
    for n in 0..=days {
        let Ok(d) = today.checked_add(jiff::Span::new().days(n)) else {
            break;
        };
        match out.last_mut() {
            Some(m) if m.month == d.month() => m.to = d.day(),
            _ => out.push(MonthDays {
                month: d.month(),
                from: d.day(),
                to: d.day(),
            }),
        }
    }
    out
}

impl App {
    /// Birthdays and work anniversaries in the next `days` days (0: today
    /// only), soonest first.
    pub async fn coming_up(&self, days: i64) -> Result<Vec<ComingUpView>> {
        if !(0..=MAX_DAYS).contains(&days) {
            return Err(AppError::Invalid(format!(
                "{days} days: look 0 to {MAX_DAYS} days ahead"
            )));
        }
        let today = jiff::Timestamp::from_microsecond(kith_store::now_micros())
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut tx = self.store.begin_read(self.account).await?;
        let rows = tx.dates_on(&window(today, days)).await?;
        let mut out: Vec<ComingUpView> = rows
            .into_iter()
            .filter_map(|r| {
                let (in_days, year) = next_occurrence(r.month, r.day, today);
                if in_days > days {
                    return None;
                }
                let years = r
                    .year
                    .map(|y| i64::from(year) - i64::from(y))
                    .filter(|n| *n > 0);
                let month = MONTHS[(r.month - 1) as usize];
                let when = match (in_days, r.day) {
                    (0, Some(_)) => "today".to_string(),
                    (1, Some(_)) => "tomorrow".to_string(),
                    (_, Some(d)) => format!("on {d} {month}"),
                    (_, None) => format!("in {month}"),
                };
                let date = match r.day {
                    Some(d) => format!("{year:04}-{:02}-{d:02}", r.month),
                    None => format!("{year:04}-{:02}", r.month),
                };
                let (kind, organization, text) = match r.kind {
                    DateKind::Birthday => (
                        "birthday",
                        None,
                        match years {
                            Some(n) => format!("{} turns {n} {when}", r.name),
                            None => format!("{}'s birthday is {when}", r.name),
                        },
                    ),
                    DateKind::WorkAnniversary => {
                        // A position that started this year is no anniversary.
                        let n = years?;
                        let plural = if n == 1 { "" } else { "s" };
                        (
                            "work_anniversary",
                            Some(r.label.clone()),
                            format!("{}: {n} year{plural} at {} {when}", r.name, r.label),
                        )
                    }
                };
                Some(ComingUpView {
                    id: r.person,
                    name: r.name,
                    kind: kind.into(),
                    date,
                    in_days,
                    years,
                    organization,
                    text,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            (a.in_days, &a.name, &a.kind, &a.organization).cmp(&(
                b.in_days,
                &b.name,
                &b.kind,
                &b.organization,
            ))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_window_crosses_months_and_years() {
        let w = window(date(2026, 12, 25), 10);
        assert_eq!(
            w,
            [
                MonthDays {
                    month: 12,
                    from: 25,
                    to: 31
                },
                MonthDays {
                    month: 1,
                    from: 1,
                    to: 4
                }
            ]
        );
        assert_eq!(window(date(2026, 3, 5), 0).len(), 1);
    }
}
