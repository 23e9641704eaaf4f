//! Fuzz the mailbox and calendar readers: any bytes as an mbox, as a single
//! message, and as an iCalendar file: no panic, and every message or event
//! read has what kith relies on.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for item in kith_formats::mail::MboxReader::new(data, "fuzz.mbox") {
        if let Ok(m) = item {
            assert!(!m.from.is_empty() || !m.recipients.is_empty());
        }
    }
    let _ = kith_formats::mail::read_message_file(data, "fuzz.eml");
    let text = String::from_utf8_lossy(data);
    let (events, _) = kith_formats::ical::read_ics(&text, "fuzz.ics");
    assert!(events.iter().all(|e| e.start.is_some()));
});
