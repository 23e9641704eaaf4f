//! The documents of federation: a member's actor (what their card shows
//! publicly, and their key), WebFinger's answer, and reading a remote
//! actor's document into a profile kith keeps (bounded, HTML stripped).

use kith_core::mycard::{Field, MyCard, Visibility};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

pub(crate) const AS: &str = "https://www.w3.org/ns/activitystreams";
/// The media type of ActivityPub documents.
pub(crate) const ACTIVITY_JSON: &str = "application/activity+json";

/// The `@context` of what kith writes: ActivityStreams, security (keys),
/// PropertyValue as Mastodon names profile fields, and kith's own terms
/// (a card sent to a connection, a connection's invitation).
pub(crate) fn context() -> Value {
    json!([
        AS,
        "https://w3id.org/security/v1",
        {
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "kith": "urn:kith#",
            "KithCard": "kith:Card",
            "fields": "kith:fields",
            "seq": "kith:seq",
            "connect": "kith:connect",
            "kithMember": "kith:member"
        }
    ])
}

/// How each card field is named among a profile's fields.
fn label(field: Field) -> &'static str {
    match field {
        Field::Name => "Name",
        Field::Headline => "Headline",
        Field::Organization => "Organization",
        Field::Title => "Title",
        Field::Email => "Email",
        Field::Phone => "Phone",
        Field::Address => "Address",
        Field::Website => "Website",
    }
}

/// The card field a profile field's name stands for (kith's own labels and
/// the names people give theirs on Mastodon).
fn field_of(label: &str) -> Option<Field> {
    let l = label.trim().to_lowercase();
    Some(match l.as_str() {
        "organization" | "organisation" | "company" | "employer" | "work" | "works at" => {
            Field::Organization
        }
        "title" | "role" | "position" | "job" | "job title" => Field::Title,
        "email" | "e-mail" | "mail" => Field::Email,
        "phone" | "telephone" | "tel" | "mobile" => Field::Phone,
        "address" | "location" | "city" | "based in" | "lives in" => Field::Address,
        "website" | "web" | "homepage" | "home page" | "site" | "blog" | "url" => Field::Website,
        "headline" => Field::Headline,
        _ => return None,
    })
}

/// A member's actor document: their public card and their current key.
pub(crate) fn actor_document(
    actor: &str,
    username: &str,
    card: &MyCard,
    key: (i64, &str),
) -> Value {
    let name = card
        .value(Field::Name, Visibility::Public)
        .unwrap_or(username);
    let mut attachment = Vec::new();
    for f in card.seen_by(Visibility::Public) {
        if matches!(f.field, Field::Name | Field::Headline) {
            continue;
        }
        attachment.push(json!({"type": "PropertyValue", "name": label(f.field), "value": f.value}));
    }
    let mut doc = json!({
        "@context": context(),
        "id": actor,
        "type": "Person",
        "preferredUsername": username,
        "name": name,
        "url": actor,
        "inbox": format!("{actor}/inbox"),
        "outbox": format!("{actor}/outbox"),
        "followers": format!("{actor}/followers"),
        "following": format!("{actor}/following"),
        "manuallyApprovesFollowers": false,
        "discoverable": false,
        "kithMember": true,
        "publicKey": {
            "id": format!("{actor}#key-{}", key.0),
            "owner": actor,
            "publicKeyPem": key.1,
        },
        "attachment": attachment,
    });
    if let Some(h) = card.value(Field::Headline, Visibility::Public) {
        doc["summary"] = Value::String(escape_html(h));
    }
    doc
}

/// WebFinger's answer for a member.
pub(crate) fn webfinger(subject: &str, actor: &str) -> Value {
    json!({
        "subject": subject,
        "aliases": [actor],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor}
        ]
    })
}

/// What kith keeps of a remote actor's document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Profile {
    pub(crate) username: String,
    pub(crate) name: String,
    pub(crate) summary: String,
    pub(crate) url: Option<String>,
    /// Profile fields (name, value), as text.
    pub(crate) fields: Vec<(String, String)>,
    /// A kith member (it can connect, not only be followed).
    pub(crate) kith: bool,
}

/// A remote actor document, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RemoteActor {
    pub(crate) id: String,
    pub(crate) inbox: String,
    pub(crate) key_id: String,
    pub(crate) public_pem: String,
    pub(crate) profile: Profile,
}

/// The most profile fields and the longest text kith keeps of one.
const MAX_FIELDS: usize = 32;
const MAX_TEXT: usize = 2_000;

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(|s| s.to_string())
}

/// Reads an actor document fetched from `fetched` (its id must be on the
/// same host as where it came from: a server speaks for its own actors).
pub(crate) fn read_actor(doc: &Value, fetched: &Url) -> Result<RemoteActor, String> {
    let id = text(doc, "id").ok_or("the actor document has no id")?;
    let id_url = Url::parse(&id).map_err(|_| format!("the actor id {id:?} is not a URL"))?;
    if id_url.host_str() != fetched.host_str()
        || id_url.port_or_known_default() != fetched.port_or_known_default()
    {
        return Err(format!(
            "the actor {id} was served by another server ({fetched})"
        ));
    }
    let inbox = text(doc, "inbox").ok_or("the actor document has no inbox")?;
    let inbox_url = Url::parse(&inbox).map_err(|_| format!("the inbox {inbox:?} is not a URL"))?;
    if !matches!(inbox_url.scheme(), "http" | "https") {
        return Err(format!("the inbox {inbox:?} is not an http(s) URL"));
    }
    let key = match doc.get("publicKey") {
        Some(Value::Array(list)) => list.first().cloned(),
        Some(k @ Value::Object(_)) => Some(k.clone()),
        _ => None,
    }
    .ok_or("the actor document has no publicKey")?;
    let key_id = text(&key, "id").ok_or("the actor's key has no id")?;
    let owner = text(&key, "owner").unwrap_or_else(|| id.clone());
    if owner != id || !key_id.starts_with(&id) {
        return Err(format!("the key {key_id} does not belong to {id}"));
    }
    let public_pem = text(&key, "publicKeyPem").ok_or("the actor's key has no publicKeyPem")?;
    Ok(RemoteActor {
        id,
        inbox,
        key_id,
        public_pem,
        profile: read_profile(doc),
    })
}

/// The profile an actor document shows (name, bio, fields), bounded.
pub(crate) fn read_profile(doc: &Value) -> Profile {
    let username = text(doc, "preferredUsername").unwrap_or_default();
    let mut fields = Vec::new();
    if let Some(Value::Array(list)) = doc.get("attachment") {
        for a in list.iter().take(MAX_FIELDS) {
            if let (Some(n), Some(v)) = (text(a, "name"), text(a, "value")) {
                fields.push((clip(&strip_html(&n)), clip(&strip_html(&v))));
            }
        }
    }
    Profile {
        name: clip(&strip_html(
            &text(doc, "name").unwrap_or_else(|| username.clone()),
        )),
        username: clip(&username),
        summary: clip(&strip_html(&text(doc, "summary").unwrap_or_default())),
        url: text(doc, "url")
            .filter(|u| u.starts_with("http"))
            .map(|u| clip(&u)),
        fields,
        kith: doc
            .get("kithMember")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

fn clip(s: &str) -> String {
    s.trim().chars().take(MAX_TEXT).collect()
}

/// A profile as a card (what a followed account's person shows): name,
/// bio as headline, the fields kith recognises by their names, and the
/// profile's page as a website. Every value is public.
pub(crate) fn profile_card(p: &Profile) -> MyCard {
    let mut card = MyCard::default();
    let mut put = |f: Field, v: &str| {
        if !v.trim().is_empty() {
            let _ = card.set(f, v, Some(Visibility::Public));
        }
    };
    put(
        Field::Name,
        if p.name.is_empty() {
            &p.username
        } else {
            &p.name
        },
    );
    if !p.summary.is_empty() {
        put(
            Field::Headline,
            &p.summary
                .chars()
                .take(kith_core::mycard::MAX_VALUE)
                .collect::<String>(),
        );
    }
    for (n, v) in &p.fields {
        match field_of(n) {
            Some(f) => put(f, v),
            None if v.starts_with("http://") || v.starts_with("https://") => put(Field::Website, v),
            None => {}
        }
    }
    if let Some(u) = &p.url {
        put(Field::Website, u);
    }
    card
}

/// Text from a bit of HTML (Mastodon's bios and field values): tags
/// dropped, line breaks kept as spaces, the common entities decoded.
pub(crate) fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape_html(s: &str) -> String {
    crate::notify::html_escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mastodon_profile_becomes_a_card() {
        let doc = json!({
            "id": "https://social.example/users/ada",
            "type": "Person",
            "preferredUsername": "ada",
            "name": "Ada <b>Lovelace</b>",
            "summary": "<p>Engines &amp; numbers</p>",
            "inbox": "https://social.example/users/ada/inbox",
            "url": "https://social.example/@ada",
            "publicKey": {"id": "https://social.example/users/ada#main-key", "owner": "https://social.example/users/ada", "publicKeyPem": "PEM"},
            "attachment": [
                {"type": "PropertyValue", "name": "Works at", "value": "Analytical Engines"},
                {"type": "PropertyValue", "name": "Blog", "value": "<a href=\"https://ada.example\">https://ada.example</a>"},
                {"type": "PropertyValue", "name": "Pronouns", "value": "she/her"}
            ]
        });
        let a = read_actor(
            &doc,
            &Url::parse("https://social.example/users/ada").unwrap(),
        )
        .unwrap();
        assert_eq!(a.profile.name, "Ada Lovelace");
        assert_eq!(a.profile.summary, "Engines & numbers");
        let card = profile_card(&a.profile);
        assert_eq!(
            card.value(Field::Organization, Visibility::Public),
            Some("Analytical Engines")
        );
        assert_eq!(
            card.value(Field::Headline, Visibility::Public),
            Some("Engines & numbers")
        );
        assert!(card.fields.iter().any(|f| f.value == "https://ada.example"));
        assert!(!card.fields.iter().any(|f| f.value == "she/her"));
        // Another server cannot speak for this actor.
        assert!(read_actor(&doc, &Url::parse("https://evil.example/users/ada").unwrap()).is_err());
    }
}
