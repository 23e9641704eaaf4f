//! `kith cadence` and `kith due`: how often to be in touch (with a person
//! or a tag), who is due now, marking done and snoozing.

use crate::cli::{CadenceArgs, DueArgs, DueCommand};
use crate::output;
use anyhow::{Result, anyhow, bail};
use kith_app::App;

pub(crate) async fn cadence(app: &App, args: CadenceArgs) -> Result<()> {
    let every = if args.clear { None } else { args.every };
    match (&args.person, &args.tag) {
        (_, Some(tag)) => app.set_tag_cadence(tag, every).await?,
        (Some(person), None) => app.set_cadence(person, every).await?,
        (None, None) => bail!("name a person or --tag TAG"),
    }
    match every {
        Some(days) => println!("every {days} days"),
        None => println!("cadence removed"),
    }
    Ok(())
}

pub(crate) async fn due(app: &App, args: DueArgs) -> Result<()> {
    match args.command {
        Some(DueCommand::Done { person, kind }) => {
            let kind = kind
                .as_deref()
                .map(|k| {
                    kith_core::InteractionKind::parse(k).ok_or_else(|| {
                        anyhow!(
                            "unknown kind {k:?}: use one of {}",
                            kith_core::InteractionKind::names()
                        )
                    })
                })
                .transpose()?;
            let logged = app.done(&person, kind).await?;
            println!("done: logged {} ({})", logged.kind.as_str(), logged.id);
        }
        Some(DueCommand::Snooze { person, days }) => {
            app.snooze(&person, days).await?;
            println!("snoozed for {days} days");
        }
        None => {
            let list = app.due().await?;
            if args.json {
                output::json(&list)?;
            } else if list.is_empty() {
                println!("no one is due now (cadences are set with kith cadence)");
            } else {
                for d in &list {
                    println!("{}  {}  ({})", d.name, d.reason, d.id);
                    if let Some(hint) = &d.give_first {
                        println!("    {hint}");
                    }
                }
            }
        }
    }
    Ok(())
}
