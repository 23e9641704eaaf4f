//! Warm paths across servers: the user's paths and who-at joined with
//! what each connection on another server can reach, asked of each server
//! once by a signed query naming the user's connections there, and
//! answered there for each under their sharing rules (as a connection of
//! theirs on that server would see it). A slow or silent server costs at most [`QUERY_WAIT`] and
//! is counted, never an error. What a server learns from a query is
//! written in docs/federation.md.

use super::client::Client;
use super::inbox::{Federation, Inbound, Refused, Verified};
use super::links::{ACCEPTED, CONNECTION};
use super::member_key;
use crate::network::paths::{PathPerson, PathTarget, PathView, ReachView};
use crate::{App, AppError, Result};
use futures_util::StreamExt;
use kith_core::PersonId;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

/// How long the user waits for other servers, all of them together.
pub const QUERY_WAIT: Duration = Duration::from_secs(2);
/// The largest query a server reads, and the largest answer kith reads
/// (a thousand members' paths).
pub(crate) const MAX_QUERY: usize = 128 * 1024;
const MAX_ANSWER: usize = 16 * 1024 * 1024;
/// Servers asked at once; members one query may name; people on one
/// remote path kept; text kept.
const AT_ONCE: usize = 32;
pub(crate) const MAX_MEMBERS: usize = 1_000;
const MAX_PEOPLE: usize = 12;
const MAX_TEXT: usize = 300;

/// What one server is asked about its members (`members`: their actor
/// ids, all on that server and all the asker's connections).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Asked {
    members: Vec<String>,
    query: Query,
}

/// The question itself.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum Query {
    Paths {
        person: Option<String>,
        org: Option<String>,
        k: usize,
    },
    WhoAt {
        org: String,
        limit: usize,
    },
}

/// What a server answers for one member.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Answer {
    /// The member's actor id.
    member: String,
    #[serde(default)]
    paths: Vec<PathView>,
    #[serde(default)]
    reach: Vec<ReachView>,
}

/// A server's answers, one per member asked about.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Answers {
    answers: Vec<Answer>,
}

/// Paths to a target, across servers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PathsReport {
    /// Who or what the paths lead to.
    pub label: String,
    pub paths: Vec<PathView>,
    /// Connections' servers that did not answer in time.
    pub unanswered: usize,
}

/// Who the user can reach at an organisation, across servers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReachReport {
    pub people: Vec<ReachView>,
    pub unanswered: usize,
}

/// A connection on another server whose card the user holds.
struct RemoteConnection {
    handle: String,
    actor: String,
    person: PersonId,
}

/// `scheme://host:port` of an actor id: connections are asked server by
/// server.
fn server_of(actor: &str) -> String {
    Url::parse(actor)
        .map(|u| {
            format!(
                "{}://{}:{}",
                u.scheme(),
                u.host_str().unwrap_or_default(),
                u.port_or_known_default().unwrap_or(0)
            )
        })
        .unwrap_or_default()
}

impl App {
    async fn remote_connections_held(&self) -> Result<Vec<RemoteConnection>> {
        if !self.settings.federation.enabled() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for l in self.store.fed_links(self.account, Some(CONNECTION)).await? {
            let (true, Some(person)) = (l.status == ACCEPTED, l.person) else {
                continue;
            };
            let Some(a) = self.store.fed_actor(&l.actor).await? else {
                continue;
            };
            out.push(RemoteConnection {
                handle: a.handle,
                actor: a.id,
                person,
            });
        }
        Ok(out)
    }

    /// Asks every connection's server once (naming all the user's
    /// connections there), all within [`QUERY_WAIT`]: the answers, and how
    /// many connections' servers did not answer.
    async fn ask(&self, query: &Query) -> Result<(Vec<(RemoteConnection, Answer)>, usize)> {
        let connections = self.remote_connections_held().await?;
        if connections.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let (key, _) = member_key(&self.store, &self.settings.federation, self.account).await?;
        let asked = connections.len();
        let mut servers: std::collections::BTreeMap<String, Vec<RemoteConnection>> =
            Default::default();
        for c in connections {
            servers.entry(server_of(&c.actor)).or_default().push(c);
        }
        let mut groups = Vec::new();
        for (_, mut list) in servers {
            while !list.is_empty() {
                let rest = list.split_off(list.len().min(MAX_MEMBERS));
                groups.push(std::mem::replace(&mut list, rest));
            }
        }
        let policy = self.settings.federation.policy;
        let run = futures_util::stream::iter(groups)
            .map(|group| {
                let key = key.clone();
                async move {
                    let body = serde_json::to_string(&Asked {
                        members: group.iter().map(|c| c.actor.clone()).collect(),
                        query: query.clone(),
                    })
                    .unwrap_or_default();
                    let url = Url::parse(&format!("{}/query", group[0].actor)).ok()?;
                    let mut client = Client::new(policy, key);
                    let text = match client.query(&url, &body, MAX_ANSWER).await {
                        Ok(t) => t,
                        Err(e) => {
                            tracing::info!(server = %url, error = %e, "a path query failed");
                            return None;
                        }
                    };
                    match serde_json::from_slice::<Answers>(&text) {
                        Ok(a) => Some((group, a.answers)),
                        Err(e) => {
                            tracing::info!(server = %url, error = %e, "an unreadable answer to a path query");
                            None
                        }
                    }
                }
            })
            .buffer_unordered(AT_ONCE);
        let mut answers = Vec::new();
        let collect = async {
            let mut run = std::pin::pin!(run);
            while let Some(found) = run.next().await {
                let Some((group, mut given)) = found else {
                    continue;
                };
                for c in group {
                    if let Some(at) = given.iter().position(|a| a.member == c.actor) {
                        answers.push((c, given.swap_remove(at)));
                    }
                }
            }
        };
        let _ = tokio::time::timeout(QUERY_WAIT, collect).await;
        // Counted by connection: those whose server did not answer for them.
        let unanswered = asked - answers.len();
        Ok((answers, unanswered))
    }

    /// The `k` strongest paths to a target, through the user's own network
    /// and through connections on other servers.
    pub async fn paths_everywhere(&self, target: &PathTarget, k: usize) -> Result<PathsReport> {
        let (label, mut paths, not_found) = match self.paths(target, k).await {
            Ok((label, paths)) => (label, paths, None),
            Err(AppError::NotFound(m)) => (label_of(target), Vec::new(), Some(m)),
            Err(e) => return Err(e),
        };
        let query = match target {
            PathTarget::Person(q) => Query::Paths {
                person: Some(q.clone()),
                org: None,
                k,
            },
            PathTarget::Org(q) => Query::Paths {
                person: None,
                org: Some(q.clone()),
                k,
            },
        };
        let (answers, unanswered) = self.ask(&query).await?;
        for (c, answer) in answers {
            let Some(first) = self.path_to_own(c.person).await? else {
                continue;
            };
            for remote in answer.paths.into_iter().take(k) {
                if let Some(p) = join(&first, remote, &c.handle) {
                    paths.push(p);
                }
            }
        }
        paths.sort_by(|a, b| b.strength.total_cmp(&a.strength));
        let mut seen = std::collections::HashSet::new();
        paths.retain(|p| seen.insert(p.people.iter().map(|x| x.name.clone()).collect::<Vec<_>>()));
        paths.truncate(k);
        if paths.is_empty()
            && let Some(m) = not_found
        {
            return Err(AppError::NotFound(match unanswered {
                0 => m,
                n => format!("{m} ({n} connections' servers did not answer)"),
            }));
        }
        Ok(PathsReport {
            label,
            paths,
            unanswered,
        })
    }

    /// Who the user can reach at an organisation now, through their own
    /// network and through connections on other servers.
    pub async fn who_at_everywhere(&self, org: &str, limit: usize) -> Result<ReachReport> {
        let mut people = self.who_at(org, limit).await?;
        let (answers, unanswered) = self
            .ask(&Query::WhoAt {
                org: org.to_string(),
                limit,
            })
            .await?;
        for (c, answer) in answers {
            let Some(first) = self.path_to_own(c.person).await? else {
                continue;
            };
            for r in answer.reach.into_iter().take(limit) {
                let mut via: Vec<String> =
                    first.people[1..].iter().map(|x| x.name.clone()).collect();
                via.extend(r.via.into_iter().take(MAX_PEOPLE).map(|v| clip(&v)));
                let ask_via = first
                    .people
                    .get(1)
                    .and_then(|x| x.member.clone())
                    .or_else(|| Some(c.handle.clone()));
                people.push(ReachView {
                    person: remote_person(r.person, first.people.len() + via.len()),
                    title: r.title.map(|t| clip(&t)),
                    strength: first.strength * r.strength.clamp(0.0, 1.0),
                    via,
                    ask_via,
                });
            }
        }
        people.sort_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then(a.person.name.cmp(&b.person.name))
        });
        let mut seen = std::collections::HashSet::new();
        people.retain(|r| seen.insert((r.person.name.clone(), r.via.clone())));
        people.truncate(limit);
        Ok(ReachReport { people, unanswered })
    }
}

fn label_of(target: &PathTarget) -> String {
    match target {
        PathTarget::Person(q) => q.trim().to_string(),
        PathTarget::Org(q) => format!("anyone at {}", q.trim()),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT).collect()
}

/// A person another server showed: their name only (no id of ours, no
/// member name of theirs), at `degree`.
fn remote_person(p: PathPerson, degree: usize) -> PathPerson {
    PathPerson {
        id: None,
        name: clip(&p.name),
        member: None,
        degree: u8::try_from(degree).ok().filter(|&d| d <= 3),
    }
}

/// The user's path to a connection on another server, then that
/// server's path from the connection on (None: an answer that does not
/// hold together).
fn join(first: &PathView, remote: PathView, handle: &str) -> Option<PathView> {
    if remote.people.len() < 2
        || remote.people.len() > MAX_PEOPLE
        || remote.hops.len() + 1 != remote.people.len()
    {
        return None;
    }
    let mut p = first.clone();
    if let Some(last) = p.people.last_mut() {
        last.member = Some(handle.to_string());
    }
    let base = p.people.len() - 1;
    for (i, person) in remote.people.into_iter().enumerate().skip(1) {
        p.people.push(remote_person(person, base + i));
    }
    for hop in remote.hops {
        p.hops.push(crate::network::paths::PathHop {
            strength: hop.strength.clamp(0.0, 1.0),
            why: hop.why.into_iter().take(8).map(|w| clip(&w)).collect(),
        });
    }
    p.strength = first.strength * remote.strength.clamp(0.0, 1.0);
    Some(p)
}

impl Federation {
    /// Answers a connection's server about one of this server's members
    /// (`name`): the sender proved by signature before the query is read,
    /// and answered only when they are that member's connection, under
    /// the member's sharing rules.
    pub async fn answer_query(
        &self,
        name: &str,
        r: &Inbound<'_>,
        body: impl AsyncFnOnce(usize) -> Option<Vec<u8>>,
    ) -> std::result::Result<serde_json::Value, Refused> {
        let v: Verified = self.authenticate(name, r).await?;
        let body = body(MAX_QUERY)
            .await
            .ok_or_else(|| Refused::Invalid(format!("a query is at most {MAX_QUERY} bytes")))?;
        let digest = (r.header)("digest");
        if !super::signature::digest_matches(digest.as_deref().unwrap_or_default(), &body) {
            return Err(Refused::Unauthorized(
                "the body does not match its Digest".into(),
            ));
        }
        let asked: Asked = serde_json::from_slice(&body)
            .map_err(|e| Refused::Invalid(format!("the query cannot be read: {e}")))?;
        if asked.members.len() > MAX_MEMBERS {
            return Err(Refused::Invalid(format!(
                "a query names at most {MAX_MEMBERS} members"
            )));
        }
        let mut answers = Vec::new();
        for member in &asked.members {
            // Only members here the asker is connected to (and has not
            // been blocked by) are answered for; the others are left out.
            let Some(local) = self.config().local_name(member) else {
                continue;
            };
            let Some(account) = self.store().account(&local).await? else {
                continue;
            };
            let connected = self
                .store()
                .fed_link(account.id, v.actor_id(), CONNECTION)
                .await?
                .is_some_and(|l| l.status == ACCEPTED);
            if !connected || super::blocked(self.store(), account.id, v.handle()).await? {
                continue;
            }
            let app = self.app_for(account.id);
            let mut answer = Answer {
                member: member.clone(),
                ..Default::default()
            };
            match &asked.query {
                Query::Paths { person, org, k } => {
                    let target = match (person, org) {
                        (Some(p), None) => PathTarget::Person(p.clone()),
                        (None, Some(o)) => PathTarget::Org(o.clone()),
                        _ => return Err(Refused::Invalid("ask for a person or an org".into())),
                    };
                    answer.paths = app.paths_for_remote_connection(&target, *k).await?;
                }
                Query::WhoAt { org, limit } => {
                    answer.reach = app
                        .who_at_for_remote_connection(org, (*limit).clamp(1, 200))
                        .await?;
                }
            }
            answers.push(answer);
        }
        if answers.is_empty() {
            return Err(Refused::Forbidden(format!(
                "{} is not connected to {name} nor to the others named",
                v.handle()
            )));
        }
        let answer = Answers { answers };
        serde_json::to_value(answer).map_err(|e| Refused::Failed(AppError::Invalid(e.to_string())))
    }
}
