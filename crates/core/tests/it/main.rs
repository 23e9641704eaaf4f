//! kith-core integration tests.

mod merge_rules;
