//! The prelude every importer shares: the file as reports and errors name
//! it, opened (never a folder) with its size, streamed with its bytes
//! counted for progress; and which importer it goes to, through
//! [`kith_formats::file_kind`] on its name and first bytes (a maildir by
//! its subfolders). Opens and reads no further than that: each importer
//! reads its records itself.

use super::{ImportOptions, ImportReport};
use crate::error::{AppError, Result};
use kith_formats::detect::KIND_HEAD_LEN;
use kith_formats::{FileKind, file_kind, folder_kind};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The buffer importers read a file through.
const BUFFER: usize = 256 * 1024;

/// The file an importer reads.
pub(crate) struct ImportFile<'p> {
    path: &'p Path,
    /// The path as given: a report's `file`, and where errors say they are.
    pub(crate) shown: String,
    /// The file's own name: where each record's sources and problems are.
    pub(crate) name: String,
}

/// A file opened to be read through once.
pub(crate) struct Stream {
    pub(crate) input: BufReader<Counting<File>>,
    /// The bytes read so far.
    pub(crate) read: Arc<AtomicU64>,
    pub(crate) size: u64,
}

impl<'p> ImportFile<'p> {
    pub(crate) fn new(path: &'p Path) -> Self {
        let shown = path.display().to_string();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        ImportFile { path, shown, name }
    }

    /// An error about the whole file.
    pub(crate) fn err(&self, message: String) -> AppError {
        AppError::File {
            path: self.shown.clone(),
            message,
        }
    }

    /// An empty report on this file, read as `format`.
    pub(crate) fn report(&self, format: &str, options: &ImportOptions) -> ImportReport {
        ImportReport {
            file: self.shown.clone(),
            format: format.into(),
            dry_run: options.dry_run,
            ..Default::default()
        }
    }

    /// Opens the file (a folder is an error), with its size.
    pub(crate) fn open(&self) -> Result<(File, u64)> {
        let meta = std::fs::metadata(self.path).map_err(|e| self.err(e.to_string()))?;
        if meta.is_dir() {
            return Err(self.err("is a directory, not a file".into()));
        }
        let file = File::open(self.path).map_err(|e| self.err(e.to_string()))?;
        Ok((file, meta.len()))
    }

    /// Opens the file to be read through, buffered, counting the bytes
    /// read for progress.
    pub(crate) fn stream(&self) -> Result<Stream> {
        let (file, size) = self.open()?;
        let read = Arc::new(AtomicU64::new(0));
        let input = BufReader::with_capacity(BUFFER, Counting::new(file, read.clone()));
        Ok(Stream { input, read, size })
    }
}

/// Which kind of file `path` is: a folder by its subfolders (a maildir, or
/// nothing kith reads, which then fails as contacts), a file by its name
/// and first bytes. An unreadable file is looked at as empty: opening it
/// for the import says what is wrong.
pub(crate) fn kind(path: &Path) -> FileKind {
    if path.is_dir() {
        let subfolders = ["cur", "new"].into_iter().filter(|s| path.join(s).is_dir());
        return folder_kind(subfolders).unwrap_or(FileKind::Contacts);
    }
    let mut head = Vec::with_capacity(KIND_HEAD_LEN);
    let _ = File::open(path).and_then(|f| f.take(KIND_HEAD_LEN as u64).read_to_end(&mut head));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    file_kind(&name, &head)
}

/// Counts the bytes read through it, for progress.
pub(crate) struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R> Counting<R> {
    pub(crate) fn new(inner: R, read: Arc<AtomicU64>) -> Self {
        Counting { inner, read }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
