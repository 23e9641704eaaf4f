//! Escaping text for the HTML of kith's emails: every value put into a
//! mail's HTML part goes through [`html_escape`]. A leaf: it uses no other
//! module of the crate.

/// `s` with the characters HTML gives a meaning to written as entities.
pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
