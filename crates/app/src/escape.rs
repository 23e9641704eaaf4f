//! Escaping text for the HTML of kith's emails: every value put into a
//! mail's HTML part (the digest, verification, introductions, "send my new
//! details") goes through [`html_escape`]. A leaf: it uses no other module
//! of the crate. The web crate uses it too (its server-drawn map, error
//! pages); askama escapes the templates itself.

/// `s` with the characters HTML gives a meaning to (`& < > " '`) written
/// as entities, safe in text and in a quoted attribute.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::html_escape;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html_escape("<b>\"A&B\"</b>"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
        assert_eq!(html_escape("O'Brien"), "O&#39;Brien");
        assert_eq!(html_escape("&amp;"), "&amp;amp;");
    }
}
