//! `kith log`: logging an interaction (kind, date, note, direction) with
//! one or more people.

use crate::cli::LogArgs;
use crate::output;
use anyhow::{Result, anyhow};
use kith_app::App;

pub(crate) async fn log_interaction(app: &App, args: LogArgs) -> Result<()> {
    use kith_core::{Direction, InteractionKind};
    let kind = InteractionKind::parse(&args.kind).ok_or_else(|| {
        anyhow!(
            "unknown kind {:?}: use one of {}",
            args.kind,
            InteractionKind::names()
        )
    })?;
    let direction = args
        .direction
        .as_deref()
        .map(|d| {
            Direction::parse(d)
                .ok_or_else(|| anyhow!("unknown direction {d:?}: use outgoing, incoming or mutual"))
        })
        .transpose()?;
    let logged = app
        .log_interaction(&kith_app::interactions::NewInteraction {
            people: args.people,
            kind,
            when: args.date,
            note: args.note,
            direction,
        })
        .await?;
    if args.json {
        output::json(&logged)?;
    } else {
        let names: Vec<&str> = logged.people.iter().map(|p| p.name.as_str()).collect();
        println!(
            "logged {} with {} on {} ({})",
            logged.kind.as_str(),
            names.join(", "),
            &logged.at[..10.min(logged.at.len())],
            logged.id
        );
    }
    Ok(())
}
