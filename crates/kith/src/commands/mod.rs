//! What each command does: one module per family of commands, each turning
//! its parsed arguments (`crate::cli`) into kith-app calls and printing the
//! results (`crate::output`). No business rules, and no store of their own:
//! main.rs opens it and picks the account.

pub mod cadence;
pub mod cards;
pub mod demo;
pub mod dupes;
pub mod export;
pub mod import;
pub mod log;
pub mod me;
pub mod network;
pub mod people;
pub mod relationships;
pub mod serve;
pub mod token;
pub mod user;
