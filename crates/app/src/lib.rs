//! kith-app: the use cases, one place for each — import a file, list and show
//! people, add and edit, merge and unmerge, duplicate suggestions, export.
//! Owns transactions (one import is one transaction). Both front doors (the
//! CLI and the web) call this; neither talks to the store itself.

pub mod auth;
pub mod backup;
pub mod carddav;
pub mod cards;
mod clock;
pub mod coming_up;
pub mod demo;
pub mod digest;
mod error;
pub mod export;
pub mod favours;
pub mod federation;
pub mod find;
pub mod getting_started;
pub mod import;
pub mod import_jobs;
pub mod interactions;
pub mod keep_in_touch;
pub mod links;
pub mod mail_settings;
pub mod mailer;
pub mod network;
pub mod notify;
pub mod orgs;
pub mod people;
pub mod search;
mod sharing;
pub mod sources;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod throttle;
pub mod view;

pub use error::{AppError, Result};
pub use import::{ImportOptions, ImportReport, Progress};
pub use view::{PersonView, SuggestionView};

use kith_core::AccountId;
use kith_core::identity::Region;
use kith_store::Store;

/// Settings that shape how data is read.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Region for phone numbers written without a country code, when the
    /// account has not chosen one.
    pub default_region: Region,
    /// The region was given for this run (a CLI flag or kith.toml), so it
    /// wins over the account's own choice.
    pub region_is_explicit: bool,
    /// The relationship strength formula's parameters (kith.toml `[strength]`).
    pub strength: kith_core::strength::StrengthParams,
    /// The most "send my new details" emails a member may send a day
    /// (kith.toml `[cards] emails_per_day`).
    pub card_emails_per_day: u32,
    /// How living sources run (kith.toml `[sources]`).
    pub sources: std::sync::Arc<sources::SourcesConfig>,
    /// How this server federates (kith.toml `public_url`, `[federation]`).
    pub federation: std::sync::Arc<federation::FederationConfig>,
}

/// kith acting as one account.
#[derive(Clone)]
pub struct App {
    /// Only this crate touches the store: front doors go through use cases.
    pub(crate) store: Store,
    pub account: AccountId,
    pub settings: Settings,
    /// A server's in-memory search indexes (None: search the store).
    search_indexes: Option<search::SearchIndexes>,
    /// The graph of the network (a server shares one between requests).
    network: network::Network,
    /// The account's phone region as read with its settings when the
    /// request was proved (None: not read yet, ask the store).
    known_region: Option<Option<Region>>,
}

/// The account setting that holds the default phone region.
const PHONE_REGION: &str = "phone_region";

impl App {
    pub fn new(store: Store, account: AccountId, settings: Settings) -> Self {
        App {
            store,
            account,
            settings,
            search_indexes: None,
            network: network::Network::new(),
            known_region: None,
        }
    }

    /// Answers network queries from this shared graph (a long-running
    /// server) rather than one of its own.
    pub fn with_network(mut self, network: network::Network) -> Self {
        self.network = network;
        self
    }

    /// Searches as one types through these shared in-memory indexes (a
    /// long-running server); without, every search asks the store.
    pub fn with_search_indexes(mut self, indexes: search::SearchIndexes) -> Self {
        self.search_indexes = Some(indexes);
        self
    }

    /// Uses the account's settings read along with its credentials
    /// (kith_store::auth::TokenOwner) instead of reading them again.
    pub fn with_account_settings(mut self, settings: &serde_json::Value) -> Self {
        let code = settings.get(PHONE_REGION).and_then(|v| v.as_str());
        self.known_region = Some(code.and_then(kith_core::identity::parse_region));
        self
    }

    /// The region phone numbers without a country code are read in: the one
    /// given for this run, else the account's choice, else the default.
    pub async fn phone_region(&self) -> Result<Region> {
        if self.settings.region_is_explicit {
            return Ok(self.settings.default_region);
        }
        if let Some(known) = self.known_region {
            return Ok(known.unwrap_or(self.settings.default_region));
        }
        Ok(self
            .account_phone_region()
            .await?
            .unwrap_or(self.settings.default_region))
    }

    /// The region the account chose in its settings, if any.
    pub async fn account_phone_region(&self) -> Result<Option<Region>> {
        let code = self
            .store
            .account_setting(self.account, PHONE_REGION)
            .await?;
        Ok(code.as_deref().and_then(kith_core::identity::parse_region))
    }

    /// Sets the account's phone region (`GB`, `us`), or with an empty code
    /// goes back to the server's default.
    pub async fn set_phone_region(&self, code: &str) -> Result<()> {
        let code = code.trim();
        if code.is_empty() {
            self.store
                .set_account_setting(self.account, PHONE_REGION, None)
                .await?;
            return Ok(());
        }
        let region = kith_core::identity::parse_region(code).ok_or_else(|| {
            AppError::Invalid(format!(
                "unknown region {code:?}: use a two-letter country code such as US or GB"
            ))
        })?;
        let code = region_code(region);
        self.store
            .set_account_setting(self.account, PHONE_REGION, Some(&code))
            .await?;
        Ok(())
    }
}

/// The two-letter code of a region (`GB`).
pub fn region_code(region: Region) -> String {
    format!("{region:?}")
}

/// The types of the crates below that kith-app's own signatures take or
/// give (`App::store` is a `Store`, `App::list_people` takes a
/// `PeopleFilter`, `ImportOptions` holds a `Format` and a `ColumnMapping`,
/// `ExportFormat::Vcard` a vCard version, `Auth::create_token` a
/// `TokenKind`), so that a front door names them here and depends on
/// kith-app alone (issue 21).
pub mod types {
    pub use kith_formats::Format;
    pub use kith_formats::csv::generic::ColumnMapping;
    pub use kith_formats::vcard::Version as VcardVersion;
    pub use kith_store::auth::{Session, TokenInfo, TokenKind, TokenOwner};
    pub use kith_store::dav::{DEFAULT_BOOK, DavBook};
    pub use kith_store::jobs::JobState;
    pub use kith_store::{
        Account, PeopleFilter, PeopleSort, PoolSettings, Store, StoreError, now_micros,
    };
}
