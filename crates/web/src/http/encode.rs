//! Text made safe for where it goes: a value in a query string, a path to
//! redirect to. A leaf: it imports no handler module.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a query-string value keeps as it is: letters, digits and `-_.~/`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a value for a query string.
pub(crate) fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// Only a path on this site is a place to go after signing in: it starts
/// with one `/`, holds no `\` (browsers read both `//host` and `/\host`
/// as another site) and only visible ASCII: browsers drop tabs and line
/// breaks from a URL, so `/\t/evil.example/` would become
/// `//evil.example/`, and a line break cannot go into a header at all.
pub(crate) fn local_path(next: &str) -> Option<&str> {
    let safe = next.len() <= 2048
        && next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic());
    safe.then_some(next)
}
