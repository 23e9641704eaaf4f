//! What each command does: one module per family of commands, each turning
//! its parsed arguments (`crate::cli`) into kith-app calls and printing the
//! results (`crate::output`). No business rules, and no store of their own:
//! main.rs opens it and picks the account.

pub(crate) mod backup;
pub(crate) mod cadence;
pub(crate) mod cards;
pub(crate) mod demo;
pub(crate) mod dupes;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod log;
pub(crate) mod me;
pub(crate) mod network;
pub(crate) mod people;
pub(crate) mod relationships;
pub(crate) mod serve;
pub(crate) mod sources;
pub(crate) mod token;
pub(crate) mod user;
