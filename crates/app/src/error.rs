//! Errors a use case reports to a front door, each saying what is wrong and
//! what to do.

use kith_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Format(#[from] kith_formats::FormatError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// The person changed since the caller read them (an If-Match that no
    /// longer holds): nothing was written.
    #[error("{0}")]
    Stale(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
    /// A daily cap was reached (mail sent, people found): nothing was done.
    #[error("{0}")]
    TooMany(String),
    /// The SMTP server could not be reached or refused the message.
    #[error("{0}")]
    Mail(String),
    /// A source's server could not be reached, refused kith, or answered
    /// what kith cannot read (kept on the source too).
    #[error("{0}")]
    Source(String),
    /// Another server (federation) could not be reached or answered what
    /// kith cannot use.
    #[error("{0}")]
    Remote(String),
}

pub type Result<T> = std::result::Result<T, AppError>;

impl AppError {
    /// The database cannot be reached now: try again later (503), never a
    /// wrong password nor a bug.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AppError::Store(StoreError::Unavailable(_)))
    }
}
