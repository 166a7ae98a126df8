use hues_wire::{ApiError, ErrorCode};

/// What can go wrong in the client core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database lock poisoned")]
    Poisoned,
    /// The citizen's input breaks a rule; nothing was saved.
    #[error("{0}")]
    Invalid(ApiError),
    /// A picture the pipeline refused; the draft is untouched.
    #[error("{0}")]
    Photo(#[from] crate::photo::PhotoError),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// The OS keyring refused or is not there.
    #[error("keyring: {0}")]
    Keyring(String),
}

impl From<serde_json::Error> for CoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Invalid(api) => api,
            CoreError::Photo(p) => ApiError::new(p.code(), p.to_string()),
            other => ApiError::new(ErrorCode::Storage, other.to_string()),
        }
    }
}
