//! Storage tests (filled in below).
