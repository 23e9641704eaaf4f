//! Integration tests of kith-formats: the CSV readers and format detection,
//! driven by the hand-written fixtures in `tests/fixtures/csv`, plus property
//! tests that feed arbitrary input to every reader.

mod csv_generic;
mod csv_google;
mod csv_linkedin;
mod csv_outlook;
mod detect;
mod hardening;
mod props;
mod vcard_positions;

use kith_core::{Card, Diagnostic, ImportRecord};
use kith_formats::csv::generic::ColumnMapping;
use kith_formats::{Format, FormatError, ReadOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The bytes of a fixture file.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/csv/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Everything a reader yielded for one file.
#[derive(Debug)]
pub struct Read {
    pub records: Vec<ImportRecord>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Read {
    /// The record whose card shows `name`.
    pub fn named(&self, name: &str) -> &ImportRecord {
        self.records
            .iter()
            .find(|r| r.card.display_name() == name)
            .unwrap_or_else(|| panic!("no record named {name:?} in {:#?}", self.names()))
    }

    pub fn names(&self) -> Vec<String> {
        self.records.iter().map(|r| r.card.display_name()).collect()
    }
}

/// Reads bytes with `format` through the crate's `open`.
pub fn read_bytes(
    format: Format,
    bytes: Vec<u8>,
    file: &str,
    mapping: Option<ColumnMapping>,
) -> Result<Read, FormatError> {
    let options = ReadOptions {
        file_name: file.to_string(),
        mapping,
    };
    let items = kith_formats::open(format, Box::new(std::io::Cursor::new(bytes)), &options)?;
    let mut read = Read {
        records: Vec::new(),
        diagnostics: Vec::new(),
    };
    for item in items {
        match item {
            Ok(r) => read.records.push(r),
            Err(d) => read.diagnostics.push(d),
        }
    }
    Ok(read)
}

/// Reads a fixture, which must open.
pub fn read(format: Format, name: &str) -> Read {
    read_bytes(format, fixture(name), name, None).unwrap_or_else(|e| panic!("{e}"))
}

/// The `extra` lines of a card that start with `prefix`.
pub fn extra<'c>(card: &'c Card, prefix: &str) -> Vec<&'c str> {
    card.extra
        .iter()
        .map(|e| e.line.as_str())
        .filter(|l| l.starts_with(prefix))
        .collect()
}

/// The values of a list of contact points.
pub fn values(points: &[kith_core::ContactPoint]) -> Vec<&str> {
    points.iter().map(|p| p.value.as_str()).collect()
}

/// The system allocator, counting each thread's live bytes and their peak,
/// so that a test can tell how much memory reading a file took.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed on to `System` unchanged; the counting
// touches only const-initialised thread-locals (which never allocate).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is System's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the most bytes this thread held
/// at once while it ran, beyond what it held before.
pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    let peak = PEAK.with(Cell::get);
    (out, (peak - start).max(0) as usize)
}
