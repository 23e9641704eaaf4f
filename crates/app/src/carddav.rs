//! The address book as CardDAV clients use it: list the cards with their
//! ETags, read cards (the body a client uploaded, unchanged, until kith
//! changes the person; else written from the card), create, replace and
//! delete them with ETag preconditions, and the changes since a sync
//! token. People and cards are one: a card uploaded by a phone is a person
//! in kith, and an edit in kith is a changed card on the next sync.

use crate::{App, AppError, Result};
use kith_core::identity::normalize_card;
use kith_core::{Card, Person, PersonId};
use kith_formats::vcard::{Version, parse_card, write_card};
use kith_store::SyncEpoch;
use kith_store::dav::{DEFAULT_BOOK, DavBook, DavCard, DavUpload};
use kith_store::tx::PersonWrite;
use std::collections::HashMap;

/// Largest card accepted (photos make cards big).
pub const MAX_CARD_BYTES: usize = 4 * 1024 * 1024;

/// Sync tokens are URIs (RFC 6578): this prefix and a change-log mark.
const TOKEN_PREFIX: &str = "urn:kith:sync:";

/// Why a CardDAV request cannot be done.
#[derive(Debug, thiserror::Error)]
pub enum DavError {
    #[error("no such card")]
    NotFound,
    /// An If-Match or If-None-Match that does not hold.
    #[error("the card changed (or exists) since the client read it")]
    PreconditionFailed,
    /// Another card already has this UID (its href).
    #[error("another card has this UID: {0}")]
    UidConflict(String),
    /// The body is not a vCard.
    #[error("{0}")]
    InvalidCard(String),
    /// A sync token this book never gave.
    #[error("unknown sync token")]
    InvalidToken,
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<kith_store::StoreError> for DavError {
    fn from(e: kith_store::StoreError) -> Self {
        DavError::App(e.into())
    }
}

/// A card as listed: its name and ETag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardEntry {
    pub href: String,
    pub etag: String,
}

/// A card with its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardBody {
    pub href: String,
    pub etag: String,
    pub text: String,
}

/// What changed since a sync token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardChanges {
    pub changed: Vec<CardEntry>,
    pub removed: Vec<String>,
    pub token: String,
}

/// The outcome of a PUT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub created: bool,
    pub etag: String,
}

/// A strong ETag: the person and their version (every write bumps it).
fn etag(c: &DavCard) -> String {
    format!("\"{}-{}\"", c.person.0.simple(), c.version)
}

/// A sync token: the database's epoch and the change log's mark
/// (`urn:kith:sync:EPOCH-MARK`).
fn token_of(epoch: &SyncEpoch, mark: i64) -> String {
    format!("{TOKEN_PREFIX}{}-{mark}", epoch.epoch)
}

/// The mark a token this database gave names: of this epoch, or from before
/// epochs while no backup was restored; never past `mark` (now).
fn mark_of(epoch: &SyncEpoch, token: &str, mark: i64) -> Option<i64> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let given = match rest.split_once('-') {
        Some((e, n)) if e == epoch.epoch => n,
        Some(_) => return None,
        None if epoch.legacy_tokens_hold => rest,
        None => return None,
    };
    given.parse().ok().filter(|n| (0..=mark).contains(n))
}

/// Whether an `If-Match` value holds for the ETag (a list, `*`, weak or not).
pub fn etag_matches(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|h| h == "*" || h == etag || h.strip_prefix("W/") == Some(etag))
}

/// The `VERSION` a card's text declares.
fn version_of(text: &str) -> Option<Version> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("VERSION:"))
        .and_then(|v| Version::parse(v.trim()))
}

impl App {
    /// The book's sync token (also its ctag): changes to any card move it.
    pub async fn dav_token(&self) -> Result<String> {
        let mut tx = self.store.begin_read(self.account).await?;
        Ok(token_of(&self.store.sync_epoch(), tx.change_mark().await?))
    }

    /// Every card of a book with its ETag.
    pub async fn dav_list(&self, book: &str) -> Result<Vec<CardEntry>> {
        let mut tx = self.store.begin_read(self.account).await?;
        Ok(tx
            .dav_cards(book)
            .await?
            .iter()
            .map(|c| CardEntry {
                href: c.href.clone(),
                etag: etag(c),
            })
            .collect())
    }

    /// The cards named by `hrefs` (None for names that are not cards), in
    /// the version asked for (None: as stored).
    pub async fn dav_read(
        &self,
        book: &str,
        hrefs: &[String],
        version: Option<Version>,
    ) -> Result<Vec<(String, Option<CardBody>)>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let mut found: Vec<(String, Option<DavCard>)> = Vec::with_capacity(hrefs.len());
        let mut uploads: HashMap<PersonId, DavUpload>;
        // One read of the whole book beats a lookup per href when many are
        // asked for; when most of it is (a fresh client's download), that
        // read carries the uploaded texts too.
        if hrefs.len() <= 20 {
            for h in hrefs {
                found.push((h.clone(), tx.dav_find(book, h).await?));
            }
            uploads = tx.dav_uploads(&people_of(&found)).await?;
        } else if hrefs.len() * 2 >= tx.dav_book_len(book).await? {
            let mut all: HashMap<String, (DavCard, Option<DavUpload>)> = tx
                .dav_cards_with_uploads(book)
                .await?
                .into_iter()
                .map(|(c, u)| (c.href.clone(), (c, Some(u))))
                .collect();
            uploads = HashMap::with_capacity(all.len());
            for h in hrefs {
                let card = all.get_mut(h).map(|(c, u)| {
                    if let Some(u) = u.take() {
                        uploads.insert(c.person, u);
                    }
                    c.clone()
                });
                found.push((h.clone(), card));
            }
        } else {
            let all: HashMap<String, DavCard> = tx
                .dav_cards(book)
                .await?
                .into_iter()
                .map(|c| (c.href.clone(), c))
                .collect();
            for h in hrefs {
                found.push((h.clone(), all.get(h).cloned()));
            }
            uploads = tx.dav_uploads(&people_of(&found)).await?;
        }
        // Cards served as uploaded need no decoding: only the others are read.
        let stale: Vec<PersonId> = found
            .iter()
            .filter_map(|(_, c)| c.as_ref())
            .filter(|c| upload_as_is(c, uploads.get(&c.person), version).is_none())
            .map(|c| c.person)
            .collect();
        let cards: HashMap<PersonId, Card> = tx
            .people_by_ids(&stale)
            .await?
            .into_iter()
            .map(|sp| (sp.person.id, sp.person.card))
            .collect();
        let mut answers: Vec<(String, Option<CardBody>)> = Vec::with_capacity(found.len());
        for (href, c) in &found {
            let body = c.as_ref().and_then(|c| {
                let text = match (
                    upload_as_is(c, uploads.get(&c.person), version),
                    cards.get(&c.person),
                ) {
                    // Served as uploaded: the text moves out of the upload.
                    (Some(_), _) => uploads.remove(&c.person)?.raw?.0,
                    (None, Some(card)) => card_text(c, card, uploads.get(&c.person), version),
                    // The person's second href: an earlier one took the text.
                    (None, None) => found
                        .iter()
                        .zip(&answers)
                        .find(|((_, o), _)| o.as_ref().is_some_and(|o| o.person == c.person))
                        .and_then(|(_, (_, b))| Some(b.as_ref()?.text.clone()))?,
                };
                Some(CardBody {
                    href: href.clone(),
                    etag: etag(c),
                    text,
                })
            });
            answers.push((href.clone(), body));
        }
        Ok(answers)
    }

    /// The cards that pass `keep` (an addressbook-query filter), at most `limit`.
    pub async fn dav_query(
        &self,
        book: &str,
        keep: &(dyn Fn(&str) -> bool + Sync),
        version: Option<Version>,
        limit: Option<usize>,
    ) -> Result<Vec<CardBody>> {
        let hrefs: Vec<String> = self
            .dav_list(book)
            .await?
            .into_iter()
            .map(|c| c.href)
            .collect();
        let mut out: Vec<CardBody> = self
            .dav_read(book, &hrefs, version)
            .await?
            .into_iter()
            .filter_map(|(_, b)| b)
            .filter(|b| keep(&b.text))
            .collect();
        if let Some(limit) = limit {
            out.truncate(limit);
        }
        Ok(out)
    }

    /// What changed since `token` (empty: the initial sync, every card).
    pub async fn dav_changes(
        &self,
        book: &str,
        token: &str,
    ) -> std::result::Result<CardChanges, DavError> {
        let mut tx = self.store.begin_read(self.account).await?;
        let mark = tx.change_mark().await?;
        let token = token.trim();
        if token.is_empty() {
            let changed = tx
                .dav_cards(book)
                .await?
                .iter()
                .map(|c| CardEntry {
                    href: c.href.clone(),
                    etag: etag(c),
                })
                .collect();
            return Ok(CardChanges {
                changed,
                removed: Vec::new(),
                token: token_of(&self.store.sync_epoch(), mark),
            });
        }
        let since = mark_of(&self.store.sync_epoch(), token, mark).ok_or(DavError::InvalidToken)?;
        let mut out = CardChanges {
            token: token_of(&self.store.sync_epoch(), mark),
            ..Default::default()
        };
        for c in tx.dav_changes(book, since).await? {
            if c.alive {
                out.changed.push(CardEntry {
                    href: c.href.clone(),
                    etag: etag(&c),
                });
            } else {
                out.removed.push(c.href);
            }
        }
        out.changed.sort_by(|a, b| a.href.cmp(&b.href));
        out.removed.sort();
        out.removed.dedup();
        Ok(out)
    }

    /// Creates or replaces the card `href` with `body`, if the
    /// preconditions hold (`if_match`: the ETag the client has;
    /// `if_none_match_any`: only create).
    pub async fn dav_put(
        &self,
        book: &str,
        href: &str,
        body: &str,
        if_match: Option<&str>,
        if_none_match_any: bool,
    ) -> std::result::Result<Stored, DavError> {
        if body.len() > MAX_CARD_BYTES {
            return Err(DavError::InvalidCard(format!(
                "the card is {} bytes; kith keeps cards of at most {MAX_CARD_BYTES}",
                body.len()
            )));
        }
        let text = body.trim_start_matches('\u{feff}');
        if !text
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("BEGIN:VCARD")
        {
            return Err(DavError::InvalidCard(
                "the body is not a vCard (no BEGIN:VCARD)".into(),
            ));
        }
        let record = parse_card(text, href, 1).map_err(DavError::InvalidCard)?;
        let mut card = record.card;
        let region = self.phone_region().await?;
        normalize_card(&mut card, region);
        let uid = card.uids.first().cloned();

        let mut tx = self.store.begin(self.account).await?;
        let existing = tx.dav_find(book, href).await?;
        match (&existing, if_match) {
            (_, Some(_)) if existing.is_none() => return Err(DavError::PreconditionFailed),
            (Some(c), Some(m)) if !etag_matches(m, &etag(c)) => {
                return Err(DavError::PreconditionFailed);
            }
            (Some(_), None) if if_none_match_any => return Err(DavError::PreconditionFailed),
            _ => {}
        }
        if let Some(uid) = &uid
            && let Some(holder) = tx.dav_uid_holder(book, uid).await?
            && holder.href != href
        {
            return Err(DavError::UidConflict(holder.href));
        }
        let (id, created) = match &existing {
            Some(c) => {
                let before = tx
                    .person(c.person)
                    .await?
                    .ok_or(DavError::NotFound)?
                    .person
                    .card;
                card = replaced(before, card);
                (c.person, false)
            }
            None => (PersonId::new(), true),
        };
        let person = Person { id, card };
        let versions = tx
            .put_people(&[PersonWrite {
                person: &person,
                is_me: false,
                fresh: created,
            }])
            .await?;
        let version = versions.first().copied().ok_or(DavError::NotFound)?;
        tx.dav_keep_upload(id, created, book, href, uid.as_deref(), text, version)
            .await?;
        if created {
            suggest_same_keys(&mut tx, &person).await?;
        }
        tx.commit().await?;
        Ok(Stored {
            created,
            etag: etag(&DavCard {
                person: id,
                href: href.to_string(),
                version,
                alive: true,
            }),
        })
    }

    /// Deletes the card `href` (the person goes to the trash, restorable).
    pub async fn dav_delete(
        &self,
        book: &str,
        href: &str,
        if_match: Option<&str>,
    ) -> std::result::Result<(), DavError> {
        let mut tx = self.store.begin(self.account).await?;
        let card = tx.dav_find(book, href).await?.ok_or(DavError::NotFound)?;
        if let Some(m) = if_match
            && !etag_matches(m, &etag(&card))
        {
            return Err(DavError::PreconditionFailed);
        }
        tx.delete_person(card.person, None).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A card a device uploads stays its own person (the device keeps its
/// href), but one that shares an email, phone or LinkedIn profile with
/// someone kith knows from elsewhere is suggested as a duplicate, for the
/// user to merge (the device then sees one card changed, one removed).
async fn suggest_same_keys(tx: &mut kith_store::Tx, person: &Person) -> Result<()> {
    use kith_core::identity::{Decision, KeyKind, decide, keys};
    let mine: Vec<kith_core::identity::Key> = keys(&person.card)
        .into_iter()
        .filter(|k| {
            matches!(
                k.kind(),
                KeyKind::Email | KeyKind::Phone | KeyKind::Linkedin
            )
        })
        .collect();
    let asked: Vec<&str> = mine.iter().map(|k| k.0.as_str()).collect();
    let mut others: HashMap<PersonId, Vec<kith_core::identity::Key>> = HashMap::new();
    for (other, held) in tx.people_with_keys(&asked).await? {
        if other != person.id
            && let Some(key) = mine.iter().find(|k| k.0 == held)
        {
            others.entry(other).or_default().push(key.clone());
        }
    }
    let mut list = Vec::new();
    for (other, shared) in others {
        let Some(theirs) = tx.person(other).await? else {
            continue;
        };
        let (score, reasons) = match decide(&person.card, &theirs.person.card, &shared, false) {
            Decision::Merge { reasons } => (1.0, reasons),
            Decision::Suggest { score, reasons } => (score, reasons),
            Decision::Apart => continue,
        };
        let (a, b) = if person.id < other {
            (person.id, other)
        } else {
            (other, person.id)
        };
        list.push(kith_store::Suggestion {
            a,
            b,
            score,
            reasons,
        });
    }
    tx.add_suggestions(&list).await?;
    Ok(())
}

/// The card a client's upload makes of a person: what the vCard says
/// replaces what it can say; what it cannot (past positions kith knows
/// from elsewhere, where values came from) is kept.
fn replaced(before: Card, mut after: Card) -> Card {
    let past: Vec<_> = before
        .positions
        .into_iter()
        .filter(|p| p.end.is_some())
        .filter(|p| !after.positions.contains(p))
        .collect();
    after.positions.extend(past);
    for uid in before.uids {
        if !after.uids.contains(&uid) {
            after.uids.push(uid);
        }
    }
    after
}

/// The people of the cards found.
fn people_of(found: &[(String, Option<DavCard>)]) -> Vec<PersonId> {
    found
        .iter()
        .filter_map(|(_, c)| c.as_ref().map(|c| c.person))
        .collect()
}

/// The upload, when it can be served as it is: the person is as it left
/// them, and it is in the version asked for.
fn upload_as_is<'u>(
    c: &DavCard,
    upload: Option<&'u DavUpload>,
    want: Option<Version>,
) -> Option<&'u str> {
    let (raw, at) = upload?.raw.as_ref()?;
    (*at == c.version && want.is_none_or(|w| version_of(raw) == Some(w))).then_some(raw.as_str())
}

/// The text of a card written from kith's model (for a person changed
/// since the upload, or a version conversion), in the version asked for,
/// else the upload's, else 3.0.
fn card_text(
    c: &DavCard,
    card: &Card,
    upload: Option<&DavUpload>,
    want: Option<Version>,
) -> String {
    let version = want
        .or_else(|| {
            upload
                .and_then(|u| u.raw.as_ref())
                .and_then(|(raw, _)| version_of(raw))
        })
        .unwrap_or(Version::V3);
    let uid = upload
        .and_then(|u| u.uid.clone())
        .or_else(|| card.uids.first().cloned())
        .unwrap_or_else(|| c.person.0.to_string());
    let mut out = String::new();
    write_card(&mut out, card, &uid, version);
    out
}

/// The address book's own properties a client may set (PROPPATCH).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookLabel {
    /// `DAV:displayname`.
    Name,
    /// `CARDDAV:addressbook-description`.
    Description,
}

/// Whether `name` can name an address book (a path segment of its URL).
fn check_book_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 100
        || name.starts_with('.')
        || name.chars().any(|c| c == '/' || c.is_control())
    {
        return Err(AppError::Invalid(format!(
            "{name:?} cannot name an address book: use 1 to 100 characters, no '/', not starting with '.'"
        )));
    }
    Ok(())
}

impl App {
    /// The account's address books, the default one first.
    pub async fn dav_books(&self) -> Result<Vec<DavBook>> {
        let mut tx = self.store.begin_read(self.account).await?;
        Ok(tx.dav_books().await?)
    }

    /// The book named `name`, if it exists.
    pub async fn dav_book(&self, name: &str) -> Result<Option<DavBook>> {
        Ok(self.dav_books().await?.into_iter().find(|b| b.name == name))
    }

    /// Whether the book named `name` exists (the default one always does).
    pub async fn dav_book_exists(&self, name: &str) -> Result<bool> {
        Ok(name == DEFAULT_BOOK || self.dav_book(name).await?.is_some())
    }

    /// Makes a new address book (a client's MKCOL); false when it exists.
    pub async fn dav_create_book(
        &self,
        name: &str,
        displayname: Option<&str>,
        description: Option<&str>,
    ) -> Result<bool> {
        check_book_name(name)?;
        let mut tx = self.store.begin(self.account).await?;
        let made = tx
            .dav_create_book(&DavBook {
                name: name.to_string(),
                displayname: displayname.map(str::to_string),
                description: description.map(str::to_string),
            })
            .await?;
        tx.commit().await?;
        Ok(made)
    }

    /// Removes a book a client made, its people to the trash (restorable);
    /// returns how many. The default book stays.
    pub async fn dav_remove_book(&self, name: &str) -> Result<usize> {
        if name == DEFAULT_BOOK {
            return Err(AppError::Invalid(
                "the default address book holds your people in kith and stays".into(),
            ));
        }
        let mut tx = self.store.begin(self.account).await?;
        let people = tx.dav_remove_book(name).await?;
        for p in &people {
            tx.delete_person(*p, None).await?;
        }
        tx.commit().await?;
        Ok(people.len())
    }

    /// Sets (None: removes) a book's name or description.
    pub async fn set_dav_book_label(
        &self,
        book: &str,
        which: BookLabel,
        value: Option<&str>,
    ) -> Result<()> {
        if value.is_some_and(|v| v.len() > 1_000) {
            return Err(AppError::Invalid("at most 1,000 bytes".into()));
        }
        let mut tx = self.store.begin(self.account).await?;
        let current = tx
            .dav_books()
            .await?
            .into_iter()
            .find(|b| b.name == book)
            .ok_or_else(|| AppError::NotFound(format!("no address book {book:?}")))?;
        let (name, description) = match which {
            BookLabel::Name => (value.map(str::to_string), current.description),
            BookLabel::Description => (current.displayname, value.map(str::to_string)),
        };
        tx.dav_set_book_labels(book, name.as_deref(), description.as_deref())
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
