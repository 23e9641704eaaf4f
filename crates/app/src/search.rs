//! An in-memory word index of each account's people, for searching as one
//! types: built from the store on an account's first search, then kept up
//! to date from the change log before every search (so writes made by
//! anyone, anywhere, are seen). The store's own full-text index answers
//! everything else (filters, other orders, the CLI).
//!
//! A query's words must each begin a word of the person (as in the store).
//! The longest word is looked up in a sorted map of words; the others are
//! checked on the few people it found; results come in name order.

use crate::{App, PersonView, Result};
use kith_core::{AccountId, PersonId};
use kith_store::catch_up::SearchRow;
use kith_store::tx::search_words;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tokio::sync::RwLock;

/// Beyond this many people changed since the last look, the index is built
/// again rather than patched.
const REBUILD_AFTER: i64 = 20_000;

/// One account's index, built on first use.
type Shared = Arc<RwLock<Option<AccountIndex>>>;

/// The indexes of the accounts searched so far, shared by a server's requests.
#[derive(Clone, Default)]
pub struct SearchIndexes(Arc<Mutex<HashMap<AccountId, Shared>>>);

impl SearchIndexes {
    fn of(&self, account: AccountId) -> Shared {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(account).or_default().clone()
    }
}

/// One version of one person.
struct Slot {
    id: PersonId,
    sort_key: Box<str>,
    /// The person's words, each preceded by a space (" ada lovelace ...").
    text: Box<str>,
    alive: bool,
}

/// One account's people by word.
struct AccountIndex {
    /// The change log entry this index reflects.
    mark: i64,
    /// A changed person gets a new slot; the old one is marked dead (the
    /// postings that point to it are skipped, and cleared on a rebuild).
    slots: Vec<Slot>,
    current: HashMap<PersonId, u32>,
    words: BTreeMap<Box<str>, Vec<u32>>,
    dead: usize,
}

/// The words of a search text: split at every ASCII character that is not
/// a letter or digit (as the store's full-text index does), lowercased.
fn words_of(search_text: &str) -> impl Iterator<Item = String> + '_ {
    search_text
        .split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
}

impl AccountIndex {
    fn new(mark: i64, rows: Vec<SearchRow>) -> AccountIndex {
        let mut index = AccountIndex {
            mark,
            slots: Vec::with_capacity(rows.len()),
            current: HashMap::with_capacity(rows.len()),
            words: BTreeMap::new(),
            dead: 0,
        };
        for row in rows {
            index.put(row);
        }
        index
    }

    /// Adds or replaces a person (a dead row removes them).
    fn put(&mut self, row: SearchRow) {
        if let Some(old) = self.current.remove(&row.id) {
            self.slots[old as usize].alive = false;
            self.dead += 1;
        }
        if !row.alive {
            return;
        }
        let slot = self.slots.len() as u32;
        let mut words: Vec<String> = words_of(&row.search_text).collect();
        words.sort_unstable();
        words.dedup();
        let mut text = String::with_capacity(row.search_text.len() + 1);
        for w in &words {
            text.push(' ');
            text.push_str(w);
            match self.words.get_mut(w.as_str()) {
                Some(list) => list.push(slot),
                None => {
                    self.words.insert(w.as_str().into(), vec![slot]);
                }
            }
        }
        self.slots.push(Slot {
            id: row.id,
            sort_key: row.sort_key.into(),
            text: text.into(),
            alive: true,
        });
        self.current.insert(row.id, slot);
    }

    /// Whether so much of the index is dead that a rebuild pays.
    fn worn(&self) -> bool {
        self.dead > 10_000 && self.dead > self.slots.len() / 2
    }

    /// The people whose words begin with every one of `query` (longest
    /// first), in name order, `offset` and `limit` applied.
    fn search(&self, query: &[String], offset: usize, limit: usize) -> Vec<PersonId> {
        let Some((first, rest)) = query.split_first() else {
            return Vec::new();
        };
        let mut found: Vec<u32> = Vec::new();
        for (_, slots) in self
            .words
            .range::<str, _>((
                std::ops::Bound::Included(first.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(w, _)| w.starts_with(first.as_str()))
        {
            found.extend(
                slots
                    .iter()
                    .copied()
                    .filter(|s| self.slots[*s as usize].alive),
            );
        }
        found.sort_unstable();
        found.dedup();
        let needles: Vec<String> = rest.iter().map(|w| format!(" {w}")).collect();
        found.retain(|s| {
            let text = &self.slots[*s as usize].text;
            needles.iter().all(|n| text.contains(n.as_str()))
        });
        let order = |a: &u32, b: &u32| {
            let (a, b) = (&self.slots[*a as usize], &self.slots[*b as usize]);
            a.sort_key.cmp(&b.sort_key).then(a.id.cmp(&b.id))
        };
        let wanted = offset.saturating_add(limit);
        if found.len() > wanted && wanted > 0 {
            found.select_nth_unstable_by(wanted - 1, order);
            found.truncate(wanted);
        }
        found.sort_unstable_by(order);
        found
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|s| self.slots[s as usize].id)
            .collect()
    }
}

impl App {
    /// Builds this account's in-memory index now (a server does this at
    /// start, so the first search is quick). Nothing without indexes.
    pub async fn warm_search_index(&self) -> Result<()> {
        if let Some(indexes) = &self.search_indexes {
            let index = indexes.of(self.account);
            let mut tx = self.store.begin_read(self.account).await?;
            catch_up(&index, &mut tx).await?;
        }
        Ok(())
    }

    /// People matching `query` in name order, from the account's in-memory
    /// index (None: this App keeps no index; ask the store).
    pub async fn search_people(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Option<Vec<PersonView>>> {
        let Some(indexes) = &self.search_indexes else {
            return Ok(None);
        };
        let words = search_words(query);
        if words.is_empty() {
            return Ok(None);
        }
        let index = indexes.of(self.account);
        let mut tx = self.store.begin_read(self.account).await?;
        catch_up(&index, &mut tx).await?;
        let ids = match index.read().await.as_ref() {
            Some(i) => i.search(&words, offset, limit),
            None => Vec::new(),
        };
        let mut people: HashMap<PersonId, _> = tx
            .people_by_ids(&ids)
            .await?
            .into_iter()
            .map(|sp| (sp.person.id, sp))
            .collect();
        Ok(Some(
            ids.iter()
                .filter_map(|id| people.remove(id))
                .map(|sp| PersonView::from(&sp))
                .collect(),
        ))
    }
}

impl App {
    /// How many living people the account's in-memory index holds, brought
    /// up to date first (None: this App keeps no index).
    pub(crate) async fn indexed_people(&self) -> Result<Option<usize>> {
        let Some(indexes) = &self.search_indexes else {
            return Ok(None);
        };
        let index = indexes.of(self.account);
        let mut tx = self.store.begin_read(self.account).await?;
        catch_up(&index, &mut tx).await?;
        Ok(index.read().await.as_ref().map(|i| i.current.len()))
    }
}

/// Brings an account's index up to the change log's latest entry: built on
/// first use, patched with the people changed since, rebuilt after many
/// changes or when much of it is dead.
async fn catch_up(index: &RwLock<Option<AccountIndex>>, tx: &mut kith_store::Tx) -> Result<()> {
    let mark = tx.change_mark().await?;
    if index.read().await.as_ref().is_some_and(|i| i.mark == mark) {
        return Ok(());
    }
    let mut slot = index.write().await;
    // Another request may have caught up meanwhile; a mark beyond the log's
    // (a restored database) means starting again.
    let behind = slot.as_ref().map(|i| i.mark).filter(|m| *m <= mark);
    match behind {
        Some(old) if old == mark => {}
        Some(old) => {
            let changed = tx.changed_since(old, REBUILD_AFTER + 1).await?;
            if changed.len() as i64 > REBUILD_AFTER {
                *slot = Some(AccountIndex::new(mark, tx.search_rows().await?));
            } else if let Some(i) = slot.as_mut() {
                let rows = tx.search_rows_of(&changed).await?;
                let mut gone: std::collections::HashSet<PersonId> = changed.into_iter().collect();
                for row in rows {
                    gone.remove(&row.id);
                    i.put(row);
                }
                // Someone removed for good has no row at all.
                for id in gone {
                    i.put(SearchRow {
                        id,
                        sort_key: String::new(),
                        search_text: String::new(),
                        alive: false,
                    });
                }
                i.mark = mark;
                if i.worn() {
                    *slot = Some(AccountIndex::new(mark, tx.search_rows().await?));
                }
            }
        }
        None => *slot = Some(AccountIndex::new(mark, tx.search_rows().await?)),
    }
    Ok(())
}
