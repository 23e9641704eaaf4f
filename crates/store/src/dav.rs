//! One account's address books as CardDAV sees them. `contacts` always
//! exists and holds every person no client put elsewhere; clients may make
//! more. Each living person is a card in one book, with an href (the
//! client's name for it, else `<id>.vcf`) and a version; uploaded bodies
//! are kept to be served back unchanged; the change log says what changed
//! since a sync token.

use crate::db::on_db;
use crate::tx::Tx;
use crate::{Result, StoreError};
use kith_core::PersonId;
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// The book every account has.
pub const DEFAULT_BOOK: &str = "contacts";

/// A card: whose, under which name, at which version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DavCard {
    pub person: PersonId,
    pub href: String,
    pub version: i64,
    /// False for a person deleted or merged away (a sync reports the href gone).
    pub alive: bool,
}

/// An address book and the labels a client gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DavBook {
    pub name: String,
    pub displayname: Option<String>,
    pub description: Option<String>,
}

/// What was kept of an uploaded card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DavUpload {
    pub uid: Option<String>,
    /// The body as uploaded, and the person's version it matches.
    pub raw: Option<(String, i64)>,
}

/// The href of a person without a client-given one.
pub fn default_href(person: PersonId) -> String {
    format!("{}.vcf", person.0)
}

/// The book a person is in: the row's, else the default.
const BOOK_OF: &str = "COALESCE(d.book, 'contacts')";

/// The living people of book `$2` of account `$1`, each with their
/// `dav_cards` row (`d`) if a client named or uploaded their card.
fn book_cards() -> String {
    format!(
        "FROM people p LEFT JOIN dav_cards d ON d.account_id = p.account_id AND d.person_id = p.id \
         WHERE p.account_id = $1 AND p.deleted_at IS NULL AND {BOOK_OF} = $2"
    )
}

/// A card from a row of `p.id, p.version, d.href` over [`book_cards`].
fn card_of_row<R>(r: &R) -> std::result::Result<DavCard, sqlx::Error>
where
    R: sqlx::Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    Uuid: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id = PersonId(r.try_get("id")?);
    let href: Option<String> = r.try_get("href")?;
    Ok(DavCard {
        person: id,
        href: href.unwrap_or_else(|| default_href(id)),
        version: r.try_get("version")?,
        alive: true,
    })
}

impl Tx {
    /// The account's books, `contacts` first, then by name.
    pub async fn dav_books(&mut self) -> Result<Vec<DavBook>> {
        let account = self.account.0;
        let rows: Vec<(String, Option<String>, Option<String>)> = on_db!(self, c => {
            sqlx::query_as("SELECT name, displayname, description FROM dav_books WHERE account_id = $1 ORDER BY name")
                .bind(account).fetch_all(&mut *c).await?
        });
        let mut books: Vec<DavBook> = rows
            .into_iter()
            .map(|(name, displayname, description)| DavBook {
                name,
                displayname,
                description,
            })
            .collect();
        if !books.iter().any(|b| b.name == DEFAULT_BOOK) {
            books.push(DavBook {
                name: DEFAULT_BOOK.into(),
                displayname: None,
                description: None,
            });
        }
        books.sort_by_key(|b| (b.name != DEFAULT_BOOK, b.name.clone()));
        Ok(books)
    }

    /// Makes a book; false when it exists.
    pub async fn dav_create_book(&mut self, book: &DavBook) -> Result<bool> {
        if book.name == DEFAULT_BOOK {
            return Ok(false);
        }
        let account = self.account.0;
        let done = on_db!(self, c => {
            sqlx::query("INSERT INTO dav_books (account_id, name, displayname, description) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(account).bind(&book.name).bind(&book.displayname).bind(&book.description)
                .execute(&mut *c).await?.rows_affected()
        });
        Ok(done == 1)
    }

    /// Sets a book's labels (the default book's too).
    pub async fn dav_set_book_labels(
        &mut self,
        name: &str,
        displayname: Option<&str>,
        description: Option<&str>,
    ) -> Result<()> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query(
                "INSERT INTO dav_books (account_id, name, displayname, description) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account_id, name) DO UPDATE SET displayname = excluded.displayname, description = excluded.description",
            )
            .bind(account).bind(name).bind(displayname).bind(description)
            .execute(&mut *c).await?;
            Ok(())
        })
    }

    /// Removes a book (not the default one): its living people, to be
    /// deleted by the caller, are returned.
    pub async fn dav_remove_book(&mut self, name: &str) -> Result<Vec<PersonId>> {
        if name == DEFAULT_BOOK {
            return Err(StoreError::Conflict(
                "the default address book stays".into(),
            ));
        }
        let people: Vec<PersonId> = self
            .dav_cards(name)
            .await?
            .into_iter()
            .map(|c| c.person)
            .collect();
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM dav_books WHERE account_id = $1 AND name = $2")
                .bind(account).bind(name).execute(&mut *c).await?;
        });
        Ok(people)
    }

    /// Every living person of a book as a card.
    pub async fn dav_cards(&mut self, book: &str) -> Result<Vec<DavCard>> {
        let account = self.account.0;
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT p.id, p.version, d.href {}", book_cards(),
            )))
            .bind(account).bind(book).fetch_all(&mut *c).await?;
            rows.iter().map(|r| Ok(card_of_row(r)?)).collect()
        })
    }

    /// The living card named `href` in `book`, if any.
    pub async fn dav_find(&mut self, book: &str, href: &str) -> Result<Option<DavCard>> {
        let account = self.account.0;
        let named: Option<(Uuid, i64)> = on_db!(self, c => {
            sqlx::query_as(
                "SELECT p.id, p.version FROM dav_cards d JOIN people p ON p.account_id = d.account_id \
                 AND p.id = d.person_id AND p.deleted_at IS NULL WHERE d.account_id = $1 AND d.book = $2 AND d.href = $3",
            )
            .bind(account).bind(book).bind(href).fetch_optional(&mut *c).await?
        });
        if let Some((id, version)) = named {
            return Ok(Some(DavCard {
                person: PersonId(id),
                href: href.to_string(),
                version,
                alive: true,
            }));
        }
        // `<id>.vcf` in the default book, unless the person goes by a name
        // a client gave.
        let Some(id) = href
            .strip_suffix(".vcf")
            .and_then(|s| s.parse::<Uuid>().ok())
            .filter(|_| book == DEFAULT_BOOK)
        else {
            return Ok(None);
        };
        let found: Option<(i64, Option<String>)> = on_db!(self, c => {
            sqlx::query_as(
                "SELECT p.version, d.href FROM people p LEFT JOIN dav_cards d ON d.account_id = p.account_id \
                 AND d.person_id = p.id WHERE p.account_id = $1 AND p.id = $2 AND p.deleted_at IS NULL",
            )
            .bind(account).bind(id).fetch_optional(&mut *c).await?
        });
        Ok(match found {
            Some((version, None)) => Some(DavCard {
                person: PersonId(id),
                href: href.to_string(),
                version,
                alive: true,
            }),
            _ => None,
        })
    }

    /// What was kept of these people's uploads.
    pub async fn dav_uploads(
        &mut self,
        people: &[PersonId],
    ) -> Result<HashMap<PersonId, DavUpload>> {
        let account = self.account.0;
        let mut out = HashMap::new();
        for part in people.chunks(500) {
            on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT person_id, uid, raw, raw_version FROM dav_cards WHERE account_id = ",
                );
                qb.push_bind(account);
                qb.push(" AND person_id IN (");
                let mut list = qb.separated(", ");
                for p in part {
                    list.push_bind(p.0);
                }
                qb.push(")");
                for r in qb.build().fetch_all(&mut *c).await? {
                    let raw: Option<String> = r.try_get("raw")?;
                    let version: Option<i64> = r.try_get("raw_version")?;
                    out.insert(PersonId(r.try_get("person_id")?), DavUpload {
                        uid: r.try_get("uid")?,
                        raw: raw.zip(version),
                    });
                }
            });
        }
        Ok(out)
    }

    /// How many living cards `book` holds.
    pub async fn dav_book_len(&mut self, book: &str) -> Result<usize> {
        let account = self.account.0;
        let n: i64 = on_db!(self, c => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {}", book_cards())))
            .bind(account).bind(book).fetch_one(&mut *c).await?
        });
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Every card of `book` with what a client uploaded for it, in one
    /// read: for a client that asks for most of the book (a fresh
    /// download), each row carrying its card's text.
    pub async fn dav_cards_with_uploads(
        &mut self,
        book: &str,
    ) -> Result<Vec<(DavCard, DavUpload)>> {
        let account = self.account.0;
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT p.id, p.version, d.href, d.uid, d.raw, d.raw_version {}", book_cards(),
            )))
            .bind(account).bind(book).fetch_all(&mut *c).await?;
            rows.iter().map(|r| {
                let raw: Option<String> = r.try_get("raw")?;
                let raw_version: Option<i64> = r.try_get("raw_version")?;
                let upload = DavUpload { uid: r.try_get("uid")?, raw: raw.zip(raw_version) };
                Ok((card_of_row(r)?, upload))
            }).collect()
        })
    }

    /// Records what a client uploaded for a person as `href` in `book`.
    /// `fresh`: the person was made by this upload, so holds no card yet.
    #[allow(clippy::too_many_arguments)]
    pub async fn dav_keep_upload(
        &mut self,
        person: PersonId,
        fresh: bool,
        book: &str,
        href: &str,
        uid: Option<&str>,
        raw: &str,
        version: i64,
    ) -> Result<()> {
        let account = self.account.0;
        on_db!(self, c => {
            if !fresh {
                sqlx::query("DELETE FROM dav_cards WHERE account_id = $1 AND person_id = $2")
                    .bind(account).bind(person.0).execute(&mut *c).await?;
            }
            sqlx::query("INSERT INTO dav_cards (account_id, book, href, person_id, uid, raw, raw_version) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (account_id, book, href) DO UPDATE SET person_id = excluded.person_id, uid = excluded.uid, \
                         raw = excluded.raw, raw_version = excluded.raw_version")
                .bind(account).bind(book).bind(href).bind(person.0).bind(uid).bind(raw).bind(version)
                .execute(&mut *c).await?;
            Ok(())
        })
    }

    /// The living card of `book` that carries `uid`, if a client uploaded one.
    pub async fn dav_uid_holder(&mut self, book: &str, uid: &str) -> Result<Option<DavCard>> {
        let account = self.account.0;
        // The UID index first, then each holder by id: a join lets the
        // planner start from all of the account's people.
        let holders: Vec<(Uuid, String)> = on_db!(self, c => {
            sqlx::query_as("SELECT person_id, href FROM dav_cards WHERE account_id = $1 AND book = $2 AND uid = $3")
                .bind(account).bind(book).bind(uid).fetch_all(&mut *c).await?
        });
        for (id, href) in holders {
            let version: Option<i64> = on_db!(self, c => {
                sqlx::query_scalar("SELECT version FROM people WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL")
                    .bind(account).bind(id).fetch_optional(&mut *c).await?
            });
            if let Some(version) = version {
                return Ok(Some(DavCard {
                    person: PersonId(id),
                    href,
                    version,
                    alive: true,
                }));
            }
        }
        Ok(None)
    }

    /// The cards of `book` changed after the change-log mark `after`,
    /// removed ones included (alive = false).
    pub async fn dav_changes(&mut self, book: &str, after: i64) -> Result<Vec<DavCard>> {
        let account = self.account.0;
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT p.id, p.version, p.deleted_at IS NULL AS alive, d.href FROM people p \
                 LEFT JOIN dav_cards d ON d.account_id = p.account_id AND d.person_id = p.id \
                 WHERE p.account_id = $1 AND {BOOK_OF} = $3 AND p.id IN \
                 (SELECT person_id FROM changes WHERE account_id = $1 AND seq > $2)",
            )))
            .bind(account).bind(after).bind(book).fetch_all(&mut *c).await?;
            let mut out: Vec<DavCard> = rows.iter().map(|r| {
                let id = PersonId(r.try_get("id")?);
                let href: Option<String> = r.try_get("href")?;
                Ok::<DavCard, StoreError>(DavCard {
                    person: id,
                    href: href.unwrap_or_else(|| default_href(id)),
                    version: r.try_get("version")?,
                    alive: r.try_get("alive")?,
                })
            }).collect::<Result<_>>()?;
            // People purged for good: their change rows remain, their hrefs too.
            let purged = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT DISTINCT ch.person_id, d.href FROM changes ch LEFT JOIN people p \
                 ON p.account_id = ch.account_id AND p.id = ch.person_id \
                 LEFT JOIN dav_cards d ON d.account_id = ch.account_id AND d.person_id = ch.person_id \
                 WHERE ch.account_id = $1 AND ch.seq > $2 AND p.id IS NULL AND {BOOK_OF} = $3",
            )))
            .bind(account).bind(after).bind(book).fetch_all(&mut *c).await?;
            for r in purged {
                let id = PersonId(r.try_get("person_id")?);
                let href: Option<String> = r.try_get("href")?;
                out.push(DavCard {
                    person: id,
                    href: href.unwrap_or_else(|| default_href(id)),
                    version: 0,
                    alive: false,
                });
            }
            Ok(out)
        })
    }
}
