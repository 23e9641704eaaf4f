//! Fuzz every CSV reader (LinkedIn, Google, Outlook, generic, and LinkedIn's
//! messages and invitations): any bytes, no panic, each either refuses the file or yields records and diagnostics.
#![no_main]

use kith_formats::{Format, ReadOptions, open};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions { file_name: "fuzz.csv".into(), mapping: None };
    for format in [Format::Linkedin, Format::Google, Format::Outlook, Format::Csv] {
        if let Ok(records) = open(format, Box::new(std::io::Cursor::new(data)), &options) {
            records.for_each(drop);
        }
    }
    use kith_formats::csv::linkedin_activity::{read_invitations, read_messages};
    if let Ok(rows) = read_messages(Box::new(std::io::Cursor::new(data.to_vec())), "fuzz.csv") {
        rows.for_each(drop);
    }
    if let Ok(rows) = read_invitations(Box::new(std::io::Cursor::new(data.to_vec())), "fuzz.csv") {
        rows.for_each(drop);
    }
});
