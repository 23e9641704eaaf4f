//! app integration tests
