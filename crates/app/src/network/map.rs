//! The data of the network map: the user's strongest ties grouped into
//! clusters by current organisation (else first tag), each person sized by
//! the strength of the user's tie, and the ties among them. The web front
//! door lays it out and draws it.

use crate::{App, Result};
use kith_core::PersonId;
use kith_core::ties::Evidence;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One person on the map.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapPerson {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: PersonId,
    pub name: String,
    /// The user's tie to them, 0 to 1.
    pub strength: f64,
}

/// People who belong together: an organisation, a tag, or the rest.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapCluster {
    pub label: String,
    /// `organization`, `tag` or `other`.
    pub kind: String,
    pub people: Vec<MapPerson>,
}

/// The map: clusters (largest first) and the ties between people on it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkMap {
    pub clusters: Vec<MapCluster>,
    /// The ties between people on the map.
    pub ties: Vec<MapTie>,
}

/// A tie between two people on the map.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapTie {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub a: PersonId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub b: PersonId,
    pub strength: f64,
}

impl App {
    /// The map of the user's `limit` strongest ties.
    pub async fn network_map(&self, limit: usize) -> Result<NetworkMap> {
        let tags: HashMap<PersonId, String> = {
            let mut tx = self.store.begin_read(self.account).await?;
            tx.people(&kith_store::PeopleFilter::default())
                .await?
                .into_iter()
                .filter_map(|sp| {
                    Some((
                        sp.person.id,
                        sp.person.card.tags.first()?.value.trim().to_string(),
                    ))
                })
                .collect()
        };
        let state = self.network().await?;
        let viewer = self.account;
        let Some(&me) = state.me.get(&viewer) else {
            return Ok(NetworkMap {
                clusters: Vec::new(),
                ties: Vec::new(),
            });
        };
        let mut mine: Vec<(kith_graph::Node, f64)> = state
            .graph
            .ties_of(me)
            .filter(|(n, _)| {
                let info = &state.nodes[*n as usize];
                info.account == viewer && info.alive && info.person.is_some()
            })
            .map(|(n, _)| {
                // The user's own tie, not what shared threads add to it.
                let own = state
                    .why
                    .get(&super::pair(me, n))
                    .and_then(|l| {
                        l.iter().find_map(|(_, e)| {
                            matches!(e, Evidence::Yours { .. }).then(|| e.strength())
                        })
                    })
                    .unwrap_or(0.0);
                (n, own)
            })
            .collect();
        mine.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        mine.truncate(limit);
        let on_map: HashMap<kith_graph::Node, PersonId> = mine
            .iter()
            .filter_map(|(n, _)| Some((*n, state.nodes[*n as usize].person?)))
            .collect();
        let mut clusters: BTreeMap<(String, String), Vec<MapPerson>> = BTreeMap::new();
        for (n, strength) in &mine {
            let info = &state.nodes[*n as usize];
            let Some(id) = info.person else { continue };
            let key = match (&info.role, tags.get(&id)) {
                (Some((org, _)), _) => ("organization".to_string(), org.clone()),
                (None, Some(tag)) => ("tag".to_string(), tag.clone()),
                (None, None) => ("other".to_string(), "Others".to_string()),
            };
            clusters.entry(key).or_default().push(MapPerson {
                id,
                name: info.name.clone(),
                strength: *strength,
            });
        }
        let mut clusters: Vec<MapCluster> = clusters
            .into_iter()
            .map(|((kind, label), people)| MapCluster {
                label,
                kind,
                people,
            })
            .collect();
        clusters.sort_by(|a, b| {
            b.people
                .len()
                .cmp(&a.people.len())
                .then(a.label.cmp(&b.label))
        });
        let mut ties = Vec::new();
        for (&n, &id) in &on_map {
            for (m, s) in state.graph.ties_of(n) {
                if n < m
                    && let Some(&other) = on_map.get(&m)
                {
                    ties.push(MapTie {
                        a: id,
                        b: other,
                        strength: s,
                    });
                }
            }
        }
        ties.sort_by(|x, y| x.a.cmp(&y.a).then(x.b.cmp(&y.b)));
        Ok(NetworkMap { clusters, ties })
    }
}
