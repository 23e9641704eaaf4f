//! The digest: who to reach out to, what comes up and who is fading, as an
//! email with a text and an HTML part. Each account chooses how often
//! (daily, weekly or never) and where to; `kith serve` sends it when its
//! period comes (once per period even with several servers), `kith digest
//! --send` on demand.

use crate::mailer::Mailer;
use crate::notify;
use crate::{App, AppError, Result};
use serde::Serialize;

/// The account settings the digest keeps.
const EVERY: &str = "digest_every";
const TO: &str = "digest_to";

/// How often the digest goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestEvery {
    Off,
    Daily,
    Weekly,
}

impl DigestEvery {
    pub fn as_str(self) -> &'static str {
        match self {
            DigestEvery::Off => "off",
            DigestEvery::Daily => "daily",
            DigestEvery::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Option<DigestEvery> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" | "never" => Some(DigestEvery::Off),
            "daily" => Some(DigestEvery::Daily),
            "weekly" => Some(DigestEvery::Weekly),
            _ => None,
        }
    }
}

/// When `kith serve` sends digests (kith.toml `[digest]`), in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigestSchedule {
    /// The hour of the day (0 to 23).
    pub hour: i8,
    /// The day weekly digests go out: 1 Monday … 7 Sunday.
    pub weekday: i8,
}

impl Default for DigestSchedule {
    fn default() -> Self {
        DigestSchedule {
            hour: 7,
            weekday: 1,
        }
    }
}

impl DigestSchedule {
    /// The period whose digest is due at `now` (microseconds), if any: a
    /// day from its hour on, a week from its weekday's hour on (so a
    /// server that was down at that moment catches up later that week).
    pub fn due_period(&self, every: DigestEvery, now: i64) -> Option<String> {
        let now = jiff::Timestamp::from_microsecond(now)
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC);
        let (date, hour) = (now.date(), now.hour());
        match every {
            DigestEvery::Off => None,
            DigestEvery::Daily => (hour >= self.hour).then(|| format!("day:{date}")),
            DigestEvery::Weekly => {
                let weekday = date.weekday().to_monday_one_offset();
                let started =
                    weekday > self.weekday || (weekday == self.weekday && hour >= self.hour);
                let week = date.iso_week_date();
                started.then(|| format!("week:{}-W{:02}", week.year(), week.week()))
            }
        }
    }

    /// Checks the configured values.
    pub fn check(&self) -> std::result::Result<(), String> {
        if !(0..=23).contains(&self.hour) {
            return Err(format!("[digest] hour = {}: use 0 to 23", self.hour));
        }
        if !(1..=7).contains(&self.weekday) {
            return Err(format!(
                "[digest] weekday = {}: use 1 (Monday) to 7 (Sunday)",
                self.weekday
            ));
        }
        Ok(())
    }
}

/// An account's digest settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DigestSettings {
    pub every: DigestEvery,
    /// The address chosen for the digest; None: the first of your own.
    pub to: Option<String>,
}

/// A digest ready to send.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Digest {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Nothing to report: no one due, nothing coming up, no one fading,
    /// nothing changed.
    pub empty: bool,
}

/// What sending did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SentDigest {
    pub to: String,
    pub subject: String,
}

/// Reach-out entries in one digest, at most.
const MAX_DUE: usize = 10;
const MAX_FADING: usize = 5;
const MAX_CHANGES: usize = 10;

impl App {
    pub async fn digest_settings(&self) -> Result<DigestSettings> {
        let every = self.store.account_setting(self.account, EVERY).await?;
        let to = self.store.account_setting(self.account, TO).await?;
        Ok(DigestSettings {
            // Weekly unless chosen otherwise: the point is to hear about it.
            every: every
                .as_deref()
                .and_then(DigestEvery::parse)
                .unwrap_or(DigestEvery::Weekly),
            to,
        })
    }

    /// Sets how often the digest goes out and (Some) where to; an empty
    /// address goes back to the first of your own.
    pub async fn set_digest_settings(
        &self,
        every: Option<DigestEvery>,
        to: Option<&str>,
    ) -> Result<DigestSettings> {
        if let Some(every) = every {
            self.store
                .set_account_setting(self.account, EVERY, Some(every.as_str()))
                .await?;
        }
        if let Some(to) = to {
            let to = to.trim();
            let value =
                if to.is_empty() {
                    None
                } else {
                    Some(kith_core::identity::email_key(to).ok_or_else(|| {
                        AppError::Invalid(format!("{to:?} is not an email address"))
                    })?)
                };
            self.store
                .set_account_setting(self.account, TO, value.as_deref())
                .await?;
        }
        self.digest_settings().await
    }

    /// Where the digest goes: the chosen address, else the first of the
    /// owner's own; None when there is neither.
    pub async fn digest_address(&self) -> Result<Option<String>> {
        if let Some(to) = self.digest_settings().await?.to {
            return Ok(Some(to));
        }
        Ok(self.my_emails().await?.into_iter().next())
    }

    /// The digest as of now; links point under `base_url`.
    pub async fn digest(&self, every: DigestEvery, base_url: &str) -> Result<Digest> {
        let base = base_url.trim_end_matches('/');
        let ahead = if every == DigestEvery::Daily { 1 } else { 7 };
        let due = self.due().await?;
        let coming = self.coming_up(ahead).await?;
        let fading = self.losing_touch(MAX_FADING).await?;
        // What changed since the last digest would have shown it.
        let changes = self.network_changes(ahead.max(1), MAX_CHANGES).await?;
        let link = |id: &dyn std::fmt::Display| format!("{base}/people/{id}");

        let row = |name: &str, why: &str, id: &dyn std::fmt::Display| notify::DigestRow {
            name: name.to_string(),
            why: why.to_string(),
            url: link(id),
        };
        let shown_due = due.len().min(MAX_DUE);
        let more = due.len() - shown_due;
        let sections = vec![
            (
                if more > 0 {
                    format!("Reach out ({} in all; the first {shown_due})", due.len())
                } else {
                    format!("Reach out ({})", due.len())
                },
                due.iter()
                    .take(MAX_DUE)
                    .map(|d| row(&d.name, &d.reason, &d.id))
                    .collect(),
            ),
            (
                if ahead == 1 {
                    "Coming up today and tomorrow".to_string()
                } else {
                    format!("Coming up in the next {ahead} days")
                },
                coming.iter().map(|c| row(&c.text, "", &c.id)).collect(),
            ),
            (
                "What changed in your network".to_string(),
                changes
                    .iter()
                    .map(|c| row(&c.summary, "", &c.person_id))
                    .collect(),
            ),
            (
                "Losing touch".to_string(),
                fading
                    .iter()
                    .map(|f| row(&f.name, &f.reason, &f.id))
                    .collect(),
            ),
        ];
        let mut counts = Vec::new();
        if !due.is_empty() {
            counts.push(format!("{} to reach out to", due.len()));
        }
        if !coming.is_empty() {
            counts.push(format!("{} coming up", coming.len()));
        }
        if !fading.is_empty() {
            counts.push(format!("{} losing touch", fading.len()));
        }
        if !changes.is_empty() {
            counts.push(format!("{} changed", changes.len()));
        }
        let mail = notify::digest(sections, &counts, &format!("{base}/settings"));
        Ok(Digest {
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            empty: counts.is_empty(),
        })
    }

    /// Sends the digest now to `to` (else the account's digest address);
    /// None when there was nothing to report.
    pub async fn send_digest(
        &self,
        mailer: &Mailer,
        base_url: &str,
        to: Option<&str>,
    ) -> Result<Option<SentDigest>> {
        let to = match to {
            Some(to) => to.trim().to_string(),
            None => self.digest_address().await?.ok_or_else(|| {
                AppError::Invalid(
                    "kith has no address to send the digest to: add yours with `kith me add-email you@example.org` or choose one with `kith digest --to ADDRESS`".into(),
                )
            })?,
        };
        let every = self.digest_settings().await?.every;
        let digest = self.digest(every, base_url).await?;
        if digest.empty {
            return Ok(None);
        }
        mailer
            .send(&to, &digest.subject, digest.text, digest.html)
            .await?;
        Ok(Some(SentDigest {
            to,
            subject: digest.subject,
        }))
    }

    /// The scheduled send: when this account's period has come and no
    /// server has claimed it yet, claims it and sends; a failed send gives
    /// the claim back so that the next attempt retries.
    pub async fn send_scheduled_digest(
        &self,
        mailer: &Mailer,
        base_url: &str,
        schedule: &DigestSchedule,
        now: i64,
    ) -> Result<Option<SentDigest>> {
        let every = self.digest_settings().await?.every;
        let Some(period) = schedule.due_period(every, now) else {
            return Ok(None);
        };
        if self.digest_address().await?.is_none() {
            return Ok(None);
        }
        if !self.store.claim_digest(self.account, &period).await? {
            return Ok(None);
        }
        let sent = self.send_digest(mailer, base_url, None).await;
        if sent.is_err() {
            self.store.release_digest(self.account, &period).await?;
        }
        sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_microsecond()
    }

    #[test]
    fn periods() {
        let s = DigestSchedule {
            hour: 7,
            weekday: 1,
        };
        // Thursday 26 November 2026.
        assert_eq!(
            s.due_period(DigestEvery::Daily, at("2026-11-26T06:59:00Z")),
            None
        );
        assert_eq!(
            s.due_period(DigestEvery::Daily, at("2026-11-26T07:00:00Z"))
                .as_deref(),
            Some("day:2026-11-26")
        );
        assert_eq!(
            s.due_period(DigestEvery::Weekly, at("2026-11-26T01:00:00Z"))
                .as_deref(),
            Some("week:2026-W48"),
            "Monday has passed: a missed weekly digest is caught up"
        );
        assert_eq!(
            s.due_period(DigestEvery::Weekly, at("2026-11-23T06:00:00Z")),
            None
        );
        assert_eq!(
            s.due_period(DigestEvery::Weekly, at("2026-11-23T08:00:00Z"))
                .as_deref(),
            Some("week:2026-W48")
        );
        assert_eq!(
            s.due_period(DigestEvery::Off, at("2026-11-26T09:00:00Z")),
            None
        );
        assert!(
            DigestSchedule {
                hour: 24,
                weekday: 1
            }
            .check()
            .is_err()
        );
        assert!(
            DigestSchedule {
                hour: 7,
                weekday: 0
            }
            .check()
            .is_err()
        );
    }
}
