//! `kith export`: the address book as vCard, CSV or JSON, to standard
//! output or to a file (written beside it, then renamed).

use crate::cli::ExportWhat;
use anyhow::{Context, Result, anyhow};
use kith_app::App;
use kith_app::export::ExportFormat;
use kith_app::types::VcardVersion;
use std::io::Write;

pub(crate) async fn export(app: &App, what: ExportWhat) -> Result<()> {
    let (format, path) = match what {
        ExportWhat::Vcard {
            vcard_version,
            output,
        } => {
            let v = VcardVersion::parse(&vcard_version)
                .ok_or_else(|| anyhow!("vCard version {vcard_version:?}: use 3.0 or 4.0"))?;
            (ExportFormat::Vcard(v), output)
        }
        ExportWhat::Csv { output } => (ExportFormat::Csv, output),
        ExportWhat::Json { output } => (ExportFormat::Json, output),
    };
    match path {
        Some(path) => {
            // Write beside the target, then rename: a failed export never leaves half a file.
            let tmp = path.with_extension("kith-partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let n = app.export(format, &mut out).await?;
            out.flush()?;
            drop(out);
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("exported {n} people to {}", path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            app.export(format, &mut out).await?;
        }
    }
    Ok(())
}
