//! The relationship commands beyond logging and cadences: pinning a person
//! to a circle, and the birthdays and work anniversaries coming up.

use crate::output;
use anyhow::{Result, anyhow};
use clap::Args;
use kith_app::App;
use kith_core::strength::Circle;

#[derive(Args)]
pub struct CircleArgs {
    /// The person (id or email).
    person: String,
    /// inner, close, network or distant; auto to follow the interactions again.
    circle: String,
}

pub async fn circle(app: &App, args: CircleArgs) -> Result<()> {
    let circle = match args.circle.trim() {
        "auto" => None,
        name => Some(Circle::parse(name).ok_or_else(|| {
            anyhow!("unknown circle {name:?}: use inner, close, network, distant or auto")
        })?),
    };
    app.pin_circle(&args.person, circle).await?;
    let s = app.strength(&args.person).await?;
    println!("{}", strength_line(&s));
    Ok(())
}

/// "0.42, close ties (pinned): 3 two-way coffees in the last 90 days; …"
pub fn strength_line(s: &kith_core::strength::Strength) -> String {
    format!(
        "{:.2}, {}{}: {}",
        s.score,
        s.circle.describe(),
        if s.pinned { " (pinned)" } else { "" },
        s.explanation
    )
}

#[derive(Args)]
pub struct ComingUpArgs {
    /// How many days ahead (0 to 60).
    #[arg(long, default_value_t = 14)]
    days: i64,
    #[arg(long)]
    json: bool,
}

pub async fn coming_up(app: &App, args: ComingUpArgs) -> Result<()> {
    let list = app.coming_up(args.days).await?;
    if args.json {
        output::json(&list)?;
    } else if list.is_empty() {
        println!(
            "no birthdays or work anniversaries in the next {} days",
            args.days
        );
    } else {
        for c in &list {
            println!("{}  ({})", c.text, c.id);
        }
    }
    Ok(())
}
