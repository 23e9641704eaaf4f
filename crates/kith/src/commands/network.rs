//! The network commands: ties between people, paths and "who do I know
//! at…", members connecting, what connections may use for paths,
//! introductions, and verifying one's email address for other members.

use crate::cli::{
    ConnectCommand, EmailCommand, FederationCommand, IntroCommand, PathArgs, SharingArgs, TieArgs,
    TiesArgs, WhoAtArgs,
};
use crate::config;
use crate::output;
use anyhow::{Result, anyhow, bail};
use kith_app::App;
use kith_app::network::paths::{PathTarget, PathView};
use kith_app::network::ties::SharingScope;
use kith_core::ties::Sharing;

pub(crate) async fn tie(app: &App, args: TieArgs) -> Result<()> {
    if args.remove {
        if app.remove_tie(&args.a, &args.b).await? {
            println!("tie removed");
        } else {
            println!("there was no tie set by hand between them");
        }
        return Ok(());
    }
    let kind = args.kind.as_deref().unwrap_or_default();
    app.set_tie(&args.a, &args.b, kind, args.strength).await?;
    for t in app.ties_of(&args.a).await? {
        println!("{:.2}  {}: {}", t.strength, t.name, t.why.join("; "));
    }
    Ok(())
}

pub(crate) async fn ties(app: &App, args: TiesArgs) -> Result<()> {
    let list = app.ties_of(&args.person).await?;
    if args.json {
        return output::json(&list);
    }
    for t in &list {
        println!(
            "{:.2}  {}  ({}): {}",
            t.strength,
            t.name,
            t.id,
            t.why.join("; ")
        );
    }
    Ok(())
}

fn target(to: Option<String>, org: Option<String>) -> Result<PathTarget> {
    match (to, org) {
        (Some(to), None) => Ok(PathTarget::Person(to)),
        (None, Some(org)) => Ok(PathTarget::Org(org)),
        _ => bail!("give --to PERSON or --org ORGANISATION"),
    }
}

pub(crate) async fn path(app: &App, args: PathArgs) -> Result<()> {
    let report = app
        .paths_everywhere(&target(args.to, args.org)?, args.k)
        .await?;
    unanswered(report.unanswered);
    let (label, paths) = (report.label, report.paths);
    if args.json {
        return output::json(&paths);
    }
    if paths.is_empty() {
        println!("no path to {label} through the people you can see");
    }
    for (i, p) in paths.iter().enumerate() {
        print_path(i + 1, p);
    }
    Ok(())
}

/// Says, on standard error, how many connections' servers did not answer
/// (their paths are missing, nothing failed).
fn unanswered(n: usize) {
    if n > 0 {
        let whose = if n == 1 {
            "1 connection's server".to_string()
        } else {
            format!("{n} connections' servers")
        };
        eprintln!("{whose} did not answer");
    }
}

fn print_path(n: usize, p: &PathView) {
    let names: Vec<String> = p
        .people
        .iter()
        .enumerate()
        .map(|(i, x)| {
            if i == 0 {
                "you".to_string()
            } else {
                x.name.clone()
            }
        })
        .collect();
    println!("{n}. {:.3}  {}", p.strength, names.join(" → "));
    for (i, hop) in p.hops.iter().enumerate() {
        println!(
            "     {} – {} ({:.2}): {}",
            names[i],
            names[i + 1],
            hop.strength,
            hop.why.join("; ")
        );
    }
}

pub(crate) async fn who_at(app: &App, args: WhoAtArgs) -> Result<()> {
    let report = app.who_at_everywhere(&args.org, args.limit).await?;
    unanswered(report.unanswered);
    let list = report.people;
    if args.json {
        return output::json(&list);
    }
    if list.is_empty() {
        println!("nobody you can reach is at {} now", args.org.trim());
    }
    for r in &list {
        let degree = r.person.degree.map(ordinal).unwrap_or_default();
        let via = if r.via.is_empty() {
            String::new()
        } else {
            format!(" via {}", r.via.join(" → "))
        };
        println!("{:.3}  {} {}{}", r.strength, r.person.name, degree, via);
    }
    Ok(())
}

/// "(1st)", "(2nd)", "(3rd)".
fn ordinal(d: u8) -> String {
    match d {
        1 => "(1st)".into(),
        2 => "(2nd)".into(),
        3 => "(3rd)".into(),
        n => format!("({n}th)"),
    }
}

/// Accounts the user follows and those following them.
pub(crate) async fn follows(app: &App, json: bool) -> Result<()> {
    let list = app.follows().await?;
    if json {
        return output::json(&list);
    }
    for f in &list {
        println!("{}  {}  {}", f.handle, f.status, f.name);
    }
    Ok(())
}

pub(crate) async fn federation(
    app: &App,
    store: &kith_app::types::Store,
    command: FederationCommand,
) -> Result<()> {
    use kith_app::federation as fed;
    match command {
        FederationCommand::Block { target, server } => {
            if server {
                println!(
                    "{} is blocked on this server",
                    fed::block_for_server(store, &target).await?
                );
            } else {
                app.block(&target).await?;
                println!("blocked {}", target.trim());
            }
        }
        FederationCommand::Unblock { target, server } => {
            if server {
                fed::unblock_for_server(store, &target).await?;
            } else {
                app.unblock(&target).await?;
            }
            println!("unblocked {}", target.trim());
        }
        FederationCommand::Blocks { server } => {
            let list = if server {
                fed::server_blocks(store).await?
            } else {
                app.blocks().await?
            };
            for b in list {
                println!("{b}");
            }
        }
        FederationCommand::RotateKey => println!("your key is now {}", app.rotate_key().await?),
        FederationCommand::Status { json } => {
            let status = app.federation_status().await?;
            if json {
                return output::json(&status);
            }
            match &status.handle {
                Some(h) => println!("you are {h}"),
                None => println!("this server does not federate (set public_url in kith.toml)"),
            }
            println!(
                "{} activities waiting for delivery{}",
                status.waiting,
                status
                    .oldest_seconds
                    .map(|s| format!(" (the oldest for {s} s)"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}

pub(crate) async fn connect(app: &App, command: ConnectCommand) -> Result<()> {
    match command {
        ConnectCommand::Invite { name } => println!("{}", app.invite(&name).await?),
        ConnectCommand::Accept { name } => {
            app.accept(&name).await?;
            println!("connected to {}", name.trim());
        }
        ConnectCommand::Decline { name } => {
            app.decline(&name).await?;
            println!("declined {}", name.trim());
        }
        ConnectCommand::Remove { name } => {
            app.disconnect(&name).await?;
            println!("no longer connected to {}", name.trim());
        }
        ConnectCommand::List { json } => {
            let list = app.connections().await?;
            if json {
                return output::json(&list);
            }
            for c in &list {
                println!("{}  {}", c.name, c.status.replace('_', " "));
            }
        }
        ConnectCommand::Suggestions { json } => {
            let list = app.people_you_may_know().await?;
            if json {
                return output::json(&list);
            }
            for s in &list {
                println!("{}: {}", s.name, s.reason);
            }
        }
    }
    Ok(())
}

pub(crate) async fn sharing(app: &App, args: SharingArgs) -> Result<()> {
    let scope = match (args.tag, args.person) {
        (Some(t), _) => SharingScope::Tag(t),
        (_, Some(p)) => SharingScope::Person(p),
        _ => SharingScope::All,
    };
    if args.clear {
        if scope == SharingScope::All {
            bail!("--clear goes with --tag or --person");
        }
        app.set_sharing(&scope, None).await?;
    } else if let Some(level) = &args.level {
        let level = Sharing::parse(level)
            .ok_or_else(|| anyhow!("unknown level {level:?}: use nothing, role or name"))?;
        app.set_sharing(&scope, Some(level)).await?;
    }
    let view = app.sharing().await?;
    println!(
        "your connections may use, for their paths: {}",
        view.default.describe()
    );
    for t in &view.tags {
        println!("  tag {}: {}", t.tag, t.level.as_str());
    }
    for p in &view.people {
        println!("  {} ({}): {}", p.name, p.id, p.level.as_str());
    }
    Ok(())
}

pub(crate) async fn intro(
    app: &App,
    command: IntroCommand,
    file: &config::FileConfig,
) -> Result<()> {
    let show = |i: &kith_app::network::intros::IntroView| {
        let who = match i.role.as_str() {
            "broker" => format!("{} asks you to introduce them to {}", i.requester, i.person),
            "introducer" => format!("you are introducing {} to {}", i.requester, i.person),
            _ => format!("you asked {} for an introduction to {}", i.broker, i.person),
        };
        println!("{}  {}  {who}", i.id, i.status);
    };
    match command {
        IntroCommand::Ask {
            to,
            org,
            via,
            message,
        } => show(
            &app.request_introduction(&target(to, org)?, &via, &message)
                .await?,
        ),
        IntroCommand::List { json } => {
            let list = app.introductions().await?;
            if json {
                return output::json(&list);
            }
            list.iter().for_each(show);
        }
        IntroCommand::Accept { id } => {
            let mailer = config::mailer(file)?;
            let base = config::public_url(file, "127.0.0.1:7878");
            show(&app.accept_introduction(id, mailer.as_ref(), &base).await?);
        }
        IntroCommand::Make {
            person,
            helper,
            message,
        } => {
            let mailer = config::mailer(file)?;
            let base = config::public_url(file, "127.0.0.1:7878");
            show(
                &app.introduce(&person, &helper, &message, mailer.as_ref(), &base)
                    .await?,
            );
        }
        IntroCommand::Decline { id } => show(&app.decline_introduction(id).await?),
        IntroCommand::Withdraw { id } => show(&app.withdraw_introduction(id).await?),
        IntroCommand::RefuseAll { on_off } => {
            let refuse = match on_off.trim() {
                "on" => true,
                "off" => false,
                other => bail!("refuse-all {other:?}: use on or off"),
            };
            app.set_refuse_introductions(refuse).await?;
            println!(
                "{}",
                if refuse {
                    "you refuse all introduction requests"
                } else {
                    "you take introduction requests"
                }
            );
        }
    }
    Ok(())
}

/// Members' verified addresses (what "people you may know" matches on).
pub(crate) async fn email(
    app: &App,
    command: EmailCommand,
    file: &config::FileConfig,
) -> Result<()> {
    match command {
        EmailCommand::Add { email } => {
            let Some(mailer) = config::mailer(file)? else {
                bail!(
                    "kith.toml has no [smtp] section, so kith cannot mail the link (docs/network.md)"
                );
            };
            let base = config::public_url(file, "127.0.0.1:7878");
            app.add_member_email(&email, &mailer, &base).await?;
            println!("a link that verifies {} was mailed to it", email.trim());
        }
        EmailCommand::Verify { secret } => {
            let secret = secret.rsplit('/').next().unwrap_or(&secret);
            let (_, email) = app.links().verify_member_email(secret).await?;
            println!("{email} is verified");
        }
        EmailCommand::Remove { email } => app.remove_member_email(&email).await?,
        EmailCommand::List => {
            for e in app.member_emails().await? {
                println!(
                    "{}{}",
                    e.email,
                    if e.verified {
                        ""
                    } else {
                        "  (not verified yet)"
                    }
                );
            }
        }
    }
    Ok(())
}
