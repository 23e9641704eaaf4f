//! Yearly dates (birthdays, work anniversaries) and pinned circles of one
//! account. (The one-time writing of dates for people stored before the
//! `person_dates` table existed is a step of [`crate::migrate`].)

use crate::db::on_db;
use crate::tx::Tx;
use crate::{Result, StoreError};
use kith_core::PersonId;
use kith_core::dates::DateKind;
use sqlx::Row;
use std::collections::HashMap;

/// One yearly date of a living person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateRow {
    pub person: PersonId,
    pub name: String,
    pub kind: DateKind,
    pub month: i8,
    /// None: the day is unknown (the whole month).
    pub day: Option<i8>,
    pub year: Option<i16>,
    pub label: String,
}

/// Days of one month, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthDays {
    pub month: i8,
    pub from: i8,
    pub to: i8,
}

impl Tx {
    /// The yearly dates of living people (the owner left out) falling on
    /// the given days; dates without a day are included for their month.
    pub async fn dates_on(&mut self, days: &[MonthDays]) -> Result<Vec<DateRow>> {
        if days.is_empty() {
            return Ok(Vec::new());
        }
        let account = self.account.0;
        on_db!(self, c => {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT d.person_id, p.display_name, d.kind, d.month, d.day, d.year, d.label \
                 FROM person_dates d JOIN people p ON p.account_id = d.account_id AND p.id = d.person_id \
                 AND p.deleted_at IS NULL AND NOT p.is_me WHERE d.account_id = ",
            );
            qb.push_bind(account);
            qb.push(" AND (");
            for (i, m) in days.iter().enumerate() {
                if i > 0 {
                    qb.push(" OR ");
                }
                qb.push("(d.month = ");
                qb.push_bind(i32::from(m.month));
                qb.push(" AND (d.day = 0 OR d.day BETWEEN ");
                qb.push_bind(i32::from(m.from));
                qb.push(" AND ");
                qb.push_bind(i32::from(m.to));
                qb.push("))");
            }
            qb.push(")");
            let mut out = Vec::new();
            for r in qb.build().fetch_all(&mut *c).await? {
                let kind: String = r.try_get("kind")?;
                let kind = DateKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown date kind {kind:?}")))?;
                let (month, day, year): (i32, i32, Option<i32>) =
                    (r.try_get("month")?, r.try_get("day")?, r.try_get("year")?);
                out.push(DateRow {
                    person: PersonId(r.try_get("person_id")?),
                    name: r.try_get("display_name")?,
                    kind,
                    month: month as i8,
                    day: (day > 0).then_some(day as i8),
                    year: year.map(|y| y as i16),
                    label: r.try_get("label")?,
                });
            }
            Ok(out)
        })
    }

    /// Pins a living person to a circle (None: unpins).
    pub async fn pin_circle(&mut self, person: PersonId, circle: Option<&str>) -> Result<()> {
        if self.person(person).await?.is_none() {
            return Err(StoreError::NotFound(format!("no person with id {person}")));
        }
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM person_circles WHERE account_id = $1 AND person_id = $2")
                .bind(account).bind(person.0).execute(&mut *c).await?;
            if let Some(circle) = circle {
                sqlx::query("INSERT INTO person_circles (account_id, person_id, circle) VALUES ($1, $2, $3)")
                    .bind(account).bind(person.0).bind(circle).execute(&mut *c).await?;
            }
            Ok(())
        })
    }

    /// Every pinned circle of the account.
    pub async fn pinned_circles(&mut self) -> Result<HashMap<PersonId, String>> {
        let account = self.account.0;
        on_db!(self, c => {
            let mut out = HashMap::new();
            for r in sqlx::query("SELECT person_id, circle FROM person_circles WHERE account_id = $1")
                .bind(account).fetch_all(&mut *c).await?
            {
                out.insert(PersonId(r.try_get("person_id")?), r.try_get("circle")?);
            }
            Ok(out)
        })
    }

    /// The circle a person is pinned to, if any.
    pub async fn pinned_circle(&mut self, person: PersonId) -> Result<Option<String>> {
        let account = self.account.0;
        on_db!(self, c => {
            Ok(sqlx::query_scalar("SELECT circle FROM person_circles WHERE account_id = $1 AND person_id = $2")
                .bind(account).bind(person.0).fetch_optional(c).await?)
        })
    }
}
