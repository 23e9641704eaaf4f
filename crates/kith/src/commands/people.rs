//! `kith people`: listing, showing, adding, editing, deleting, merging and
//! unmerging people; the edit flags as kith-app's `PersonEdit`.

use super::relationships;
use crate::cli::{EditArgs, PeopleCommand};
use crate::output;
use anyhow::Result;
use kith_app::App;
use kith_app::people::PersonEdit;
use kith_app::types::PeopleFilter;

impl From<EditArgs> for PersonEdit {
    fn from(a: EditArgs) -> Self {
        PersonEdit {
            name: a.name,
            given: a.given,
            family: a.family,
            add_emails: a.emails,
            remove_emails: a.remove_emails,
            add_phones: a.phones,
            remove_phones: a.remove_phones,
            add_urls: a.urls,
            add_tags: a.tags,
            remove_tags: a.remove_tags,
            add_notes: a.notes,
            nicknames: a.nicknames,
            birthday: a.birthday,
            organization: a.org,
            title: a.title,
            positions: None,
        }
    }
}

pub(crate) async fn people(app: &App, command: PeopleCommand) -> Result<()> {
    match command {
        PeopleCommand::List {
            search,
            tag,
            org,
            json,
        } => {
            let filter = PeopleFilter {
                search,
                tag,
                organization: org,
                ..Default::default()
            };
            let list = app.list_people(&filter).await?;
            if json {
                output::json(&list)?
            } else {
                output::people_list(&list)
            }
        }
        PeopleCommand::Show { id, json } => {
            let p = app.find_person(&id).await?;
            let interactions = app.interactions(&p.id.to_string(), 10).await?;
            if json {
                output::json(&p)?
            } else {
                output::person(&p);
                let strength = app.strength(&p.id.to_string()).await?;
                println!("  strength: {}", relationships::strength_line(&strength));
                output::interactions(&interactions);
            }
        }
        PeopleCommand::Add { edit, json } => {
            let p = app.add_person(&edit.into()).await?;
            if json {
                output::json(&p)?
            } else {
                println!("added {} ({})", p.name, p.id)
            }
        }
        PeopleCommand::Edit { id, edit, json } => {
            let p = app.edit_person(&id, &edit.into()).await?;
            if json {
                output::json(&p)?
            } else {
                output::person(&p)
            }
        }
        PeopleCommand::Delete { id } => {
            let p = app.delete_person(&id).await?;
            println!("deleted {} ({})", p.name, p.id);
        }
        PeopleCommand::Merge { a, b, json } => {
            let p = app.merge_people(&a, &b).await?;
            if json {
                output::json(&p)?
            } else {
                println!("merged into {} ({})", p.name, p.id)
            }
        }
        PeopleCommand::Unmerge { id, json } => {
            let (a, b) = app.unmerge(&id).await?;
            if json {
                output::json(&[&a, &b])?
            } else {
                println!("separated {} ({}) and {} ({})", a.name, a.id, b.name, b.id)
            }
        }
    }
    Ok(())
}
