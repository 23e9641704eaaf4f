//! A member's own card: reading and changing it, and carrying each change
//! to the card every connection holds of them (only what the member shares
//! with connections; the holder's own values, notes and edits stay). Each
//! change is also written to the holder's "what changed" feed, and the
//! holder's phones get it on their next CardDAV sync (the card changed).

use super::member_source;
use crate::{App, AppError, Result};
use kith_core::changes::{self, Change};
use kith_core::follow::follow;
use kith_core::mycard::{Field, MyCard, Visibility};
use kith_core::{AccountId, Card, Person, Source};
use kith_store::Store;
use kith_store::cards::ChangeRow;
use kith_store::tx::PersonWrite;
use serde::Serialize;

/// One value of the user's card.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardFieldView {
    /// `name`, `headline`, `organization`, `title`, `email`, `phone`,
    /// `address` or `website`.
    pub field: String,
    pub value: String,
    /// `private`, `connections` or `public`.
    pub visibility: String,
}

/// The user's card, and how many connections' cards a change reached.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardUpdate {
    pub fields: Vec<CardFieldView>,
    /// Connections whose card of the user changed (0 when reading).
    pub connections_updated: usize,
}

fn view(card: &MyCard, connections_updated: usize) -> CardUpdate {
    CardUpdate {
        fields: card
            .fields
            .iter()
            .map(|f| CardFieldView {
                field: f.field.as_str().into(),
                value: f.value.clone(),
                visibility: f.visibility.as_str().into(),
            })
            .collect(),
        connections_updated,
    }
}

pub(crate) fn parse_field(s: &str) -> Result<Field> {
    Field::parse(s).ok_or_else(|| {
        AppError::Invalid(format!(
            "no card field is called {:?}: use name, headline, organization, title, email, phone, address or website",
            s.trim()
        ))
    })
}

fn parse_visibility(s: Option<&str>) -> Result<Option<Visibility>> {
    s.filter(|s| !s.trim().is_empty())
        .map(|s| {
            Visibility::parse(s).ok_or_else(|| {
                AppError::Invalid(format!(
                    "visibility {:?}: use private, connections or public",
                    s.trim()
                ))
            })
        })
        .transpose()
}

/// A member's card as stored (empty before they set anything).
pub(crate) async fn load_card(store: &Store, member: AccountId) -> Result<MyCard> {
    match store.my_card(member).await? {
        None => Ok(MyCard::default()),
        Some((json, _)) => serde_json::from_str(&json).map_err(|e| {
            AppError::Store(kith_store::StoreError::Corrupt(format!(
                "the card of account {member}: {e}"
            )))
        }),
    }
}

/// "YYYY-MM" of today (UTC): when a held position ends or starts.
fn this_month() -> String {
    jiff::Timestamp::now().strftime("%Y-%m").to_string()
}

impl App {
    /// The user's own card.
    pub async fn my_card(&self) -> Result<CardUpdate> {
        Ok(view(&load_card(&self.store, self.account).await?, 0))
    }

    /// Sets a field of the user's card (an email, phone or website is
    /// added; the other fields are replaced), with its visibility (None:
    /// as it was, else the field's default).
    pub async fn set_card_field(
        &self,
        field: &str,
        value: &str,
        visibility: Option<&str>,
    ) -> Result<CardUpdate> {
        let field = parse_field(field)?;
        let visibility = parse_visibility(visibility)?;
        let before = load_card(&self.store, self.account).await?;
        let mut after = before.clone();
        after
            .set(field, value, visibility)
            .map_err(AppError::Invalid)?;
        self.save_card(&before, &after).await
    }

    /// Removes a field of the user's card (one value of a list field when
    /// given).
    pub async fn unset_card_field(&self, field: &str, value: Option<&str>) -> Result<CardUpdate> {
        let field = parse_field(field)?;
        let before = load_card(&self.store, self.account).await?;
        let mut after = before.clone();
        if after.unset(field, value.filter(|v| !v.trim().is_empty())) == 0 {
            return Err(AppError::NotFound(format!(
                "your card has no {}{}",
                field.as_str(),
                value
                    .map(|v| format!(" {:?}", v.trim()))
                    .unwrap_or_default()
            )));
        }
        self.save_card(&before, &after).await
    }

    /// Replaces the whole card: every field is checked first, and nothing
    /// changes unless all are right.
    pub async fn replace_card(
        &self,
        fields: &[(String, String, Option<String>)],
    ) -> Result<CardUpdate> {
        let before = load_card(&self.store, self.account).await?;
        let mut after = MyCard::default();
        for (i, (field, value, visibility)) in fields.iter().enumerate() {
            let f = parse_field(field)
                .map_err(|e| AppError::Invalid(format!("field {}: {e}", i + 1)))?;
            let v = parse_visibility(visibility.as_deref())
                .map_err(|e| AppError::Invalid(format!("field {}: {e}", i + 1)))?;
            if !f.is_list() && after.fields.iter().any(|x| x.field == f) {
                return Err(AppError::Invalid(format!(
                    "field {}: the card has one {} only",
                    i + 1,
                    f.as_str()
                )));
            }
            after
                .set(f, value, v)
                .map_err(|e| AppError::Invalid(format!("field {}: {e}", i + 1)))?;
        }
        self.save_card(&before, &after).await
    }

    async fn save_card(&self, before: &MyCard, after: &MyCard) -> Result<CardUpdate> {
        let json = serde_json::to_string(after)
            .map_err(|e| AppError::Invalid(format!("the card cannot be stored: {e}")))?;
        self.store.set_my_card(self.account, &json).await?;
        let mut reached = push_card(&self.store, self.account, before, after).await?;
        // Connections on other servers (federation; none when it is off).
        reached += self.card_changed_remote(before, after).await?;
        Ok(view(after, reached))
    }
}

/// What `audience` learns of `member`: the fields of their card that
/// audience may see ([`MyCard::to_card`]), named as their card shows them
/// to it, else by their account name. The one place that decides what a
/// member shows others: the card connections hold of them, the member in
/// the network (paths, who-at, their hops' reasons, the organisation
/// index) and in introductions all come from it, never from the member's
/// own address book (an imported profile stays theirs).
pub(crate) async fn member_as_seen(
    store: &Store,
    member: AccountId,
    audience: Visibility,
) -> Result<Card> {
    let name = member_name(store, member).await?;
    let src = member_source(&name);
    let mut card = load_card(store, member).await?.to_card(audience, &src);
    if card.name.is_empty() {
        card.name = kith_core::PersonName {
            full: name.clone(),
            given: name,
            sources: vec![src],
            ..Default::default()
        };
    }
    Ok(card)
}

/// The member's account name (their cards' source names it).
async fn member_name(store: &Store, member: AccountId) -> Result<String> {
    Ok(store
        .account_by_id(member)
        .await?
        .ok_or_else(|| AppError::NotFound("that member no longer exists".into()))?
        .name)
}

/// Carries a change of `member`'s card to every connection's card of them;
/// how many changed.
async fn push_card(
    store: &Store,
    member: AccountId,
    before: &MyCard,
    after: &MyCard,
) -> Result<usize> {
    let src = member_source(&member_name(store, member).await?);
    let b = before.to_card(Visibility::Connections, &src);
    let a = after.to_card(Visibility::Connections, &src);
    if a == b {
        return Ok(0);
    }
    let news = changes::changes(&b, &a);
    let mut reached = 0;
    for holder in store.connections(member).await? {
        if apply(store, holder, member, &b, &a, &src, &news).await? {
            reached += 1;
        }
    }
    Ok(reached)
}

/// Makes `holder`'s card of `member` follow the member's shared card from
/// `before` to `after`, and records `news` in the holder's feed.
async fn apply(
    store: &Store,
    holder: AccountId,
    member: AccountId,
    before: &Card,
    after: &Card,
    src: &Source,
    news: &[Change],
) -> Result<bool> {
    let mut tx = store.begin(holder).await?;
    let Some(id) = tx.member_cards().await?.get(&member).copied() else {
        return Ok(false);
    };
    drop(tx);
    apply_to(store, holder, id, before, after, src, news).await
}

/// Makes `holder`'s person `id` follow a card from `before` to `after`
/// (the holder's own values untouched) and records `news` in the holder's
/// feed. False when nothing changed (or the person is gone).
pub(crate) async fn apply_to(
    store: &Store,
    holder: AccountId,
    id: kith_core::PersonId,
    before: &Card,
    after: &Card,
    src: &Source,
    news: &[Change],
) -> Result<bool> {
    let mut tx = store.begin(holder).await?;
    let Some(held) = tx.person(id).await? else {
        return Ok(false);
    };
    let mut card = held.person.card.clone();
    follow(&mut card, before, after, src, &this_month());
    let changed = card != held.person.card;
    if changed {
        let person = Person { id, card };
        tx.put_people(&[PersonWrite {
            person: &person,
            is_me: held.is_me,
            fresh: false,
        }])
        .await?;
    }
    let at = kith_store::now_micros();
    let rows: Vec<ChangeRow> = news
        .iter()
        .map(|c| ChangeRow {
            id: uuid::Uuid::now_v7(),
            person: id,
            kind: c.kind,
            old: c.old.clone(),
            new: c.new.clone(),
            origin: kith_core::changes::ChangeOrigin::Member,
            at,
        })
        .collect();
    tx.add_person_changes(&rows).await?;
    tx.commit().await?;
    Ok(changed || !rows.is_empty())
}

/// On connecting: the card `holder` keeps of `member` takes what the
/// member shares with connections (not news: nothing changed).
pub(crate) async fn follow_member(
    store: &Store,
    holder: AccountId,
    member: AccountId,
) -> Result<()> {
    let card = load_card(store, member).await?;
    if card.fields.is_empty() {
        return Ok(());
    }
    let src = member_source(&member_name(store, member).await?);
    let shared = card.to_card(Visibility::Connections, &src);
    apply(store, holder, member, &Card::default(), &shared, &src, &[]).await?;
    Ok(())
}
