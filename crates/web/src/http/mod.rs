//! What every handler shares and no handler owns: who is asking
//! (`caller`), problem documents (`problem`), reading input (`input`),
//! encoding output (`encode`), QR codes (`qr`), reading an upload (`upload`). Imports no handler module
//! (the tidy test checks).

pub(crate) mod caller;
pub(crate) mod encode;
pub(crate) mod input;
pub(crate) mod problem;
pub(crate) mod qr;
pub(crate) mod upload;
