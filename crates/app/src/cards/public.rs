//! Sharing one's card outside kith, without spam: public links (only the
//! public fields; unguessable, revocable) with a `.vcf`, and "send my new
//! details" by email to contacts the member picks, each message naming the
//! member and carrying an unsubscribe link that kith honours, under a
//! daily cap.

use super::mine::{load_card, member_as_seen};
use crate::auth::{new_secret, secret_hash};
use crate::clock::{DAY, rfc3339};
use crate::mailer::{Extras, Mailer};
use crate::notify;
use crate::{App, AppError, Result};
use kith_core::AccountId;
use kith_core::mycard::{FIELDS, Field, Visibility};
use kith_formats::vcard::{Version, write_card};
use kith_store::Store;
use serde::Serialize;

/// A public link to the user's card. kith keeps only a hash of its secret
/// (like every other secret), so the secret and path are shown once, when
/// the link is made; afterwards the link is named by its id.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardLinkView {
    /// Names the link for revoking; not a secret.
    pub id: String,
    /// The secret part of the link (only when it is made): the card is at
    /// `/card/TOKEN`, its vCard at `/card/TOKEN.vcf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// `/card/TOKEN` (only when the link is made).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub created_at: String,
    pub revoked: bool,
}

/// A member's card as anyone with the link sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublicCard {
    pub name: String,
    /// (label, value) of each public field, in the card's order.
    pub fields: Vec<(String, String)>,
    /// The public fields as a vCard 3.0 (what phones import best).
    pub vcard: String,
}

/// What happened to each person a "send my new details" was for.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendReport {
    /// The addresses mailed.
    pub sent: Vec<String>,
    /// Who was not mailed, and why ("unsubscribed", "the daily limit…").
    pub skipped: Vec<String>,
}

/// An unsubscribe link: whose emails, to which address.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unsubscribe {
    pub member: String,
    pub email: String,
}

fn label(f: Field) -> &'static str {
    match f {
        Field::Name => "Name",
        Field::Headline => "Headline",
        Field::Organization => "Organisation",
        Field::Title => "Title",
        Field::Email => "Email",
        Field::Phone => "Phone",
        Field::Address => "Address",
        Field::Website => "Website",
    }
}

/// The card `audience` sees, as labelled lines and a vCard (what it shows
/// is [`member_as_seen`]'s decision).
async fn render(store: &Store, member: AccountId, audience: Visibility) -> Result<PublicCard> {
    let card = load_card(store, member).await?;
    let mut fields = Vec::new();
    for f in FIELDS {
        for v in card.seen_by(audience).filter(|x| x.field == f) {
            fields.push((label(f).to_string(), v.value.clone()));
        }
    }
    let shown = member_as_seen(store, member, audience).await?;
    let name = shown.display_name();
    let mut vcard = String::new();
    write_card(
        &mut vcard,
        &shown,
        &format!("kith-member-{member}"),
        Version::V3,
    );
    Ok(PublicCard {
        name,
        fields,
        vcard,
    })
}

/// The card behind a public link (404 when unknown or revoked).
pub async fn public_card(store: &Store, token: &str) -> Result<PublicCard> {
    let member = store
        .card_link_owner(&secret_hash(token.trim()))
        .await?
        .ok_or_else(|| {
            AppError::NotFound("there is no card at this link (it may have been revoked)".into())
        })?;
    render(store, member, Visibility::Public).await
}

async fn mailing(store: &Store, secret: &str) -> Result<(AccountId, Unsubscribe)> {
    let (member, email) = store
        .card_mailing_by_token(&secret_hash(secret.trim()))
        .await?
        .ok_or_else(|| AppError::NotFound("this unsubscribe link is unknown".into()))?;
    let name = member_as_seen(store, member, Visibility::Connections)
        .await?
        .display_name();
    Ok((
        member,
        Unsubscribe {
            member: name,
            email,
        },
    ))
}

/// Whose emails an unsubscribe link stops, to which address.
pub async fn unsubscribe_info(store: &Store, secret: &str) -> Result<Unsubscribe> {
    Ok(mailing(store, secret).await?.1)
}

/// Stops the member's emails to the address the link was sent to.
pub async fn unsubscribe(store: &Store, secret: &str) -> Result<Unsubscribe> {
    let (member, u) = mailing(store, secret).await?;
    store.add_card_optout(member, &u.email).await?;
    Ok(u)
}

fn link_view(l: kith_store::cards::CardLink) -> CardLinkView {
    CardLinkView {
        id: l.id.to_string(),
        token: None,
        path: None,
        created_at: rfc3339(l.created_at),
        revoked: l.revoked_at.is_some(),
    }
}

impl App {
    /// The user's public links, newest first.
    pub async fn card_links(&self) -> Result<Vec<CardLinkView>> {
        Ok(self
            .store
            .card_links(self.account)
            .await?
            .into_iter()
            .map(link_view)
            .collect())
    }

    /// A new public link to the user's card, with its secret (shown once).
    pub async fn create_card_link(&self) -> Result<CardLinkView> {
        let token = new_secret()?;
        let id = uuid::Uuid::now_v7();
        self.store
            .add_card_link(self.account, id, &secret_hash(&token))
            .await?;
        let mut view = self
            .card_links()
            .await?
            .into_iter()
            .find(|l| l.id == id.to_string())
            .ok_or_else(|| AppError::NotFound("the new link was not stored".into()))?;
        view.path = Some(format!("/card/{token}"));
        view.token = Some(token);
        Ok(view)
    }

    /// Revokes one public link, named by its id or by its secret (or its
    /// URL), or all (None); its page answers 404 after.
    pub async fn revoke_card_link(&self, which: Option<&str>) -> Result<u64> {
        let which = which.map(|w| {
            let w = w.trim();
            w.trim_end_matches(".vcf").rsplit('/').next().unwrap_or(w)
        });
        let id = which.and_then(|w| uuid::Uuid::parse_str(w).ok());
        let hash = match (which, id) {
            (Some(token), None) => Some(secret_hash(token)),
            _ => None,
        };
        let n = self
            .store
            .revoke_card_links(self.account, id, hash.as_deref())
            .await?;
        if n == 0 {
            return Err(AppError::NotFound(match which {
                Some(_) => "you have no live link with this id or token".into(),
                None => "you have no live link".into(),
            }));
        }
        Ok(n)
    }

    /// The user's card as `audience` sees it, as (label, value) lines.
    pub async fn my_card_as(&self, audience: Visibility) -> Result<Vec<(String, String)>> {
        Ok(render(&self.store, self.account, audience).await?.fields)
    }

    /// The user's card as their connections see it, as a vCard.
    pub async fn my_vcard(&self) -> Result<String> {
        Ok(render(&self.store, self.account, Visibility::Connections)
            .await?
            .vcard)
    }

    /// Emails the user's details (what their connections see, with the
    /// vCard attached) to the people picked, by id or email. Nobody who
    /// unsubscribed is mailed, nor more people a day than `[cards]
    /// emails_per_day`; each message has its own unsubscribe link.
    pub async fn send_card(
        &self,
        people: &[String],
        mailer: Option<&Mailer>,
        public_url: &str,
    ) -> Result<SendReport> {
        if people.is_empty() {
            return Err(AppError::Invalid(
                "pick at least one person to send your details to".into(),
            ));
        }
        let card = load_card(&self.store, self.account).await?;
        if card.seen_by(Visibility::Connections).next().is_none() {
            return Err(AppError::Invalid(
                "your card shares nothing yet: set fields with connections or public visibility first".into(),
            ));
        }
        let shown = render(&self.store, self.account, Visibility::Connections).await?;
        let mut recipients: Vec<(String, String)> = Vec::new();
        let mut report = SendReport::default();
        {
            let mut tx = self.store.begin_read(self.account).await?;
            for p in people {
                let sp = crate::people::resolve(&mut tx, p).await?;
                let name = sp.person.card.display_name();
                match sp.person.card.emails.first() {
                    Some(e) => {
                        let email = e.value.trim().to_ascii_lowercase();
                        if !recipients.iter().any(|r| r.1 == email) {
                            recipients.push((name, email));
                        }
                    }
                    None => report.skipped.push(format!("{name}: no email address")),
                }
            }
        }
        // Who the people are is checked first: an unknown id is a 404
        // whether or not this server can send mail.
        let mailer = mailer.ok_or_else(|| {
            AppError::Mail("this server has no [smtp] in kith.toml, so it cannot send email".into())
        })?;
        let optouts = self.store.card_optouts(self.account).await?;
        let cap = i64::from(self.settings.card_emails_per_day);
        let mut sent_today = self
            .store
            .card_mailings_since(self.account, kith_store::now_micros() - DAY)
            .await?;
        let reply_to = self
            .store
            .member_emails(self.account)
            .await?
            .into_iter()
            .find(|e| e.1)
            .map(|e| e.0)
            .or_else(|| {
                card.value(Field::Email, Visibility::Connections)
                    .map(str::to_string)
            });
        let file = format!(
            "{}.vcf",
            shown
                .name
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ')
                .collect::<String>()
                .trim()
        );
        for (name, email) in recipients {
            if optouts.contains(&email) {
                report
                    .skipped
                    .push(format!("{name} <{email}>: unsubscribed from your emails"));
                continue;
            }
            if sent_today >= cap {
                report.skipped.push(format!(
                    "{name} <{email}>: the limit of {cap} emails a day is reached"
                ));
                continue;
            }
            let secret = new_secret()?;
            self.store
                .add_card_mailing(self.account, &email, &secret_hash(&secret))
                .await?;
            sent_today += 1;
            let link = format!("{}/unsubscribe/{secret}", public_url.trim_end_matches('/'));
            let member = &shown.name;
            let mail = notify::new_details(&name, member, &shown.fields, &file, &link);
            let extras = Extras {
                reply_to: reply_to.clone(),
                unsubscribe: Some(link.clone()),
                vcard: Some((file.clone(), shown.vcard.clone())),
            };
            match mailer
                .send_with(&email, &mail.subject, mail.text, mail.html, &extras)
                .await
            {
                Ok(()) => report.sent.push(email),
                Err(e) => report.skipped.push(format!("{name} <{email}>: {e}")),
            }
        }
        Ok(report)
    }
}
