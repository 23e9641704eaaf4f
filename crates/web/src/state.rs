//! What every request handler shares: the store, sign-in, settings and the
//! server's limits.

use kith_app::auth::Auth;
use kith_app::types::Store;
use kith_app::{App, Settings};
use kith_core::AccountId;
use std::sync::Arc;

/// The server's own settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest request body accepted (uploads included), in bytes.
    pub max_body: usize,
    /// Mark cookies Secure (kith is reached over https, e.g. behind a proxy).
    /// Requests with `X-Forwarded-Proto: https` get Secure cookies anyway.
    pub secure_cookies: bool,
    /// Where kith is reached, for links in mail (`http://127.0.0.1:7878`).
    pub public_url: String,
    /// Sends mail when no administrator set mail up on the Settings page:
    /// kith.toml's `[smtp]`; None: none configured.
    pub mailer: Option<Arc<kith_app::mailer::Mailer>>,
    /// When digests go out.
    pub digest: kith_app::digest::DigestSchedule,
    /// Reverse proxies whose `X-Forwarded-For` names the client (sign-in
    /// throttling is per address); from any other peer the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bearer token `/metrics` on the main listener asks for; None:
    /// metrics only on the operator's own listener, if any.
    pub metrics_token: Option<String>,
    /// How long requests still running get to finish once the server is
    /// asked to stop.
    pub shutdown_timeout: std::time::Duration,
    /// Where uploads wait to be imported: the data directory's `imports`,
    /// shared by the servers of one data directory.
    pub imports_dir: std::path::PathBuf,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body: 50 * 1024 * 1024,
            secure_cookies: false,
            public_url: "http://127.0.0.1:7878".into(),
            mailer: None,
            digest: Default::default(),
            trusted_proxies: Vec::new(),
            metrics_token: None,
            shutdown_timeout: std::time::Duration::from_secs(30),
            imports_dir: std::env::temp_dir().join("kith-imports"),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub auth: Auth,
    /// The secret-link flows (verification, introductions, public cards,
    /// unsubscribe).
    pub links: kith_app::links::Links,
    /// What other servers ask (federation: WebFinger, actors, inboxes).
    pub federation: kith_app::federation::inbox::Federation,
    pub settings: Settings,
    pub config: Arc<ServerConfig>,
    /// Import jobs: this server's side of the queue every server shares.
    pub jobs: crate::jobs::Jobs,
    /// Each account's people by word, for searching as one types.
    pub search: kith_app::search::SearchIndexes,
    /// The graph of the members' networks, kept between requests.
    pub network: kith_app::network::Network,
    pub metrics: crate::metrics::Metrics,
    /// The mailer of the mail settings an administrator saved (shared by
    /// every server of one database through it; reloaded every minute).
    page_mailer: Arc<std::sync::RwLock<Option<Arc<kith_app::mailer::Mailer>>>>,
}

impl AppState {
    pub fn new(store: Store, settings: Settings, config: ServerConfig) -> AppState {
        let search = kith_app::search::SearchIndexes::default();
        let network = kith_app::network::Network::default();
        let app_for = {
            let (store, settings, search, network) = (
                store.clone(),
                settings.clone(),
                search.clone(),
                network.clone(),
            );
            Arc::new(move |account| {
                App::new(store.clone(), account, settings.clone())
                    .with_search_indexes(search.clone())
                    .with_network(network.clone())
            })
        };
        AppState {
            auth: Auth::new(store.clone()),
            links: kith_app::links::Links::new(store.clone()),
            federation: kith_app::federation::inbox::Federation::new(
                store.clone(),
                &settings,
                network.clone(),
            ),
            jobs: crate::jobs::Jobs::new(store.clone(), config.imports_dir.clone(), app_for),
            store,
            settings,
            config: Arc::new(config),
            search,
            network,
            metrics: Default::default(),
            page_mailer: Default::default(),
        }
    }

    /// The mailer in use: the one set on the Settings page, else
    /// kith.toml's; None: this server cannot send mail.
    pub fn mailer(&self) -> Option<Arc<kith_app::mailer::Mailer>> {
        let set = self.page_mailer.read().ok().and_then(|m| m.clone());
        set.or_else(|| self.config.mailer.clone())
    }

    /// Whether mail can go out.
    pub fn can_mail(&self) -> bool {
        self.mailer().is_some()
    }

    /// Uses `mailer` from now on (None: back to kith.toml's).
    pub(crate) fn use_page_mailer(&self, mailer: Option<kith_app::mailer::Mailer>) {
        if let Ok(mut slot) = self.page_mailer.write() {
            *slot = mailer.map(Arc::new);
        }
    }

    /// Reads the mail settings saved on the Settings page (by any server of
    /// this database) and uses them; settings that no longer make a mailer
    /// are logged and left unused.
    pub async fn reload_mail_settings(&self) {
        match kith_app::mail_settings::load(&self.store).await {
            Ok(Some(settings)) => match settings.mailer() {
                Ok(m) => self.use_page_mailer(Some(m)),
                Err(e) => tracing::warn!(error = %e, "the saved mail settings make no mailer"),
            },
            Ok(None) => self.use_page_mailer(None),
            Err(e) => tracing::warn!(error = %e, "the mail settings could not be read"),
        }
    }

    /// Claims one of `account`'s sources for this server and syncs it on a
    /// task of its own; the source as it starts (a conflict while it syncs).
    pub(crate) async fn start_source_sync(
        &self,
        account: AccountId,
        id: uuid::Uuid,
    ) -> kith_app::Result<kith_app::sources::SourceView> {
        let app = self.app(account);
        let server = self.jobs.server().to_string();
        let claimed = app.claim_source(id, &server).await?;
        let view = app.source(id).await?;
        tokio::spawn(async move {
            if let Err(e) = app.sync_claimed(claimed, &server).await {
                tracing::warn!(source = %id, error = %e, "source sync failed");
            }
        });
        Ok(view)
    }

    /// The use cases acting as `account` (an id an extractor proved).
    pub fn app(&self, account: AccountId) -> App {
        App::new(self.store.clone(), account, self.settings.clone())
            .with_search_indexes(self.search.clone())
            .with_network(self.network.clone())
    }
}
