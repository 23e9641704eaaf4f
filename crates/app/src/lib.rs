//! kith-app: the use cases, one place for each — import a file, list and show
//! people, add and edit, merge and unmerge, duplicate suggestions, export.
//! Owns transactions (one import is one transaction). Both front doors (the
//! CLI now, the web later) call this; neither talks to the store itself.

pub mod auth;
pub mod demo;
mod error;
pub mod export;
pub mod import;
pub mod people;
pub mod view;

pub use error::AppError;
pub use import::{ImportOptions, ImportReport, Progress};
pub use view::{PersonView, SuggestionView};

use kith_core::AccountId;
use kith_core::identity::Region;
use kith_store::Store;

/// Settings that shape how data is read.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Region for phone numbers written without a country code.
    pub default_region: Region,
}

/// kith acting as one account.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub account: AccountId,
    pub settings: Settings,
}

impl App {
    pub fn new(store: Store, account: AccountId, settings: Settings) -> Self {
        App {
            store,
            account,
            settings,
        }
    }
}
