//! Where the device keeps what signs it in: the OS keyring (issue 15). SQLite holds the
//! citizen's data, never the token, so a copied database file alone signs no one in.
//!
//! `OsKeyring` is the app's (Secret Service on Linux, Keychain on macOS and iOS, Credential
//! Manager on Windows; Android's Keystore is still to come: the app keeps the token in memory
//! there, never in the database).
//! `InMemory` is for tests and tools that run no keyring: secrets last as long as the process.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::CoreError;

pub trait Secrets: Send + Sync {
    /// Kept across restarts (an OS keyring), or only while the process lives.
    fn persistent(&self) -> bool;
    fn get(&self, key: &str) -> Result<Option<String>, CoreError>;
    fn set(&self, key: &str, value: &str) -> Result<(), CoreError>;
    fn delete(&self, key: &str) -> Result<(), CoreError>;
}

/// The OS keyring, one entry per key under the service name.
#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
))]
pub struct OsKeyring {
    service: String,
}

#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
))]
impl OsKeyring {
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, CoreError> {
        keyring::Entry::new(&self.service, key).map_err(keyring_error)
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
))]
fn keyring_error(e: keyring::Error) -> CoreError {
    CoreError::Keyring(e.to_string())
}

#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
))]
impl Secrets for OsKeyring {
    fn persistent(&self) -> bool {
        true
    }

    fn get(&self, key: &str) -> Result<Option<String>, CoreError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), CoreError> {
        self.entry(key)?.set_password(value).map_err(keyring_error)
    }

    fn delete(&self, key: &str) -> Result<(), CoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// Secrets kept in memory only.
#[derive(Default)]
pub struct InMemory(Mutex<HashMap<String, String>>);

impl InMemory {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Secrets for InMemory {
    fn persistent(&self) -> bool {
        false
    }

    fn get(&self, key: &str) -> Result<Option<String>, CoreError> {
        Ok(self.map().get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), CoreError> {
        self.map().insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), CoreError> {
        self.map().remove(key);
        Ok(())
    }
}
