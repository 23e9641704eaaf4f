//! Capturing interactions from mailboxes (mbox, maildir, `.eml`): each
//! message between the account's owner and others becomes an email
//! interaction with them. The owner's own addresses (`kith me add-email`)
//! say which way a message went. Correspondents are matched to people by
//! email; a new person is made only for someone the owner wrote to, never
//! for list, bulk or no-reply mail or one-way mail from strangers. Only
//! metadata is kept (subjects with `--keep-subjects`); re-importing adds
//! nothing (Message-ID). One mailbox is one transaction.

use super::capture::{self, SeenAt};
use super::file::{ImportFile, Stream};
use super::{ImportOptions, ImportReport, Progress};
use crate::{App, AppError, Result};
use kith_core::identity::{Region, email_key};
use kith_core::{
    Diagnostic, Direction, Interaction, InteractionId, InteractionKind, Person, PersonId, Source,
};
use kith_formats::mail::{MailAddress, MailHeaders, MboxReader, read_message_file};
use kith_formats::{FileKind, MailboxKind};
use kith_store::Tx;
use kith_store::tx::PersonWrite;
use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The account setting that lists the owner's own email addresses.
const MY_EMAILS: &str = "my_emails";

/// Senders and recipients that are machines, not people.
pub(crate) fn is_machine(email: &str) -> bool {
    let local = email.split('@').next().unwrap_or("");
    let compact: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    compact.starts_with("noreply")
        || compact.starts_with("donotreply")
        || compact.starts_with("mailerdaemon")
        || compact == "postmaster"
        || compact.starts_with("notification")
        || compact.starts_with("bounce")
}

/// One message kept for the second pass.
struct Pending {
    /// Where it was read: an index into the capture's places, and the
    /// line (a file) or UID (a mail folder) there.
    place: usize,
    line: u64,
    dedupe: String,
    at: i64,
    direction: Direction,
    /// Indexes into the correspondents.
    with: Vec<usize>,
    subject: Option<String>,
}

/// Someone seen in the mail.
struct Correspondent {
    email: String,
    name: Option<String>,
    /// The owner wrote to them.
    written_to: bool,
    /// Where they were first seen (place, line).
    place: usize,
    line: u64,
    /// Who they are in the address book, as far as known yet.
    known: Known,
    /// Made by this capture before a name was seen (one may come later).
    made_unnamed: Option<PersonId>,
}

/// A correspondent in the address book.
#[derive(Clone, Copy, PartialEq)]
enum Known {
    /// Not looked up yet.
    Unasked,
    /// Nobody holds the address, and the owner has not written to them (so
    /// far): a stranger, unless a later message says otherwise.
    Stranger,
    Person(PersonId),
    /// Several people hold the address: none is chosen.
    Ambiguous,
}

/// Mail being captured, message by message (a mailbox file, or the
/// folders of an IMAP account). Who becomes a person depends on every
/// message (a stranger is made a person only once the owner writes to
/// them), so messages can be written as they come ([`MailCapture::flush`])
/// except those from strangers, kept until [`MailCapture::finish`]; the
/// outcome is the same whenever the flushes happen.
pub(crate) struct MailCapture {
    mine: Vec<String>,
    keep_subjects: bool,
    /// Where messages come from (a file's name, `imaps://host/INBOX`).
    places: Vec<String>,
    people: Vec<Correspondent>,
    index: HashMap<String, usize>,
    pending: Vec<Pending>,
    /// Messages from strangers, kept until the end.
    deferred: Vec<Pending>,
}

impl MailCapture {
    pub(crate) fn new(mine: Vec<String>, keep_subjects: bool) -> MailCapture {
        MailCapture {
            mine,
            keep_subjects,
            places: Vec::new(),
            people: Vec::new(),
            index: HashMap::new(),
            pending: Vec::new(),
            deferred: Vec::new(),
        }
    }

    /// Messages read next come from `place`; returns its index.
    pub(crate) fn place(&mut self, place: String) -> usize {
        self.places.push(place);
        self.places.len() - 1
    }

    /// Reads one message (its line: where in the place it was).
    pub(crate) fn add(&mut self, place: usize, m: MailHeaders, report: &mut ImportReport) {
        report.records += 1;
        let is_mine = |e: &str| self.mine.iter().any(|m| m == e);
        let Some(sender) = m.from.first() else {
            report.skipped += 1;
            return;
        };
        if m.bulk || is_machine(&sender.email) {
            report.skipped += 1;
            return;
        }
        let (direction, others): (Direction, Vec<&MailAddress>) = if is_mine(&sender.email) {
            let to: Vec<_> = m
                .recipients
                .iter()
                .filter(|r| !is_mine(&r.email) && !is_machine(&r.email))
                .collect();
            (Direction::Outgoing, to)
        } else if m.recipients.iter().any(|r| is_mine(&r.email)) {
            (Direction::Incoming, vec![sender])
        } else {
            report.skipped += 1; // not to or from the owner
            return;
        };
        if others.is_empty() {
            report.skipped += 1;
            return;
        }
        let Some(at) = m.at else {
            report.skipped += 1;
            report.add_warning(Diagnostic {
                file: self.places[place].clone(),
                line: m.line,
                message: "the message has no readable Date: skipped".into(),
            });
            return;
        };
        let mut with = Vec::new();
        for a in others {
            let i = *self.index.entry(a.email.clone()).or_insert_with(|| {
                self.people.push(Correspondent {
                    email: a.email.clone(),
                    name: None,
                    written_to: false,
                    place,
                    line: m.line,
                    known: Known::Unasked,
                    made_unnamed: None,
                });
                self.people.len() - 1
            });
            let c = &mut self.people[i];
            if c.name.is_none() {
                c.name = a.name.clone();
            }
            c.written_to |= direction == Direction::Outgoing;
            with.push(i);
        }
        let dedupe = match &m.message_id {
            Some(id) => format!("msgid:{id}"),
            None => format!(
                "mail:{}:{at}:{}",
                sender.email,
                m.subject.as_deref().unwrap_or("")
            ),
        };
        self.pending.push(Pending {
            place,
            line: m.line,
            dedupe,
            at,
            direction,
            with,
            subject: m.subject.filter(|_| self.keep_subjects),
        });
    }

    /// Writes in `tx` what can be written now: correspondents not looked
    /// up yet are, those the owner wrote to who are in no card become
    /// people, and each message whose people are known is written (once
    /// per Message-ID); messages from strangers wait for [`Self::finish`].
    pub(crate) async fn flush(
        &mut self,
        tx: &mut Tx,
        region: Region,
        format: &str,
        report: &mut ImportReport,
    ) -> Result<()> {
        let unasked: Vec<usize> = (0..self.people.len())
            .filter(|i| self.people[*i].known == Known::Unasked)
            .collect();
        if !unasked.is_empty() {
            let keys: Vec<String> = unasked
                .iter()
                .map(|i| format!("email:{}", self.people[*i].email))
                .collect();
            let asked: Vec<&str> = keys.iter().map(String::as_str).collect();
            let mut holders: HashMap<String, Vec<PersonId>> = HashMap::new();
            for (id, key) in tx.people_with_keys(&asked).await? {
                holders.entry(key).or_default().push(id);
            }
            for (i, key) in unasked.iter().zip(&keys) {
                let c = &mut self.people[*i];
                c.known = match holders.get(key).map_or(&[][..], Vec::as_slice) {
                    [id] => {
                        report.updated += 1;
                        Known::Person(*id)
                    }
                    [] => Known::Stranger,
                    _ => Known::Ambiguous, // an ambiguous address: nobody
                };
            }
        }
        // The people the owner wrote to who are in no card.
        let mut created: Vec<Person> = Vec::new();
        for c in &mut self.people {
            if c.known != Known::Stranger || !c.written_to {
                continue;
            }
            let person = person_from_address(
                &MailAddress {
                    email: c.email.clone(),
                    name: c.name.clone(),
                },
                Source {
                    file: self.places[c.place].clone(),
                    line: c.line,
                    format: format.to_string(),
                },
                region,
            );
            c.known = Known::Person(person.id);
            if c.name.is_none() {
                c.made_unnamed = Some(person.id);
            }
            created.push(person);
        }
        report.created += created.len() as u64;
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
        for p in std::mem::take(&mut self.pending) {
            if p.with
                .iter()
                .any(|i| self.people[*i].known == Known::Stranger)
            {
                self.deferred.push(p);
                continue;
            }
            self.write_one(tx, &mut batch, report, p).await?;
        }
        batch.flush(tx, report).await
    }

    /// Writes one message with whoever of its people is a person.
    async fn write_one(
        &self,
        tx: &mut Tx,
        batch: &mut capture::Batch,
        report: &mut ImportReport,
        p: Pending,
    ) -> Result<()> {
        let mut with: Vec<PersonId> = p
            .with
            .iter()
            .filter_map(|i| match self.people[*i].known {
                Known::Person(id) => Some(id),
                _ => None,
            })
            .collect();
        with.sort();
        with.dedup();
        if with.is_empty() {
            report.skipped += 1;
            return Ok(());
        }
        let interaction = Interaction {
            id: InteractionId::new(),
            at: p.at,
            kind: InteractionKind::Email,
            direction: p.direction,
            people: with,
            note: p.subject,
            source: format!("{}:{}", self.places[p.place], p.line),
        };
        batch.push(tx, report, interaction, p.dedupe).await
    }

    /// Writes the rest once every message is read: what [`Self::flush`]
    /// writes, then the strangers' messages (with those who became people
    /// since; the others stay strangers), and the names learned after a
    /// person was made.
    pub(crate) async fn finish(
        mut self,
        tx: &mut Tx,
        region: Region,
        format: &str,
        report: &mut ImportReport,
    ) -> Result<()> {
        self.flush(tx, region, format, report).await?;
        let mut batch = capture::Batch::default();
        for p in std::mem::take(&mut self.deferred) {
            self.write_one(tx, &mut batch, report, p).await?;
        }
        batch.flush(tx, report).await?;
        let mut renamed: Vec<Person> = Vec::new();
        for c in &mut self.people {
            if let (Some(made), Some(name)) = (c.made_unnamed.take(), &c.name) {
                // Made again as it would have been with the name known.
                let mut person = person_from_address(
                    &MailAddress {
                        email: c.email.clone(),
                        name: Some(name.clone()),
                    },
                    Source {
                        file: self.places[c.place].clone(),
                        line: c.line,
                        format: format.to_string(),
                    },
                    region,
                );
                person.id = made;
                renamed.push(person);
            }
        }
        let writes: Vec<PersonWrite> = renamed
            .iter()
            .map(|p| PersonWrite {
                person: p,
                is_me: false,
                fresh: false,
            })
            .collect();
        tx.put_people(&writes).await?;
        Ok(())
    }
}

impl App {
    /// The owner's own email addresses.
    pub async fn my_emails(&self) -> Result<Vec<String>> {
        let raw = self.store.account_setting(self.account, MY_EMAILS).await?;
        Ok(raw
            .map(|r| serde_json::from_str::<Vec<String>>(&r).unwrap_or_default())
            .unwrap_or_default())
    }

    /// Adds one of the owner's own addresses (they identify the owner in mail).
    pub async fn add_my_email(&self, email: &str) -> Result<Vec<String>> {
        let key = email_key(email)
            .ok_or_else(|| AppError::Invalid(format!("{email:?} is not an email address")))?;
        let mut mine = self.my_emails().await?;
        if !mine.contains(&key) {
            mine.push(key);
            mine.sort();
        }
        self.save_my_emails(&mine).await?;
        Ok(mine)
    }

    /// Removes one of the owner's addresses.
    pub async fn remove_my_email(&self, email: &str) -> Result<Vec<String>> {
        let key = email_key(email).unwrap_or_else(|| email.trim().to_lowercase());
        let mut mine = self.my_emails().await?;
        mine.retain(|m| *m != key);
        self.save_my_emails(&mine).await?;
        Ok(mine)
    }

    async fn save_my_emails(&self, mine: &[String]) -> Result<()> {
        let json = serde_json::to_string(mine).unwrap_or_else(|_| "[]".into());
        self.store
            .set_account_setting(self.account, MY_EMAILS, Some(&json))
            .await?;
        Ok(())
    }

    /// The owner's addresses, which an import of mail or calendars needs to
    /// tell the owner from everyone else.
    pub(crate) async fn my_emails_for_import(&self, shown: &str) -> Result<Vec<String>> {
        let mine = self.my_emails().await?;
        if mine.is_empty() {
            return Err(AppError::File {
                path: shown.to_string(),
                message: "kith does not know your own email addresses yet, so it cannot tell you from the people you write to and meet: add them with `kith me add-email you@example.org`, then import again".into(),
            });
        }
        Ok(mine)
    }

    /// Imports the interactions of a mailbox (see the module comment).
    pub async fn import_mail(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let file = ImportFile::new(path);
        let file_name = &file.name;
        let mine = self.my_emails_for_import(&file.shown).await?;
        let (format, messages, read) = read_mailbox(path, &file, progress)?;
        let mut report = file.report(format, options);
        let mut capture = MailCapture::new(mine, options.keep_subjects);
        let place = capture.place(file_name.clone());
        for (n, item) in messages.enumerate() {
            if n % 1024 == 0 {
                match &read {
                    Some(bytes) => progress.advance(bytes.load(Ordering::Relaxed)),
                    None => progress.advance(n as u64),
                }
            }
            match item {
                Ok(m) => capture.add(place, m, &mut report),
                Err(d) => {
                    report.skipped += 1;
                    report.add_problem(d);
                }
            }
        }

        // Second pass, in one transaction: people, then interactions.
        let mut tx = self.store.begin(self.account).await?;
        let region = self.phone_region().await?;
        capture.finish(&mut tx, region, format, &mut report).await?;
        capture::finish(tx, options, file_name, format, &report).await?;
        progress.finish();
        Ok(report)
    }
}

/// A new person known only by a mail address (and the name beside it).
pub(crate) fn person_from_address(
    address: &MailAddress,
    source: Source,
    region: kith_core::identity::Region,
) -> Person {
    let full = address
        .name
        .clone()
        .unwrap_or_else(|| address.email.split('@').next().unwrap_or("").to_string());
    capture::new_person(full, SeenAt::Email(address.email.clone()), source, region)
}

type Messages = Box<dyn Iterator<Item = std::result::Result<MailHeaders, Diagnostic>> + Send>;

/// The bytes read so far, for progress (mbox only).
type ReadSoFar = Option<Arc<AtomicU64>>;

/// The messages of a mailbox (format name, iterator), with progress.
fn read_mailbox(
    path: &Path,
    file: &ImportFile,
    progress: &dyn Progress,
) -> Result<(&'static str, Messages, ReadSoFar)> {
    let file_name = &file.name;
    let kind = match super::file::kind(path) {
        FileKind::Mailbox(kind) => kind,
        _ => MailboxKind::Mbox,
    };
    if kind == MailboxKind::Maildir {
        let mut files: Vec<PathBuf> = Vec::new();
        for sub in ["cur", "new"] {
            let Ok(entries) = std::fs::read_dir(path.join(sub)) else {
                continue;
            };
            for e in entries.flatten() {
                if e.path().is_file() {
                    files.push(e.path());
                }
            }
        }
        files.sort();
        progress.start(files.len() as u64);
        let name = file_name.to_string();
        let iter = files.into_iter().map(move |f| {
            let shown = format!(
                "{name}/{}",
                f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            std::fs::File::open(&f)
                .map_err(|e| Diagnostic {
                    file: shown.clone(),
                    line: 1,
                    message: format!("cannot read: {e}"),
                })
                .and_then(|file| read_message_file(BufReader::new(file), &shown))
        });
        return Ok(("maildir", Box::new(iter), None));
    }
    let Stream { input, read, size } = file.stream()?;
    progress.start(size);
    if kind == MailboxKind::Eml {
        let one = read_message_file(input, file_name);
        return Ok(("eml", Box::new(std::iter::once(one)), None));
    }
    Ok((
        "mbox",
        Box::new(MboxReader::new(input, file_name)),
        Some(read),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_store::PeopleFilter;

    fn address(text: &str) -> MailAddress {
        match text.split_once(" <") {
            Some((name, email)) => MailAddress {
                email: email.trim_end_matches('>').into(),
                name: Some(name.into()),
            },
            None => MailAddress {
                email: text.into(),
                name: None,
            },
        }
    }

    fn message(n: u64, from: &str, to: &str) -> MailHeaders {
        MailHeaders {
            line: n,
            message_id: Some(format!("m{n}@test")),
            at: Some(1_700_000_000_000_000 + n as i64),
            from: vec![address(from)],
            recipients: vec![address(to)],
            subject: None,
            bulk: false,
        }
    }

    /// Captures `messages` in one account, flushing after every message
    /// or only at the end; who became a person, and each one's messages.
    async fn capture(
        store: &kith_store::Store,
        account: &str,
        every_message: bool,
    ) -> Vec<(String, usize)> {
        let me = "me@home.example";
        let messages = [
            message(1, "s@stranger.example", me),
            message(2, "t@other.example", me),
            message(3, me, "s@stranger.example"),
            message(4, "Sam Stranger <s@stranger.example>", me),
            message(5, "Kay Known <k@known.example>", me),
            message(6, me, "New Person <n@new.example>"),
        ];
        let account = store.default_account(account).await.unwrap().id;
        let mut tx = store.begin(account).await.unwrap();
        let known = capture::new_person(
            "Kay Known".into(),
            SeenAt::Email("k@known.example".into()),
            Source::manual(),
            Region::US,
        );
        tx.put_people(&[PersonWrite {
            person: &known,
            is_me: false,
            fresh: true,
        }])
        .await
        .unwrap();
        let mut report = ImportReport::default();
        let mut mail = MailCapture::new(vec![me.into()], false);
        let place = mail.place("test".into());
        for m in messages {
            mail.add(place, m, &mut report);
            if every_message {
                mail.flush(&mut tx, Region::US, "mbox", &mut report)
                    .await
                    .unwrap();
            }
        }
        mail.finish(&mut tx, Region::US, "mbox", &mut report)
            .await
            .unwrap();
        let mut out = Vec::new();
        for p in tx.people(&PeopleFilter::default()).await.unwrap() {
            let n = tx.interactions_of(p.person.id, 100).await.unwrap().len();
            out.push((p.person.card.name.full.clone(), n));
        }
        tx.commit().await.unwrap();
        out.sort();
        out
    }

    #[tokio::test]
    async fn writing_as_messages_come_gives_what_writing_at_the_end_gives() {
        for (store, _guard) in kith_store::testing::stores().await {
            let at_end = capture(&store, "at-end", false).await;
            let as_they_come = capture(&store, "as-they-come", true).await;
            assert_eq!(at_end, as_they_come);
            // The stranger written to later is a person with the name seen
            // last, with the message that came before; T stays a stranger.
            assert_eq!(
                at_end,
                [
                    ("Kay Known".to_string(), 1),
                    ("New Person".to_string(), 1),
                    ("Sam Stranger".to_string(), 3)
                ]
            );
        }
    }
}
