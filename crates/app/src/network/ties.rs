//! Ties between two people of the user's address book, set by hand (with
//! a kind and optionally a strength) or inferred, each with its reasons;
//! and the sharing rules that say what connections may use for paths. A
//! person's rule follows them through merges: it is kept under the id it
//! was set on, and read as a part of whoever that id was merged into.

use crate::people::resolve_loose;
use crate::sharing::{merged_end, merged_parts, person_rules};
use crate::{App, AppError, Result};
use kith_core::PersonId;
use kith_core::ties::{Sharing, TieKind};
use serde::Serialize;

/// A tie of one person to another of the same address book.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TieView {
    /// The other person (the user's own card when it is the user).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: PersonId,
    pub name: String,
    pub strength: f64,
    /// The kind, when the tie was set by hand.
    pub kind: Option<String>,
    pub why: Vec<String>,
}

/// What connections may use, overall and by tag and person.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharingView {
    /// `nothing`, `role` (the default) or `name`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub default: Sharing,
    pub tags: Vec<TagSharing>,
    pub people: Vec<PersonSharing>,
}

/// The rule of everyone carrying a tag.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagSharing {
    pub tag: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub level: Sharing,
}

/// The rule of one person.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSharing {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: PersonId,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub level: Sharing,
}

/// What a sharing rule covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SharingScope {
    All,
    Tag(String),
    /// A person by id, email, profile URL or name.
    Person(String),
}

fn parse_kind(kind: &str) -> Result<TieKind> {
    TieKind::parse(kind).ok_or_else(|| {
        let kinds: Vec<&str> = TieKind::ALL.iter().map(|k| k.as_str()).collect();
        AppError::Invalid(format!(
            "unknown kind of tie {kind:?}: use one of {}",
            kinds.join(", ")
        ))
    })
}

impl App {
    /// Sets the tie between two people (replacing one set before); the
    /// strength defaults to the kind's.
    pub async fn set_tie(&self, a: &str, b: &str, kind: &str, strength: Option<f64>) -> Result<()> {
        let kind = parse_kind(kind)?;
        if let Some(s) = strength
            && !(s > 0.0 && s <= 1.0)
        {
            return Err(AppError::Invalid(format!(
                "a tie's strength is above 0 and at most 1 (0.7 for 70%), not {s}"
            )));
        }
        let mut tx = self.store.begin(self.account).await?;
        let a = resolve_loose(&mut tx, a).await?.person.id;
        let b = resolve_loose(&mut tx, b).await?.person.id;
        if a == b {
            return Err(AppError::Invalid("a tie joins two different people".into()));
        }
        tx.set_tie(a, b, kind, strength).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the tie set by hand between two people; false when none was.
    pub async fn remove_tie(&self, a: &str, b: &str) -> Result<bool> {
        let mut tx = self.store.begin(self.account).await?;
        let a = resolve_loose(&mut tx, a).await?.person.id;
        let b = resolve_loose(&mut tx, b).await?.person.id;
        let removed = tx.remove_tie(a, b).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// A person's ties to others of the address book, strongest first,
    /// each with its reasons (the user's own tie to them included).
    pub async fn ties_of(&self, person: &str) -> Result<Vec<TieView>> {
        let (id, set_by_hand) = {
            let mut tx = self.store.begin_read(self.account).await?;
            let id = resolve_loose(&mut tx, person).await?.person.id;
            (id, tx.ties(Some(id)).await?)
        };
        let state = self.network().await?;
        let viewer = self.account;
        let me = state.me.get(&viewer).copied();
        let node = match me {
            Some(m) if state.nodes[m as usize].person == Some(id) => Some(m),
            _ => state.by_person.get(&id).copied(),
        };
        let Some(node) = node else {
            return Ok(Vec::new());
        };
        let mut out: Vec<TieView> = Vec::new();
        for (other, strength) in state.graph.ties_of(node) {
            let info = &state.nodes[other as usize];
            if info.account != viewer || !info.alive {
                continue;
            }
            let why = state.reasons_for(viewer, node, other);
            if why.is_empty() {
                continue;
            }
            let other_id = info.person.unwrap_or(id);
            let kind = set_by_hand
                .iter()
                .find(|t| (t.a == id && t.b == other_id) || (t.b == id && t.a == other_id))
                .map(|t| t.kind.as_str().to_string());
            let name = if Some(other) == me {
                format!("{} (you)", info.name)
            } else {
                info.name.clone()
            };
            out.push(TieView {
                id: other_id,
                name,
                strength,
                kind,
                why,
            });
        }
        out.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(a.name.cmp(&b.name)));
        Ok(out)
    }

    /// The account's sharing rules. A person's rule is listed under the
    /// person they are now (merged into someone, under that someone), the
    /// most private of their parts' rules when several had one.
    pub async fn sharing(&self) -> Result<SharingView> {
        let mut tx = self.store.begin_read(self.account).await?;
        let rules = tx.sharing_rules().await?;
        let merged = tx.merged_people().await?;
        let mut view = SharingView {
            default: Sharing::Role,
            tags: Vec::new(),
            people: Vec::new(),
        };
        for &(ref scope, level) in &rules {
            if scope == "*" {
                view.default = level;
            } else if let Some(tag) = scope.strip_prefix("tag:") {
                view.tags.push(TagSharing {
                    tag: tag.to_string(),
                    level,
                });
            }
        }
        let mut people: Vec<(PersonId, Sharing)> = Vec::new();
        for (id, level) in person_rules(&rules) {
            let id = merged_end(&merged, id);
            match people.iter_mut().find(|(p, _)| *p == id) {
                Some(entry) => entry.1 = entry.1.min(level),
                None => people.push((id, level)),
            }
        }
        for (id, level) in people {
            if let Some(sp) = tx.person(id).await? {
                view.people.push(PersonSharing {
                    id,
                    name: sp.person.card.display_name(),
                    level,
                });
            }
        }
        view.people
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(view)
    }

    /// Sets what connections may use for paths, overall, for a tag or for
    /// a person; None removes a tag's or person's rule (the overall one
    /// goes back to `role`).
    pub async fn set_sharing(&self, scope: &SharingScope, level: Option<Sharing>) -> Result<()> {
        let mut tx = self.store.begin(self.account).await?;
        let scopes = match scope {
            SharingScope::All => vec!["*".to_string()],
            SharingScope::Tag(t) if t.trim().is_empty() => {
                return Err(AppError::Invalid("name the tag".into()));
            }
            SharingScope::Tag(t) => vec![format!("tag:{}", t.trim())],
            SharingScope::Person(p) => {
                // The rule is the whole person's: it goes on every part
                // merged into them too (else a stricter part would
                // outweigh it), and each part keeps it after an unmerge.
                let id = resolve_loose(&mut tx, p).await?.person.id;
                let parts = merged_parts(&tx.merged_people().await?);
                std::iter::once(id)
                    .chain(parts.get(&id).into_iter().flatten().copied())
                    .map(|p| format!("person:{p}"))
                    .collect()
            }
        };
        for scope in &scopes {
            tx.set_sharing_rule(scope, level).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
