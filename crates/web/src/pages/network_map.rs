//! The network map page: the user's strongest ties drawn as a
//! server-rendered SVG (no script, no external asset), one cluster per
//! organisation or tag around the user, each person a circle sized by the
//! strength of the tie and linked to their page, the ties among them as
//! lines; and the same clusters as a list for those who do not see it.

use crate::http::caller::PageCaller;
use crate::http::problem::Problem;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use kith_app::network::map::{MapCluster, NetworkMap};
use std::collections::HashMap;
use std::f64::consts::TAU;
use std::fmt::Write;

/// People drawn at most; clusters drawn apart at most (the rest share one).
const PEOPLE: usize = 150;
const CLUSTERS: usize = 12;
const PALETTE: [&str; 8] = [
    "#2f6f8f", "#8f4f2f", "#4f8f3f", "#7f3f8f", "#8f7f2f", "#2f8f7f", "#8f2f4f", "#4f5f9f",
];

#[derive(Template, WebTemplate)]
#[template(path = "network_map.html")]
pub(super) struct MapPage {
    user: String,
    csrf: String,
    svg: String,
    clusters: Vec<MapCluster>,
}

pub(super) async fn map_page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<MapPage, Problem> {
    let map = state.app(caller.account).network_map(PEOPLE).await?;
    let clusters = fold_small_clusters(map.clusters.clone());
    Ok(MapPage {
        user: caller.name,
        csrf: caller.csrf,
        svg: draw(&NetworkMap {
            clusters: clusters.clone(),
            ties: map.ties,
        }),
        clusters,
    })
}

/// Keeps the largest clusters apart and puts the people of the others in
/// one "Others" cluster.
fn fold_small_clusters(mut clusters: Vec<MapCluster>) -> Vec<MapCluster> {
    if clusters.len() <= CLUSTERS {
        return clusters;
    }
    let rest = clusters.split_off(CLUSTERS - 1);
    let mut others = MapCluster {
        label: "Others".into(),
        kind: "other".into(),
        people: Vec::new(),
    };
    for c in rest {
        others.people.extend(c.people);
    }
    others
        .people
        .sort_by(|a, b| b.strength.total_cmp(&a.strength));
    clusters.push(others);
    clusters
}

fn esc(s: &str) -> String {
    kith_app::notify::html_escape(s)
}

/// A person's circle: larger for a stronger tie.
fn radius(strength: f64) -> f64 {
    4.0 + 12.0 * strength.clamp(0.0, 1.0)
}

/// Where each cluster and person goes: clusters on a ring around the user,
/// sized to their people, people in a sunflower spiral inside.
pub(super) fn draw(map: &NetworkMap) -> String {
    let spread: Vec<f64> = map
        .clusters
        .iter()
        .map(|c| 24.0 + 14.0 * (c.people.len() as f64).sqrt())
        .collect();
    let ring = (spread.iter().map(|r| 2.0 * r + 30.0).sum::<f64>() / TAU).max(110.0);
    let margin = spread.iter().copied().fold(0.0, f64::max) + 40.0;
    let size = 2.0 * (ring + margin);
    let centre = size / 2.0;
    let mut at: HashMap<kith_core::PersonId, (f64, f64)> = HashMap::new();
    let mut people = String::new();
    let mut labels = String::new();
    let mut angle = 0.0;
    let total: f64 = spread.iter().map(|r| 2.0 * r + 30.0).sum();
    for (i, (cluster, r)) in map.clusters.iter().zip(&spread).enumerate() {
        let share = (2.0 * r + 30.0) / total * TAU;
        let a = angle + share / 2.0;
        angle += share;
        let (cx, cy) = (centre + ring * a.cos(), centre + ring * a.sin());
        let colour = PALETTE[i % PALETTE.len()];
        let _ = write!(
            labels,
            r#"<line x1="{centre:.1}" y1="{centre:.1}" x2="{cx:.1}" y2="{cy:.1}" class="spoke"/><text x="{cx:.1}" y="{:.1}" class="cluster">{}</text>"#,
            cy - r - 8.0,
            esc(&cluster.label)
        );
        for (j, p) in cluster.people.iter().enumerate() {
            // The golden angle spreads points evenly without a grid.
            let (d, t) = (
                r * 0.85 * ((j as f64 + 0.5) / cluster.people.len() as f64).sqrt(),
                j as f64 * 2.399_963,
            );
            let (x, y) = (cx + d * t.cos(), cy + d * t.sin());
            at.insert(p.id, (x, y));
            let _ = write!(
                people,
                r#"<a href="/people/{}"><circle cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="{colour}"><title>{} ({:.0}%)</title></circle></a>"#,
                p.id,
                radius(p.strength),
                esc(&p.name),
                p.strength * 100.0
            );
        }
    }
    let mut ties = String::new();
    for t in &map.ties {
        let s = t.strength;
        if let (Some((x1, y1)), Some((x2, y2))) = (at.get(&t.a), at.get(&t.b)) {
            let _ = write!(
                ties,
                r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" class="tie" stroke-opacity="{:.2}"/>"#,
                0.15 + 0.6 * s
            );
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size:.0} {size:.0}" class="network-map" aria-labelledby="map-title"><title id="map-title">Your network: {} people in {} clusters</title>{labels}{ties}<circle cx="{centre:.1}" cy="{centre:.1}" r="18" class="you"><title>You</title></circle><text x="{centre:.1}" y="{:.1}" class="cluster you-label">You</text>{people}</svg>"##,
        at.len(),
        map.clusters.len(),
        centre + 4.0,
    )
}
