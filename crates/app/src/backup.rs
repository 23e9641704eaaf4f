//! Backups in one portable file, restores into an empty store of either
//! engine, and moving a whole store to another database (`kith backup`,
//! `kith restore`, `kith migrate --to`). The file is gzip'd JSON lines: a
//! header (format, schema version, engine, when), then each table's name
//! and columns followed by its rows, then an end line with the counts. A
//! file without its end line (cut off) restores nothing: the restore is
//! one transaction.

use crate::{AppError, Result};
use base64::Engine;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use kith_store::Store;
use kith_store::dump::{Cell, DumpSink};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

/// The file format's version.
const FORMAT: i64 = 1;
/// The longest line a restore reads (a person with photos is a few MB).
const MAX_LINE: u64 = 64 * 1024 * 1024;

/// What a backup, a restore or a move did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    /// The schema version of the data.
    pub schema: i64,
    pub tables: usize,
    pub rows: u64,
    /// The backup file's size (a move: 0).
    pub bytes: u64,
}

fn cell_json(cell: Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(i) => json!(i),
        Cell::Float(f) => json!({ "f": f }),
        Cell::Text(t) => Value::String(t),
        Cell::Bytes(b) => json!({ "b": base64::engine::general_purpose::STANDARD.encode(b) }),
        Cell::Bool(b) => Value::Bool(b),
    }
}

fn json_cell(value: Value, line: u64) -> Result<Cell> {
    let bad = || AppError::Invalid(format!("line {line}: a value kith does not write"));
    Ok(match value {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(b),
        Value::Number(n) => Cell::Int(n.as_i64().ok_or_else(bad)?),
        Value::String(s) => Cell::Text(s),
        Value::Object(o) => {
            if let Some(f) = o.get("f").and_then(Value::as_f64) {
                Cell::Float(f)
            } else if let Some(b) = o.get("b").and_then(Value::as_str) {
                Cell::Bytes(
                    base64::engine::general_purpose::STANDARD
                        .decode(b)
                        .map_err(|_| bad())?,
                )
            } else {
                return Err(bad());
            }
        }
        Value::Array(_) => return Err(bad()),
    })
}

/// Writes the dump as lines of the file.
struct FileSink<W: Write> {
    out: W,
    engine: &'static str,
}

impl<W: Write> FileSink<W> {
    fn line(&mut self, value: &Value) -> kith_store::Result<()> {
        let io = |e: std::io::Error| {
            kith_store::StoreError::Conflict(format!("cannot write the backup: {e}"))
        };
        serde_json::to_writer(&mut self.out, value).map_err(|e| {
            kith_store::StoreError::Conflict(format!("cannot write the backup: {e}"))
        })?;
        self.out.write_all(b"\n").map_err(io)
    }
}

impl<W: Write + Send> DumpSink for FileSink<W> {
    async fn begin(&mut self, schema: i64) -> kith_store::Result<()> {
        let header = json!({
            "kith_backup": FORMAT,
            "schema": schema,
            "engine": self.engine,
            "made_at": jiff::Timestamp::now().to_string(),
        });
        self.line(&header)
    }
    async fn table(&mut self, table: &str, columns: &[String]) -> kith_store::Result<()> {
        self.line(&json!({ "table": table, "columns": columns }))
    }
    async fn row(&mut self, cells: Vec<Cell>) -> kith_store::Result<()> {
        let row = Value::Array(cells.into_iter().map(cell_json).collect());
        self.line(&row)
    }
}

/// Writes a consistent snapshot of `store` to `path` (the server may run
/// meanwhile). The file appears whole or not at all: it is written beside
/// `path` and renamed into place.
pub async fn backup(store: &Store, path: &Path) -> Result<BackupReport> {
    let file_err = |e: std::io::Error| AppError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial).map_err(file_err)?;
    let mut sink = FileSink {
        out: GzEncoder::new(BufWriter::new(file), Compression::fast()),
        engine: store.engine(),
    };
    let dumped = store.dump(&mut sink).await;
    let info = match dumped {
        Ok(info) => info,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
    };
    sink.line(&json!({ "end": { "tables": info.tables, "rows": info.rows } }))?;
    let mut out = sink.out.finish().map_err(file_err)?;
    out.flush().map_err(file_err)?;
    out.get_ref().sync_all().map_err(file_err)?;
    drop(out);
    std::fs::rename(&partial, path).map_err(file_err)?;
    let bytes = std::fs::metadata(path).map_err(file_err)?.len();
    Ok(BackupReport {
        schema: info.schema,
        tables: info.tables,
        rows: info.rows,
        bytes,
    })
}

/// Restores a backup file into `store`, which must hold no account: all
/// of it or, on any problem, nothing. CardDAV sync tokens given before are
/// refused afterwards, so that phones sync in full.
pub async fn restore(store: &Store, path: &Path) -> Result<BackupReport> {
    let file_err = |e: std::io::Error| AppError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let bytes = std::fs::metadata(path).map_err(file_err)?.len();
    let file = std::fs::File::open(path).map_err(file_err)?;
    let mut reader = BufReader::new(GzDecoder::new(file));
    let mut number = 0u64;
    let mut next_line = || -> Result<Option<(u64, Value)>> {
        let mut buf = Vec::new();
        let n = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| AppError::File {
                path: path.display().to_string(),
                message: format!("not a kith backup (or damaged): {e}"),
            })?;
        if n == 0 {
            return Ok(None);
        }
        number += 1;
        if n as u64 > MAX_LINE {
            return Err(AppError::Invalid(format!(
                "{}: line {number} is longer than kith writes",
                path.display()
            )));
        }
        serde_json::from_slice(&buf)
            .map(|v| Some((number, v)))
            .map_err(|e| {
                AppError::Invalid(format!(
                    "{}: line {number} is not a backup line: {e}",
                    path.display()
                ))
            })
    };
    let header = next_line()?.map(|(_, v)| v).unwrap_or(Value::Null);
    if header["kith_backup"] != json!(FORMAT) {
        return Err(AppError::Invalid(format!(
            "{}: not a kith backup (its first line says nothing of one)",
            path.display()
        )));
    }
    let schema = header["schema"].as_i64().unwrap_or(0);
    let mut loader = store.loader(schema).await?;
    let mut report = BackupReport {
        schema,
        bytes,
        ..Default::default()
    };
    let mut ended = false;
    while let Some((at, line)) = next_line()? {
        match line {
            Value::Array(cells) => {
                let cells = cells
                    .into_iter()
                    .map(|c| json_cell(c, at))
                    .collect::<Result<Vec<_>>>()?;
                loader.row(cells).await?;
                report.rows += 1;
            }
            Value::Object(o) if o.contains_key("table") => {
                let table = o["table"].as_str().unwrap_or_default();
                let columns: Vec<String> = o["columns"]
                    .as_array()
                    .map(|c| {
                        c.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                loader.table(table, &columns).await?;
                report.tables += 1;
            }
            Value::Object(o) if o.contains_key("end") => {
                let rows = o["end"]["rows"].as_u64().unwrap_or(u64::MAX);
                if rows != report.rows {
                    return Err(AppError::Invalid(format!(
                        "{}: the backup says {rows} rows and holds {}",
                        path.display(),
                        report.rows
                    )));
                }
                ended = true;
                break;
            }
            _ => {
                return Err(AppError::Invalid(format!(
                    "{}: line {at} is not a backup line",
                    path.display()
                )));
            }
        }
    }
    if !ended {
        return Err(AppError::Invalid(format!(
            "{}: the backup is cut off (no end line): nothing was restored",
            path.display()
        )));
    }
    loader.finish().await?;
    Ok(report)
}

/// Copies everything of `from` into `to` (empty), in one consistent
/// snapshot of `from`: a single user's SQLite becomes a group's
/// PostgreSQL, or the reverse.
pub async fn copy(from: &Store, to: &Store) -> Result<BackupReport> {
    let mut loader = to.loader(from.schema_status().await?.known).await?;
    let info = from.dump(&mut loader).await?;
    loader.finish().await?;
    Ok(BackupReport {
        schema: info.schema,
        tables: info.tables,
        rows: info.rows,
        bytes: 0,
    })
}
