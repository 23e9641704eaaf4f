//! `kith demo`: a fresh data directory of its own, filled with a seeded
//! demo network (the demo account and two connected members), then served.

use super::serve::serve;
use crate::cli::{Cli, DemoArgs};
use crate::config;
use crate::output;
use anyhow::{Context, Result, anyhow, bail};
use kith_app::types::Store;
use kith_app::{App, Settings};

/// The demo uses its own SQLite data directory: the one given if it is
/// empty, else a new one in the system's temporary directory. It never
/// touches a real address book.
pub(crate) fn prepare_demo_dir(cli: &mut Cli) -> Result<()> {
    if cli.database.is_some() {
        bail!("kith demo makes its own SQLite database: leave out --database / KITH_DATABASE_URL");
    }
    let dir = match &cli.data_dir {
        Some(dir) => {
            let used = std::fs::read_dir(dir)
                .map(|mut d| d.next().is_some())
                .unwrap_or(false);
            if used {
                bail!(
                    "{} is not empty: kith demo needs a fresh data directory (or none, for a temporary one)",
                    dir.display()
                );
            }
            dir.clone()
        }
        None => std::env::temp_dir().join(format!(
            "kith-demo-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default()
        )),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    cli.data_dir = Some(dir);
    Ok(())
}

pub(crate) async fn demo(
    store: &Store,
    settings: Settings,
    args: DemoArgs,
    dir: Option<&std::path::Path>,
    file: &config::FileConfig,
) -> Result<()> {
    let dir = dir.ok_or_else(|| anyhow!("kith demo has no data directory"))?;
    let auth = kith_app::auth::Auth::new(store.clone());
    let password = kith_app::auth::new_secret()?[..16].to_string();
    let account = auth.add_user("demo", &password, true).await?;
    let app = App::new(store.clone(), account.id, settings.clone());
    let report = app.import_demo(dir, args.people, args.seed).await?;
    output::import_report(&report);
    app.demo_activity(args.seed).await?;
    app.demo_reciprocity(args.seed).await?;
    let kept = app.demo_keep_in_touch(args.seed).await?;
    for (field, value) in [
        ("name", "Demo User"),
        ("headline", "Building a network before it is needed"),
        ("email", "demo@kith.example"),
    ] {
        app.set_card_field(field, value, None).await?;
    }
    // Two more members, connected to the demo account, so that paths go
    // through other address books: Sam shares roles (the default), Riya names.
    for (i, (name, sharing)) in [
        ("sam", kith_core::ties::Sharing::Role),
        ("riya", kith_core::ties::Sharing::Name),
    ]
    .into_iter()
    .enumerate()
    {
        let member = auth
            .add_user(name, &kith_app::auth::new_secret()?, false)
            .await?;
        let other = App::new(store.clone(), member.id, settings.clone());
        let seed = args.seed.wrapping_add(1 + i as u64);
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder)?;
        other.import_demo(&folder, args.people / 3, seed).await?;
        other.demo_activity(seed).await?;
        other
            .set_sharing(&kith_app::network::ties::SharingScope::All, Some(sharing))
            .await?;
        let (full, org, title) = if name == "sam" {
            ("Sam Okafor", "Initech", "Engineering Manager")
        } else {
            ("Riya Shah", "Umbrella", "Product Designer")
        };
        for (field, value) in [("name", full), ("organization", org), ("title", title)] {
            other.set_card_field(field, value, None).await?;
        }
        app.invite(name).await?;
        other.accept("demo").await?;
        if name == "sam" {
            // Sam changes job once connected: the demo's feed shows it.
            let card: Vec<(String, String, Option<String>)> = [
                ("name", full),
                ("organization", "Globex"),
                ("title", "VP Engineering"),
            ]
            .iter()
            .map(|(f, v)| (f.to_string(), v.to_string(), None))
            .collect();
            other.replace_card(&card).await?;
        } else {
            other
                .add_need_offer(
                    None,
                    "offer",
                    "design reviews for early startups",
                    &["design".into()],
                )
                .await?;
        }
    }
    // Riya asks the demo user for an introduction to someone of theirs:
    // the Network page has a request waiting for an answer.
    let riya = store
        .account("riya")
        .await?
        .ok_or_else(|| anyhow!("the demo member riya is missing"))?;
    let secret = kith_app::auth::new_secret()?;
    store
        .add_member_email(
            riya.id,
            "riya@kith.example",
            &kith_app::auth::secret_hash(&secret),
        )
        .await?;
    kith_app::network::members::verify_member_email(store, &secret).await?;
    let riya = App::new(store.clone(), riya.id, settings.clone());
    for email in kept.iter().filter_map(|p| p.emails.first()) {
        let asked = riya
            .request_introduction(
                &kith_app::network::paths::PathTarget::Person(email.clone()),
                "demo",
                "We are both building design systems; I would love to compare notes.",
            )
            .await;
        match asked {
            Ok(_) => break,
            // Someone Riya knows herself: no path through the demo user.
            Err(e) => tracing::debug!(error = %e, "the demo's introduction request was not made"),
        }
    }
    eprintln!("demo members sam and riya are connected to demo (see Network)");
    eprintln!("demo data directory: {}", dir.display());
    eprintln!("sign in as: demo   password: {password}");
    if args.no_serve {
        return Ok(());
    }
    serve(store, settings, args.serve, file, dir).await
}
