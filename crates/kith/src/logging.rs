//! Log lines on standard error through `tracing`: a timestamp, a level, the
//! request they belong to, as text or JSON lines (`--log-format`). Which
//! lines: `KITH_LOG` (a filter such as `info` or `kith_web=debug,info`),
//! else info for a server and warnings only for other commands, whose
//! output is their own.

use crate::cli::LogFormat;
use tracing_subscriber::EnvFilter;

pub(crate) fn init(format: LogFormat, serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = std::env::var("KITH_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
