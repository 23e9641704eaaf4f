//! vCard TEXT values (RFC 6350 §3.4) written by hand: the one escaper for
//! every vCard line kith composes itself (a member's headline, the CSV
//! importers' extra properties). No I/O.

/// vCard 4 TEXT escaping: backslash, comma, semicolon and line breaks.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_text;

    #[test]
    fn backslashes_separators_and_line_breaks_are_escaped() {
        assert_eq!(escape_text(r"a\b,c;d"), r"a\\b\,c\;d");
        assert_eq!(escape_text("one\r\ntwo\nthree"), r"one\ntwo\nthree");
    }
}
