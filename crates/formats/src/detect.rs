//! Recognising the files kith reads, from their name and first bytes: which
//! kind of file it is ([`file_kind`]: calendar, mailbox, archive, LinkedIn
//! activity, else contacts; a maildir is a folder, [`folder_kind`]), and a
//! contacts file's format ([`detect`], from up to 64 KiB, which may end
//! mid-line: vCard, the LinkedIn / Google / Outlook CSV exports, or any
//! other CSV with a header). Only looks; never opens a file or reads records.

use crate::Format;
use crate::csv::linkedin_activity::{ActivityFile, activity_file};

/// The kinds of file kith reads, each imported its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// An iCalendar file: meetings.
    Calendar,
    /// Mail: interactions.
    Mailbox(MailboxKind),
    /// A ZIP archive (a LinkedIn export as downloaded): its entries.
    Archive,
    /// LinkedIn's `messages.csv` or `Invitations.csv`: interactions.
    LinkedinActivity(ActivityFile),
    /// Anything else is read as contacts: [`detect`] says in which format,
    /// or why it is not one kith reads.
    Contacts,
}

/// How a mailbox is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailboxKind {
    /// Messages one after another, each after a `From ` line.
    Mbox,
    /// One message (`.eml`).
    Eml,
    /// A folder with `cur` and `new` folders of one message a file.
    Maildir,
}

/// How much of a file's start [`file_kind`] reads.
pub const KIND_HEAD_LEN: usize = 4096;

/// What kind of file `name` is, from its extension and its first bytes
/// (up to [`KIND_HEAD_LEN`]). Calendars first (`.ics`, or it starts with
/// `BEGIN:VCALENDAR`), then mail (`.eml`, or it starts with `From `), ZIP
/// archives, LinkedIn's activity files; anything else is contacts.
pub fn file_kind(name: &str, head: &[u8]) -> FileKind {
    let head = &head[..head.len().min(KIND_HEAD_LEN)];
    let extension = |ext: &str| {
        std::path::Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    };
    if extension("ics") || crate::ical::looks_like_ical(head) {
        FileKind::Calendar
    } else if extension("eml") {
        FileKind::Mailbox(MailboxKind::Eml)
    } else if head.starts_with(b"From ") {
        FileKind::Mailbox(MailboxKind::Mbox)
    } else if head.starts_with(b"PK\x03\x04") {
        FileKind::Archive
    } else if let Some(activity) = activity_file(head) {
        FileKind::LinkedinActivity(activity)
    } else {
        FileKind::Contacts
    }
}

/// What kind of folder holds the subfolders named `subfolders`: a maildir
/// when one is `cur` or `new`; kith reads no other folder.
pub fn folder_kind<'a>(subfolders: impl IntoIterator<Item = &'a str>) -> Option<FileKind> {
    subfolders
        .into_iter()
        .any(|s| s == "cur" || s == "new")
        .then_some(FileKind::Mailbox(MailboxKind::Maildir))
}

/// How far into the file detection looks.
pub const HEAD_LEN: usize = 64 * 1024;

/// How many non-blank lines are searched for a LinkedIn header below its preamble.
const LINKEDIN_SCAN_LINES: usize = 20;

/// Recognises the format of a file from its first bytes. `Err` says why it
/// is not a file kith reads (empty, binary, no header).
pub fn detect(head: &[u8]) -> Result<Format, String> {
    let head = &head[..head.len().min(HEAD_LEN)];
    let head = crate::text::strip_bom(head);
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err("the file is UTF-16 text; save it as UTF-8 and import again".into());
    }
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("the file is empty".into());
    }
    if head.contains(&0) {
        return Err("the file is binary (it has NUL bytes), not vCard or CSV text".into());
    }
    let control = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    if control * 20 > head.len() {
        return Err("the file is binary (many control bytes), not vCard or CSV text".into());
    }
    let text = decode_head(head);
    let lines: Vec<&str> = text
        .split(['\n', '\r'])
        .map(|l| l.trim_start_matches('\u{feff}').trim())
        .filter(|l| !l.is_empty())
        .collect();
    let Some(first) = lines.first() else {
        return Err("the file is empty".into());
    };

    if first.to_ascii_uppercase().starts_with("BEGIN:VCARD") {
        return Ok(Format::Vcard);
    }
    if is_linkedin(&lines) {
        return Ok(Format::Linkedin);
    }
    let fields = header_fields(first);
    let has = |name: &str| fields.iter().any(|f| f.eq_ignore_ascii_case(name));
    let starts = |names: &[&str]| {
        fields.len() >= names.len()
            && names
                .iter()
                .zip(&fields)
                .all(|(n, f)| f.eq_ignore_ascii_case(n))
    };
    if starts(&[
        "First Name",
        "Middle Name",
        "Last Name",
        "Phonetic First Name",
    ]) || starts(&["Name", "Given Name", "Additional Name", "Family Name"])
        || (has("Labels") && fields.iter().any(|f| f.ends_with(" - Label")))
    {
        return Ok(Format::Google);
    }
    if has("E-mail Address") && (has("Job Title") || has("Business Phone")) {
        return Ok(Format::Outlook);
    }
    let texty = fields
        .iter()
        .filter(|f| f.chars().any(char::is_alphabetic) && f.chars().count() <= 64)
        .count();
    if fields.len() >= 2 && texty * 2 > fields.len() && texty >= 2 {
        return Ok(Format::Csv);
    }
    Err(format!(
        "no BEGIN:VCARD line and no CSV header line (the file starts with {:?})",
        first.chars().take(80).collect::<String>()
    ))
}

/// Decodes the head; a UTF-8 sequence cut at the end does not make it Windows-1252.
fn decode_head(head: &[u8]) -> String {
    match std::str::from_utf8(head) {
        Ok(s) => s.to_string(),
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned()
        }
        Err(_) => crate::text::decode(head).into_owned(),
    }
}

/// The cells of one header line (quotes removed; quoted commas kept).
fn header_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_string()),
            c => field.push(c),
        }
    }
    fields.push(field.trim().to_string());
    fields
}

fn is_linkedin(lines: &[&str]) -> bool {
    if lines
        .first()
        .is_some_and(|l| l.starts_with("Notes:") || l.starts_with("\"Notes:\""))
    {
        return true;
    }
    lines.iter().take(LINKEDIN_SCAN_LINES).any(|line| {
        let fields = header_fields(line);
        let has = |n: &str| fields.iter().any(|f| f.eq_ignore_ascii_case(n));
        (has("First Name") && has("Last Name") && has("Connected On"))
            || (has("Company Name") && has("Title") && has("Started On") && has("Finished On"))
            || (has("First Name") && has("Last Name") && has("Maiden Name") && has("Birth Date"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcard_after_bom_and_blank_lines() {
        assert_eq!(
            detect(b"\xEF\xBB\xBF\r\n\r\nbegin:vcard\r\nVERSION:3.0\r\n"),
            Ok(Format::Vcard)
        );
    }

    #[test]
    fn linkedin_variants() {
        assert_eq!(
            detect(b"Notes:\n\"When exporting...\"\n\nFirst Name,Last Name"),
            Ok(Format::Linkedin)
        );
        assert_eq!(detect(b"Notes:,,,,,,\n"), Ok(Format::Linkedin));
        assert_eq!(
            detect(b"First Name,Last Name,Email Address,Company,Position,Connected On\n"),
            Ok(Format::Linkedin)
        );
        assert_eq!(
            detect(b"Company Name,Title,Description,Location,Started On,Finished On\n"),
            Ok(Format::Linkedin)
        );
    }

    #[test]
    fn google_and_outlook() {
        assert_eq!(
            detect(b"First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Mid"),
            Ok(Format::Google)
        );
        assert_eq!(
            detect(b"Name,Given Name,Additional Name,Family Name,Yomi Name\n"),
            Ok(Format::Google)
        );
        assert_eq!(
            detect(b"\"Title\",\"First Name\",\"Last Name\",\"Job Title\",\"E-mail Address\"\r\n"),
            Ok(Format::Outlook)
        );
        assert_eq!(
            detect(b"First Name,Middle Name,Last Name,Title,Suffix,E-mail Address,Business Phone"),
            Ok(Format::Outlook)
        );
    }

    #[test]
    fn generic_csv_and_refusals() {
        assert_eq!(
            detect(b"Full Name,Mail\nAda,ada@example.org\n"),
            Ok(Format::Csv)
        );
        assert!(detect(b"").is_err());
        assert!(detect(b" \n\r\n").is_err());
        assert!(detect(b"PK\x03\x04\x00\x00binary").is_err());
        assert!(detect(&[1u8, 2, 3, 4, 5, 6, 7, 8, b'a', b',', b'b']).is_err());
        assert!(detect(b"1,2\n3,4\n").is_err());
        assert!(detect(b"just one line of prose").is_err());
    }

    #[test]
    fn kinds_of_file() {
        let kind = file_kind;
        assert_eq!(kind("a.ICS", b""), FileKind::Calendar);
        assert_eq!(
            kind("a.txt", b"\xEF\xBB\xBF BEGIN:VCALENDAR\r\n"),
            FileKind::Calendar
        );
        assert_eq!(
            kind("a.eml", b"From x"),
            FileKind::Mailbox(MailboxKind::Eml)
        );
        assert_eq!(
            kind("inbox", b"From a@b"),
            FileKind::Mailbox(MailboxKind::Mbox)
        );
        assert_eq!(kind("From", b"From"), FileKind::Contacts);
        assert_eq!(kind("x.zip", b"PK\x03\x04rest"), FileKind::Archive);
        assert_eq!(
            kind("m.csv", b"CONVERSATION ID,FROM,SENDER PROFILE URL,DATE\n"),
            FileKind::LinkedinActivity(ActivityFile::Messages)
        );
        assert_eq!(kind("c.vcf", b"BEGIN:VCARD\r\n"), FileKind::Contacts);
        assert_eq!(kind("noext", b""), FileKind::Contacts);
        assert_eq!(kind(".ics", b""), FileKind::Contacts, "a hidden file");
        assert_eq!(
            folder_kind(["tmp", "new"]),
            Some(FileKind::Mailbox(MailboxKind::Maildir))
        );
        assert_eq!(folder_kind(["tmp"]), None);
    }

    #[test]
    fn a_head_cut_inside_a_utf8_character_still_reads_as_utf8() {
        let mut head = "Full Name,Ville\nZoë,Montré".as_bytes().to_vec();
        head.pop();
        assert_eq!(detect(&head), Ok(Format::Csv));
    }
}
