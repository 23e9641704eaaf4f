//! The card and reciprocity commands: your own card (show, set, unset,
//! public links, send your details), what changed in your network, needs
//! and offers, "what can I do for them", favours.

use crate::cli::{CardCommand, ChangesArgs, FavoursCommand, HelpOutArgs, NeedsCommand};
use crate::config;
use crate::output;
use anyhow::Result;
use kith_app::App;
use kith_app::cards::CardUpdate;

fn show_card(card: &CardUpdate) {
    if card.fields.is_empty() {
        println!("your card is empty: kith card set name \"Your Name\"");
    }
    for f in &card.fields {
        println!("{:<13} {:<12} {}", f.field, f.visibility, f.value);
    }
}

pub(crate) async fn card(app: &App, command: CardCommand, file: &config::FileConfig) -> Result<()> {
    match command {
        CardCommand::Show { json } => {
            let card = app.my_card().await?;
            if json {
                return output::json(&card);
            }
            show_card(&card);
        }
        CardCommand::Set {
            field,
            value,
            visibility,
        } => {
            let card = app
                .set_card_field(&field, &value, visibility.as_deref())
                .await?;
            show_card(&card);
            reached(&card);
        }
        CardCommand::Unset { field, value } => {
            let card = app.unset_card_field(&field, value.as_deref()).await?;
            show_card(&card);
            reached(&card);
        }
        CardCommand::Link => {
            let link = app.create_card_link().await?;
            let base = config::public_url(file, "127.0.0.1:7878");
            let path = link.path.unwrap_or_default();
            println!("{}{path}", base.trim_end_matches('/'));
            println!("{}{path}.vcf", base.trim_end_matches('/'));
            eprintln!(
                "(shown once: kith keeps only a fingerprint of the link; its id is {})",
                link.id
            );
        }
        CardCommand::Links { json } => {
            let links = app.card_links().await?;
            if json {
                return output::json(&links);
            }
            for l in links {
                println!(
                    "{}  made {}{}",
                    l.id,
                    l.created_at,
                    if l.revoked { "  (revoked)" } else { "" }
                );
            }
        }
        CardCommand::Revoke { token } => {
            let n = app.revoke_card_link(token.as_deref()).await?;
            println!("{n} link{} revoked", if n == 1 { "" } else { "s" });
        }
        CardCommand::Vcf => print!("{}", app.my_vcard().await?),
        CardCommand::Send { people } => {
            let mailer = config::mailer(file)?;
            let base = config::public_url(file, "127.0.0.1:7878");
            let report = app.send_card(&people, mailer.as_ref(), &base).await?;
            for s in &report.sent {
                println!("sent to {s}");
            }
            for s in &report.skipped {
                println!("not sent: {s}");
            }
        }
    }
    Ok(())
}

fn reached(card: &CardUpdate) {
    if card.connections_updated > 0 {
        println!(
            "updated on the cards {} connection{} hold{} of you",
            card.connections_updated,
            if card.connections_updated == 1 {
                ""
            } else {
                "s"
            },
            if card.connections_updated == 1 {
                "s"
            } else {
                ""
            }
        );
    }
}

/// What changed in your network: new jobs first, and the people you are close to.
pub(crate) async fn changes(app: &App, args: ChangesArgs) -> Result<()> {
    let list = match &args.person {
        Some(p) => app.person_changes(p).await?,
        None => app.network_changes(args.days, args.limit).await?,
    };
    if args.json {
        return output::json(&list);
    }
    if list.is_empty() {
        println!(
            "nothing changed in your network in the last {} days",
            args.days
        );
    }
    for c in list {
        println!("{}  {}", &c.at[..10.min(c.at.len())], c.summary);
    }
    Ok(())
}

pub(crate) async fn needs(app: &App, command: NeedsCommand) -> Result<()> {
    match command {
        NeedsCommand::List { person, json } => {
            let list = app.needs_offers(person.as_deref()).await?;
            if json {
                return output::json(&list);
            }
            for n in list {
                let tags = if n.tags.is_empty() {
                    String::new()
                } else {
                    format!("  #{}", n.tags.join(" #"))
                };
                println!("{}  {:<5} {}: {}{tags}", n.id, n.kind, n.person, n.text);
            }
        }
        NeedsCommand::Add { text, person, tags } => {
            let n = app
                .add_need_offer(person.as_deref(), "need", &text, &tags)
                .await?;
            println!("need of {}: {}  ({})", n.person, n.text, n.id);
        }
        NeedsCommand::Offer { text, person, tags } => {
            let n = app
                .add_need_offer(person.as_deref(), "offer", &text, &tags)
                .await?;
            println!("offer of {}: {}  ({})", n.person, n.text, n.id);
        }
        NeedsCommand::Remove { id } => {
            app.remove_need_offer(&id).await?;
            println!("removed");
        }
    }
    Ok(())
}

/// What you can do for people: needs in your network and who can meet them.
pub(crate) async fn help_out(app: &App, args: HelpOutArgs) -> Result<()> {
    let list = app.help_out().await?;
    if args.json {
        return output::json(&list);
    }
    if list.is_empty() {
        println!(
            "no need in your network matches an offer or a job you know of (kith needs add --for PERSON TEXT)"
        );
    }
    for h in list {
        println!("{}", h.summary);
        for x in &h.helpers {
            let id = x.person_id.map(|p| p.to_string()).unwrap_or_default();
            println!("    {}  ({})  {id}", x.name, x.why);
        }
        println!("    introduce: kith intro make {} HELPER_ID", h.person_id);
    }
    Ok(())
}

pub(crate) async fn favours(app: &App, command: FavoursCommand) -> Result<()> {
    match command {
        FavoursCommand::List { person, json } => {
            let list = app.favours(person.as_deref()).await?;
            if json {
                return output::json(&list);
            }
            for f in list {
                let arrow = if f.direction == "given" { "to" } else { "from" };
                println!(
                    "{}  {} {arrow} {}: {}  ({})",
                    &f.at[..10.min(f.at.len())],
                    f.direction,
                    f.person,
                    f.what,
                    f.id
                );
            }
        }
        FavoursCommand::Add {
            person,
            what,
            given,
            ..
        } => {
            let f = app
                .add_favour(&person, if given { "given" } else { "received" }, &what)
                .await?;
            println!("{} {}: {}", f.direction, f.person, f.what);
        }
        FavoursCommand::Remove { id } => {
            app.remove_favour(&id).await?;
            println!("removed");
        }
    }
    Ok(())
}
