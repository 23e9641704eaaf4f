//! Turning bytes of unknown encoding into text: BOM stripping, UTF-8 first,
//! Windows-1252 (what Outlook and old phones write) when bytes are not UTF-8.

use std::borrow::Cow;

/// Strips a UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Decodes bytes as UTF-8, or as Windows-1252 when they are not valid UTF-8.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = strip_bom(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Cow::Owned(text.into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped_and_latin1_is_decoded() {
        assert_eq!(decode(b"\xEF\xBB\xBFAda"), "Ada");
        assert_eq!(decode(b"Jos\xE9"), "José");
        assert_eq!(decode("Zoë".as_bytes()), "Zoë");
    }
}
