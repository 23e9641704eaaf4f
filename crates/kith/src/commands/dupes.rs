//! `kith dupes`: possible duplicates, best first, and dismissing a pair.

use crate::cli::{DupesArgs, DupesCommand};
use crate::output;
use anyhow::Result;
use kith_app::App;

pub(crate) async fn dupes(app: &App, args: DupesArgs) -> Result<()> {
    match args.command {
        Some(DupesCommand::Dismiss { a, b }) => {
            app.dismiss_duplicate(&a, &b).await?;
            println!("dismissed");
        }
        None => {
            let list = app.duplicates().await?;
            if args.json {
                output::json(&list)?;
            } else {
                output::duplicates(&list);
            }
        }
    }
    Ok(())
}
