//! Organisations and tags of one account, as the people's positions and tags
//! make them: listing with head counts, one organisation's aliases and
//! domains. Read-only: these rows are derived from cards (see `index`).

use crate::db::on_db;
use crate::tx::Tx;
use crate::{OrgDetail, OrgSummary, Result, TagCount};
use kith_core::names::normalize;
use sqlx::Row;
use uuid::Uuid;

/// Head counts per organisation: a person counts as current when one of
/// their positions there has no end date, as former otherwise.
const ORG_COUNTS: &str = "SELECT o.id, o.name, o.norm_name, \
       COALESCE(SUM(CASE WHEN h.current THEN 1 ELSE 0 END), 0) AS current_n, \
       COALESCE(SUM(CASE WHEN h.current THEN 0 ELSE 1 END), 0) AS former_n \
     FROM organizations o \
     LEFT JOIN (SELECT person_id, org_norm, MAX(CASE WHEN end_date IS NULL THEN 1 ELSE 0 END) = 1 AS current \
                FROM positions WHERE account_id = $1 GROUP BY person_id, org_norm) h \
       ON h.org_norm = o.norm_name \
     WHERE o.account_id = $1";

/// [`ORG_COUNTS`] for the organisations `matching` chooses (conditions on
/// `o` that follow `WHERE o.account_id = $1`): they are picked first, then
/// their positions read through the `positions_by_org` index. (Correlated
/// counts per organisation let SQLite 3.51 walk `positions_by_person`
/// instead: 32 s for "a" at 100,000 people.)
fn matched_counts(matching: &str) -> String {
    format!(
        "WITH m AS MATERIALIZED (SELECT o.id, o.name, o.norm_name FROM organizations o \
           WHERE o.account_id = $1{matching}) \
         SELECT id, name, norm_name, current_n, all_n - current_n AS former_n FROM (\
           SELECT m.id, m.name, m.norm_name, \
             COUNT(DISTINCT CASE WHEN p.end_date IS NULL THEN p.person_id END) AS current_n, \
             COUNT(DISTINCT p.person_id) AS all_n \
           FROM m LEFT JOIN positions p ON p.account_id = $1 AND p.org_norm = m.norm_name \
           GROUP BY m.id, m.name, m.norm_name) c"
    )
}

/// An [`OrgSummary`] from a row of [`ORG_COUNTS`] (a macro: rows of the
/// two engines are different types).
macro_rules! summary {
    ($r:expr) => {
        OrgSummary {
            id: $r.try_get("id")?,
            name: $r.try_get("name")?,
            norm_name: $r.try_get("norm_name")?,
            current: $r.try_get("current_n")?,
            former: $r.try_get("former_n")?,
        }
    };
}

impl Tx {
    /// Organisations whose name or an alias contains all the words of
    /// `search` (all when None), most current people first, then by name.
    pub async fn organizations(
        &mut self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OrgSummary>> {
        self.organizations_matching(search, false, limit, offset)
            .await
    }

    /// [`Tx::organizations`] whose name or an alias has a word beginning
    /// with each word of `search` ("me" finds Meridian, not Acme): what one
    /// types into a search box.
    pub async fn organizations_by_word(
        &mut self,
        search: &str,
        limit: i64,
    ) -> Result<Vec<OrgSummary>> {
        self.organizations_matching(Some(search), true, limit, 0)
            .await
    }

    async fn organizations_matching(
        &mut self,
        search: Option<&str>,
        word_starts: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OrgSummary>> {
        let account = self.account.0;
        let words: Vec<String> = search
            .map(|s| {
                normalize(s)
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        // Each word is one parameter, used in both places below.
        // Word starts: the word at the start of the name, or after a space
        // (the normalised name has single spaces between words).
        let mut matching = String::new();
        for i in 0..words.len() {
            let w = i + 2;
            if word_starts {
                matching.push_str(&format!(
                    " AND (o.norm_name LIKE ${w} OR o.norm_name LIKE '% ' || ${w})"
                ));
            } else {
                matching.push_str(&format!(
                    " AND (o.norm_name LIKE ${w} OR EXISTS (SELECT 1 FROM organization_names n \
                     WHERE n.account_id = o.account_id AND n.org_norm = o.norm_name AND lower(n.name) LIKE ${w}))"
                ));
            }
        }
        let n = words.len() + 2;
        let page = format!("LIMIT ${n} OFFSET ${}", n + 1);
        let sql = if words.is_empty() {
            format!(
                "{ORG_COUNTS} GROUP BY o.id, o.name, o.norm_name ORDER BY current_n DESC, o.norm_name {page}"
            )
        } else {
            // Head counts only for the organisations that match (grouping
            // every position of a large book took 90 ms a search).
            format!(
                "{} ORDER BY current_n DESC, norm_name {page}",
                matched_counts(&matching)
            )
        };
        on_db!(self, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account);
            for w in &words {
                q = q.bind(if word_starts { format!("{w}%") } else { format!("%{w}%") });
            }
            let rows = q.bind(limit).bind(offset).fetch_all(c).await?;
            rows.iter().map(|r| Ok(summary!(r))).collect()
        })
    }

    /// One organisation of this account, by id.
    pub async fn organization(&mut self, id: Uuid) -> Result<Option<OrgDetail>> {
        let account = self.account.0;
        let sql = format!("{ORG_COUNTS} AND o.id = $2 GROUP BY o.id, o.name, o.norm_name");
        let (row, aliases, domains) = on_db!(self, c => {
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).bind(id).fetch_optional(&mut *c).await? else {
                return Ok(None);
            };
            let row = summary!(row);
            let aliases: Vec<String> = sqlx::query_scalar("SELECT name FROM organization_names WHERE account_id = $1 AND org_norm = $2 ORDER BY name")
                .bind(account).bind(&row.norm_name).fetch_all(&mut *c).await?;
            let domains: Vec<String> = sqlx::query_scalar("SELECT domain FROM organization_domains WHERE account_id = $1 AND org_norm = $2 ORDER BY domain")
                .bind(account).bind(&row.norm_name).fetch_all(&mut *c).await?;
            (row, aliases, domains)
        });
        let aliases = aliases.into_iter().filter(|a| *a != row.name).collect();
        Ok(Some(OrgDetail {
            summary: row,
            aliases,
            domains,
        }))
    }

    /// The id of the organisation this name normalises to, if there is one.
    pub async fn organization_id(&mut self, name: &str) -> Result<Option<Uuid>> {
        let account = self.account.0;
        let norm = normalize(name);
        on_db!(self, c => {
            Ok(sqlx::query_scalar("SELECT id FROM organizations WHERE account_id = $1 AND norm_name = $2")
                .bind(account).bind(norm).fetch_optional(c).await?)
        })
    }

    /// Tags of living people with how many carry each, most used first.
    pub async fn tags(&mut self) -> Result<Vec<TagCount>> {
        let account = self.account.0;
        on_db!(self, c => {
            let rows = sqlx::query("SELECT tag, COUNT(*) AS n FROM person_tags WHERE account_id = $1 GROUP BY tag ORDER BY n DESC, tag")
                .bind(account).fetch_all(c).await?;
            rows.iter()
                .map(|r| Ok(TagCount { tag: r.try_get("tag")?, people: r.try_get("n")? }))
                .collect()
        })
    }
}
