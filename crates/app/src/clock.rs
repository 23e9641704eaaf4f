//! Time in kith's units: a day in microseconds (the store's clock) and a
//! stored timestamp as RFC 3339 for views. A leaf: it uses no other module
//! of the crate.

/// A day, in microseconds: the period of the daily caps and of "days ago".
pub(crate) const DAY: i64 = 86_400_000_000;

/// A timestamp in microseconds as RFC 3339.
pub fn rfc3339(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
