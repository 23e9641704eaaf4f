//! Fuzz the vCard reader and writer: any bytes, no panic; every card read
//! can be written back as vCard 3.0 and 4.0.
#![no_main]

use kith_formats::vcard::{Reader, Version, write_card};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reader = Reader::new(Box::new(std::io::Cursor::new(data)), "fuzz.vcf");
    for record in reader.flatten() {
        let mut out = String::new();
        write_card(&mut out, &record.card, "uid", Version::V4);
        write_card(&mut out, &record.card, "uid", Version::V3);
    }
});
