//! The relationship commands beyond logging and cadences: pinning a person
//! to a circle, the birthdays and work anniversaries coming up, and the
//! digest email.

use crate::cli::{CircleArgs, ComingUpArgs, DigestArgs};
use crate::config;
use crate::output;
use anyhow::{Result, anyhow, bail};
use kith_app::App;
use kith_app::digest::DigestEvery;
use kith_core::strength::Circle;

pub(crate) async fn circle(app: &App, args: CircleArgs) -> Result<()> {
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
pub(crate) fn strength_line(s: &kith_core::strength::Strength) -> String {
    format!(
        "{:.2}, {}{}: {}",
        s.score,
        s.circle.describe(),
        if s.pinned { " (pinned)" } else { "" },
        s.explanation
    )
}

pub(crate) async fn coming_up(app: &App, args: ComingUpArgs) -> Result<()> {
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

/// Without options, prints the digest as it would go out now.
pub(crate) async fn digest(app: &App, args: DigestArgs, file: &config::FileConfig) -> Result<()> {
    let base = config::public_url(file, "127.0.0.1:7878");
    if let Some(every) = &args.every {
        let every = DigestEvery::parse(every)
            .ok_or_else(|| anyhow!("--every {every:?}: use daily, weekly or off"))?;
        let settings = app
            .set_digest_settings(Some(every), args.to.as_deref())
            .await?;
        let to = app.digest_address().await?;
        println!(
            "digest: {}, to {}",
            settings.every.as_str(),
            to.as_deref()
                .unwrap_or("nobody yet (kith me add-email ADDRESS)")
        );
        return Ok(());
    }
    if args.send {
        let Some(mailer) = config::mailer(file)? else {
            bail!(
                "kith.toml has no [smtp] section, so kith cannot send mail (docs/relationships.md shows one)"
            );
        };
        match app.send_digest(&mailer, &base, args.to.as_deref()).await? {
            Some(sent) => println!("digest sent to {}: {}", sent.to, sent.subject),
            None => println!("nothing to report now: no digest sent"),
        }
        return Ok(());
    }
    if args.to.is_some() {
        bail!("--to goes with --send or --every");
    }
    let every = app.digest_settings().await?.every;
    let d = app.digest(every, &base).await?;
    println!("Subject: {}\n\n{}", d.subject, d.text);
    Ok(())
}
