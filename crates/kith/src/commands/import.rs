//! `kith import`: files and archives imported one by one with a progress
//! bar, each one's report (text or JSON), and a failing exit code when any
//! file failed.

use crate::cli::ImportArgs;
use crate::output;
use anyhow::{Result, anyhow, bail};
use kith_app::App;
use kith_app::import::ImportOptions;
use kith_app::types::{ColumnMapping, Format};
use std::process::ExitCode;

pub(crate) async fn import(app: &App, args: ImportArgs) -> Result<ExitCode> {
    let format = match args.format.as_str() {
        "auto" => None,
        f => Some(Format::parse(f).ok_or_else(|| {
            anyhow!("unknown format {f:?}: use auto, vcard, linkedin, google, outlook or csv")
        })?),
    };
    let mapping = args.map.as_deref().map(ColumnMapping::parse).transpose()?;
    if mapping.is_some() && format.is_some_and(|f| f != Format::Csv) {
        bail!("--map applies to generic CSV files (--format csv)");
    }
    let options = ImportOptions {
        format,
        dry_run: args.dry_run,
        mapping,
        keep_subjects: args.keep_subjects,
        session_start: Some(kith_app::types::now_micros()),
    };
    let mut failed = false;
    let mut reports = Vec::new();
    for path in &args.files {
        let progress = output::ImportProgress::new(&path.display().to_string());
        let outcomes = match app.import_path(path, &options, &progress).await {
            Ok(archive) => {
                if !archive.skipped.is_empty() && !args.json {
                    eprintln!(
                        "{}: left alone (not contacts kith reads): {}",
                        path.display(),
                        archive.skipped.join(", ")
                    );
                }
                archive.imported.into_iter().map(|(_, r)| r).collect()
            }
            Err(e) => vec![Err(e)],
        };
        for outcome in outcomes {
            match outcome {
                Ok(report) => {
                    if !args.json {
                        output::import_report(&report);
                    }
                    reports.push(report);
                }
                Err(e) => {
                    failed = true;
                    eprintln!("error: {e}");
                }
            }
        }
    }
    if args.json {
        output::json(&reports)?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
