//! Prometheus metrics: requests by route template and status, their
//! latency, the database pool, import jobs by state, CardDAV syncs, mails
//! sent and failed, and the network's loads. Counted as requests pass
//! (`ops/requests.rs`) or given as a [`Snapshot`] of the server's parts at
//! each scrape (`ops/scrape.rs`). A leaf: uses no module of this crate.

use axum::http::StatusCode;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// The values read from the server's parts just before a scrape is written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) pool_open: u32,
    pub(crate) pool_idle: u32,
    pub(crate) pool_max: u32,
    /// Transactions begun, their waits for a connection summed, and those
    /// over 100 ms.
    pub(crate) waits: u64,
    pub(crate) wait_seconds: f64,
    pub(crate) slow_waits: u64,
    /// Import jobs by state, every server's.
    pub(crate) jobs: Vec<(&'static str, i64)>,
    pub(crate) mails_sent: u64,
    pub(crate) mails_failed: u64,
    pub(crate) network: kith_app::network::LoadTimes,
}

#[derive(Debug, Default)]
struct Scraped(Mutex<Snapshot>);

/// One metric without labels.
fn single(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: impl EncodeMetric,
) -> std::fmt::Result {
    let family = encoder.encode_descriptor(name, help, None, metric.metric_type())?;
    metric.encode(family)
}

/// One metric family with one label, a value per label value.
fn labelled<M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    label: &str,
    values: Vec<(&str, M)>,
) -> std::fmt::Result {
    let Some((_, first)) = values.first() else {
        return Ok(());
    };
    let mut family = encoder.encode_descriptor(name, help, None, first.metric_type())?;
    for (value, metric) in &values {
        metric.encode(family.encode_family(&[(label, *value)])?)?;
    }
    Ok(())
}

impl Collector for Scraped {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let s = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let e = &mut encoder;
        let gauge = |n: u64| ConstGauge::new(i64::try_from(n).unwrap_or(i64::MAX));
        single(
            e,
            "kith_db_pool_connections",
            "Database connections open now",
            gauge(s.pool_open.into()),
        )?;
        single(
            e,
            "kith_db_pool_idle_connections",
            "Open database connections not in use now",
            gauge(s.pool_idle.into()),
        )?;
        single(
            e,
            "kith_db_pool_max_connections",
            "The most database connections the pool opens",
            gauge(s.pool_max.into()),
        )?;
        single(
            e,
            "kith_db_waits",
            "Transactions begun (each waited for a connection)",
            ConstCounter::new(s.waits),
        )?;
        single(
            e,
            "kith_db_wait_seconds",
            "Seconds transactions waited for a connection (SQLite writers: and the write lock)",
            ConstCounter::new(s.wait_seconds),
        )?;
        single(
            e,
            "kith_db_slow_waits",
            "Transactions that waited over 100 ms to begin",
            ConstCounter::new(s.slow_waits),
        )?;
        let jobs = ["queued", "running", "done", "failed"]
            .into_iter()
            .map(|state| {
                let n = s
                    .jobs
                    .iter()
                    .find(|(s, _)| *s == state)
                    .map_or(0, |(_, n)| *n);
                (state, ConstGauge::new(n))
            })
            .collect();
        labelled(
            e,
            "kith_import_jobs",
            "Import jobs in the database, by state (every server's)",
            "state",
            jobs,
        )?;
        labelled(
            e,
            "kith_mails",
            "Mails given to the SMTP server since start, by outcome",
            "outcome",
            vec![
                ("sent", ConstCounter::new(s.mails_sent)),
                ("failed", ConstCounter::new(s.mails_failed)),
            ],
        )?;
        let n = &s.network;
        labelled(
            e,
            "kith_network_loads",
            "Accounts' parts of the graph read from the database: a build is an \
             account's first, a reload one after its book moved on",
            "kind",
            vec![
                ("build", ConstCounter::new(n.builds)),
                ("reload", ConstCounter::new(n.reloads)),
            ],
        )?;
        labelled(
            e,
            "kith_network_load_seconds",
            "Seconds spent reading accounts' parts of the graph, by kind",
            "kind",
            vec![
                ("build", ConstCounter::new(n.build_seconds)),
                ("reload", ConstCounter::new(n.reload_seconds)),
            ],
        )
    }
}

/// The server's metrics (cheap to clone).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    unavailable: Counter,
    carddav_syncs: Counter,
    scraped: Arc<Scraped>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "kith_http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        // 1 ms to about 16 s.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        registry.register(
            "kith_http_request_duration_seconds",
            "Time to answer HTTP requests, by method and route template",
            latency.clone(),
        );
        let unavailable = Counter::default();
        registry.register(
            "kith_db_unavailable",
            "Requests answered 503 because the database could not be reached in time",
            unavailable.clone(),
        );
        let carddav_syncs = Counter::default();
        registry.register(
            "kith_carddav_syncs",
            "CardDAV sync-collection reports answered",
            carddav_syncs.clone(),
        );
        let scraped = Arc::new(Scraped::default());
        registry.register_collector(Box::new(scraped.clone()));
        Metrics(Arc::new(Inner {
            registry,
            requests,
            latency,
            unavailable,
            carddav_syncs,
            scraped,
        }))
    }
}

impl Metrics {
    /// Counts one answered request.
    pub(crate) fn request(&self, method: &str, route: &str, status: StatusCode, seconds: f64) {
        let inner = &self.0;
        inner
            .requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status: status.as_u16(),
            })
            .inc();
        inner
            .latency
            .get_or_create(&RouteLabels {
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(seconds);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            inner.unavailable.inc();
        }
    }

    pub(crate) fn carddav_sync(&self) {
        self.0.carddav_syncs.inc();
    }

    /// The text exposition, with `now` as the server's parts read.
    pub(crate) fn render(&self, now: Snapshot) -> String {
        *self.0.scraped.0.lock().unwrap_or_else(|e| e.into_inner()) = now;
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.0.registry) {
            tracing::error!(error = %e, "the metrics could not be written");
        }
        out
    }
}
