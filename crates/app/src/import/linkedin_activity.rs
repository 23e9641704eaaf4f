//! Capturing interactions from LinkedIn's `messages.csv` and
//! `Invitations.csv`: each message or connection request between the owner
//! and someone else becomes a message interaction with them. People are
//! matched by their LinkedIn profile; a new person is made only for someone
//! the owner wrote to or invited, never for a stranger's one-way message.
//! Bodies are never kept (subjects with `--keep-subjects`); re-importing adds
//! nothing. One file is one transaction.

use super::ImportReport;
use super::capture::{self, SeenAt};
use super::file::{ImportFile, Stream};
use super::{ImportOptions, Progress};
use crate::{App, Result};
use kith_core::identity::linkedin_slug;
use kith_core::{
    Card, Diagnostic, Direction, Interaction, InteractionId, InteractionKind, Person, PersonId,
    Source,
};
use kith_formats::csv::linkedin_activity::{ActivityFile, read_invitations, read_messages};
use kith_store::tx::PersonWrite;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Someone seen in the file, by profile slug.
struct Participant {
    slug: String,
    url: String,
    name: String,
    /// The owner wrote to or invited them.
    written_to: bool,
    /// Distinct conversations they are in (to find the owner: in all of them).
    conversations: HashSet<String>,
    line: u64,
}

/// One message or invitation kept for the second pass.
struct Pending {
    line: u64,
    at: i64,
    dedupe: String,
    /// Indexes into the participants: the sender first, then the recipients.
    from: usize,
    to: Vec<usize>,
    subject: Option<String>,
    /// Invitations know their direction without knowing the owner.
    outgoing: Option<bool>,
}

#[derive(Default)]
struct Read1 {
    participants: Vec<Participant>,
    index: HashMap<String, usize>,
    pending: Vec<Pending>,
}

impl Read1 {
    fn participant(&mut self, url: &str, name: &str, line: u64) -> Option<usize> {
        let slug = linkedin_slug(url)?;
        let i = *self.index.entry(slug.clone()).or_insert_with(|| {
            self.participants.push(Participant {
                slug,
                url: url.to_string(),
                name: String::new(),
                written_to: false,
                conversations: HashSet::new(),
                line,
            });
            self.participants.len() - 1
        });
        if self.participants[i].name.is_empty() {
            self.participants[i].name = name.trim().to_string();
        }
        Some(i)
    }
}

impl App {
    /// Imports the interactions of a LinkedIn `messages.csv` or
    /// `Invitations.csv` (see the module comment).
    pub async fn import_linkedin_activity(
        &self,
        path: &Path,
        kind: ActivityFile,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let file = ImportFile::new(path);
        let file_name = &file.name;
        let (format, note) = match kind {
            ActivityFile::Messages => ("linkedin-messages", None),
            ActivityFile::Invitations => (
                "linkedin-invitations",
                Some("LinkedIn invitation".to_string()),
            ),
        };
        let mut report = file.report(format, options);
        // Who the owner is on LinkedIn, from their own card (a LinkedIn
        // export's Profile.csv gives the name; a vCard may give the URL).
        let me = {
            let mut tx = self.store.begin_read(self.account).await?;
            tx.me().await?.map(|p| p.person.card)
        };
        let Stream { input, size, .. } = file.stream()?;
        progress.start(size);

        // First pass: metadata of every row, no awaits (the reader is not Send).
        let mut seen = Read1::default();
        {
            let input = Box::new(input);
            let mut drafts = 0u64;
            match kind {
                ActivityFile::Messages => {
                    let rows =
                        read_messages(input, file_name).map_err(|e| file.err(e.to_string()))?;
                    for row in rows {
                        let m = match row {
                            Ok(m) => m,
                            Err(d) => {
                                report.skipped += 1;
                                report.add_problem(d);
                                continue;
                            }
                        };
                        report.records += 1;
                        if m.draft {
                            drafts += 1;
                            continue;
                        }
                        let Some(from) = seen.participant(&m.from_url, &m.from_name, m.line) else {
                            report.skipped += 1;
                            report.add_warning(Diagnostic {
                                file: file_name.clone(),
                                line: m.line,
                                message: "the sender has no LinkedIn profile URL: skipped".into(),
                            });
                            continue;
                        };
                        let mut to = Vec::new();
                        for (k, url) in m.to_urls.iter().enumerate() {
                            let name = m.to_names.get(k).map(String::as_str).unwrap_or("");
                            to.extend(seen.participant(url, name, m.line));
                        }
                        for &i in std::iter::once(&from).chain(&to) {
                            seen.participants[i]
                                .conversations
                                .insert(m.conversation.clone());
                        }
                        let dedupe = format!(
                            "li-msg:{}:{}:{}",
                            m.conversation, m.at, seen.participants[from].slug
                        );
                        seen.pending.push(Pending {
                            line: m.line,
                            at: m.at,
                            dedupe,
                            from,
                            to,
                            subject: m.subject.filter(|_| options.keep_subjects),
                            outgoing: None,
                        });
                    }
                }
                ActivityFile::Invitations => {
                    let rows =
                        read_invitations(input, file_name).map_err(|e| file.err(e.to_string()))?;
                    for row in rows {
                        let v = match row {
                            Ok(v) => v,
                            Err(d) => {
                                report.skipped += 1;
                                report.add_problem(d);
                                continue;
                            }
                        };
                        report.records += 1;
                        let (Some(from), Some(to)) = (
                            seen.participant(&v.inviter_url, &v.from_name, v.line),
                            seen.participant(&v.invitee_url, &v.to_name, v.line),
                        ) else {
                            report.skipped += 1;
                            report.add_warning(Diagnostic {
                                file: file_name.clone(),
                                line: v.line,
                                message: "the invitation lacks a LinkedIn profile URL: skipped"
                                    .into(),
                            });
                            continue;
                        };
                        let dedupe = format!(
                            "li-inv:{}:{}:{}",
                            seen.participants[from].slug, seen.participants[to].slug, v.at
                        );
                        seen.pending.push(Pending {
                            line: v.line,
                            at: v.at,
                            dedupe,
                            from,
                            to: vec![to],
                            subject: None,
                            outgoing: Some(v.outgoing),
                        });
                    }
                }
            }
            if drafts > 0 {
                report.skipped += drafts;
                report.add_warning(Diagnostic {
                    file: file_name.clone(),
                    line: 1,
                    message: format!(
                        "{drafts} draft{} never sent: skipped",
                        if drafts == 1 { "" } else { "s" }
                    ),
                });
            }
        }
        progress.advance(size);
        if report.records == 0 && !report.problems.is_empty() {
            return Err(file.err(format!(
                "nothing could be read ({} problem{}; first: {})",
                report.problem_count(),
                if report.problem_count() == 1 { "" } else { "s" },
                report.problems[0]
            )));
        }

        let owner = match kind {
            ActivityFile::Messages => Some(owner_of(&seen.participants, me.as_ref()).ok_or_else(
                || file.err("kith cannot tell which participant is you: import your LinkedIn Profile.csv (or the whole export ZIP, which does it first) and import again".into()),
            )?),
            ActivityFile::Invitations => None,
        };

        // Which way each one went, and whom the owner wrote to.
        let mut directed: Vec<(Pending, Direction, Vec<usize>)> = Vec::new();
        for p in std::mem::take(&mut seen.pending) {
            let outgoing = p.outgoing.unwrap_or(Some(p.from) == owner);
            let (direction, with) = if outgoing {
                let with: Vec<usize> = p.to.iter().copied().filter(|&i| Some(i) != owner).collect();
                (Direction::Outgoing, with)
            } else if p.outgoing.is_some() || p.to.iter().any(|&i| Some(i) == owner) {
                (Direction::Incoming, vec![p.from])
            } else {
                report.skipped += 1; // neither from nor to the owner
                continue;
            };
            if direction == Direction::Outgoing {
                for &i in &with {
                    seen.participants[i].written_to = true;
                }
            }
            directed.push((p, direction, with));
        }

        // Second pass, in one transaction: people, then interactions.
        let mut tx = self.store.begin(self.account).await?;
        let region = self.phone_region().await?;
        let mut ids: Vec<Option<PersonId>> = Vec::with_capacity(seen.participants.len());
        let mut created: Vec<Person> = Vec::new();
        let mut matched = 0u64;
        for (i, c) in seen.participants.iter().enumerate() {
            let is_owner = Some(i) == owner;
            let found = if is_owner {
                Vec::new()
            } else {
                tx.people_with_key(&format!("linkedin:{}", c.slug)).await?
            };
            if let [id] = found.as_slice() {
                matched += 1;
                ids.push(Some(*id));
            } else if found.is_empty() && c.written_to && !is_owner {
                let person = person_from_profile(c, file_name, format, region);
                ids.push(Some(person.id));
                created.push(person);
            } else {
                ids.push(None); // the owner, a stranger's one-way message, or ambiguous
            }
        }
        report.updated = matched;
        report.created = created.len() as u64;
        let writes: Vec<PersonWrite> = created
            .iter()
            .map(|p| PersonWrite {
                person: p,
                is_me: false,
                fresh: true,
            })
            .collect();
        tx.put_people(&writes).await?;
        let mut batch = capture::Batch::default();
        for (p, direction, with) in directed {
            let mut people: Vec<PersonId> = with.iter().filter_map(|&i| ids[i]).collect();
            people.sort();
            people.dedup();
            if people.is_empty() {
                report.skipped += 1;
                continue;
            }
            let interaction = Interaction {
                id: InteractionId::new(),
                at: p.at,
                kind: InteractionKind::Message,
                direction,
                people,
                note: p.subject.or_else(|| note.clone()),
                source: format!("{file_name}:{}", p.line),
            };
            batch
                .push(&mut tx, &mut report, interaction, p.dedupe)
                .await?;
        }
        batch.flush(&mut tx, &mut report).await?;
        capture::finish(tx, options, file_name, format, &report).await?;
        progress.finish();
        Ok(report)
    }
}

/// The owner among a messages file's participants: their own card's
/// LinkedIn profile if it is there; else whoever is in strictly the most
/// conversations (the owner is in all of them); else the one participant
/// with the owner's name.
fn owner_of(participants: &[Participant], me: Option<&Card>) -> Option<usize> {
    if participants.is_empty() {
        return None;
    }
    if let Some(card) = me {
        let mine: Vec<String> = card
            .urls
            .iter()
            .filter_map(|u| linkedin_slug(&u.value))
            .collect();
        if let Some(i) = participants.iter().position(|p| mine.contains(&p.slug)) {
            return Some(i);
        }
    }
    let mut counts: Vec<(usize, usize)> = participants
        .iter()
        .enumerate()
        .map(|(i, p)| (p.conversations.len(), i))
        .collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    if counts.len() == 1 || counts[0].0 > counts[1].0 {
        return Some(counts[0].1);
    }
    let name = me.map(|c| c.name.full.trim().to_lowercase())?;
    let named: Vec<usize> = participants
        .iter()
        .enumerate()
        .filter(|(_, p)| !name.is_empty() && p.name.to_lowercase() == name)
        .map(|(i, _)| i)
        .collect();
    match named.as_slice() {
        [i] => Some(*i),
        _ => None,
    }
}

/// A new person known from LinkedIn only: the name and the profile.
fn person_from_profile(
    p: &Participant,
    file_name: &str,
    format: &str,
    region: kith_core::identity::Region,
) -> Person {
    let full = if p.name.is_empty() {
        p.slug.clone()
    } else {
        p.name.clone()
    };
    let source = Source {
        file: file_name.to_string(),
        line: p.line,
        format: format.to_string(),
    };
    capture::new_person(full, SeenAt::LinkedinProfile(p.url.clone()), source, region)
}
