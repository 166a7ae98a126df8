//! The photo folder beside the database: the citizen's processed photos and those fetched from
//! the server, each named by the SHA-256 of its JPEG (`<sha>.jpg`, `<sha>.thumb.jpg`), written
//! under a temporary name and checked before it takes its own.

use std::path::PathBuf;

use hues_wire::ipc::DraftPhoto;
use hues_wire::{ApiError, ErrorCode};

use crate::error::CoreError;
use crate::fields::is_sha256;
use crate::incoming::{IncomingError, IncomingPhoto};
use crate::store::Store;

fn incoming_error(e: IncomingError) -> CoreError {
    match e {
        IncomingError::Io(io) => CoreError::Io(io),
        other => CoreError::Corrupt(other.to_string()),
    }
}

impl Store {
    fn photo_path(&self, sha: &str, suffix: &str) -> PathBuf {
        self.photos_dir().join(format!("{sha}{suffix}.jpg"))
    }

    /// Runs the photo pipeline on a picture the citizen chose and keeps the result on the
    /// device. A refused file changes nothing.
    pub fn add_photo(&self, bytes: &[u8]) -> Result<DraftPhoto, CoreError> {
        let p = crate::photo::process(bytes, &crate::photo::PhotoLimits::default())?;
        for (suffix, data) in [("", &p.jpeg), (".thumb", &p.thumbnail)] {
            let path = self.photo_path(&p.sha256, suffix);
            if !path.exists() {
                let mut incoming = IncomingPhoto::create(&p.sha256, path, usize::MAX)?;
                incoming.write(data).map_err(incoming_error)?;
                incoming.finish_unchecked().map_err(incoming_error)?;
            }
        }
        Ok(DraftPhoto {
            sha256: p.sha256,
            width: p.width,
            height: p.height,
            position: p.meta.position,
            taken_at: p.meta.taken_at,
        })
    }

    /// Where a photo is on this device (`thumb` for the small version when there is one),
    /// if it is here.
    pub fn photo_file(&self, sha: &str, thumb: bool) -> Option<PathBuf> {
        if !is_sha256(sha) {
            return None;
        }
        let full = self.photo_path(sha, "");
        let small = self.photo_path(sha, ".thumb");
        [thumb.then_some(small), Some(full)]
            .into_iter()
            .flatten()
            .find(|p| p.exists())
    }

    /// Starts keeping photo `sha` from the server: its bytes go through `IncomingPhoto` (counted,
    /// hashed, under a temporary name of their own), then `keep_incoming`.
    pub fn incoming_photo(&self, sha: &str) -> Result<IncomingPhoto, CoreError> {
        if !is_sha256(sha) {
            return Err(CoreError::Invalid(ApiError::new(
                ErrorCode::NotFound,
                format!("photo name {sha:?}"),
            )));
        }
        Ok(IncomingPhoto::create(
            sha,
            self.photo_path(sha, ""),
            hues_wire::api::MAX_PHOTO_BYTES,
        )?)
    }

    /// Keeps a downloaded photo if its bytes are the JPEG its name says (else nothing is kept).
    pub fn keep_incoming(&self, incoming: IncomingPhoto) -> Result<PathBuf, IncomingError> {
        let (path, new) = incoming.finish()?;
        if new {
            // Screens showing it reload.
            self.bump();
        }
        Ok(path)
    }

    /// Keeps a photo fetched from the server, after checking that its bytes are a JPEG with
    /// that SHA-256 (the server is trusted no more than a client).
    pub fn keep_remote_photo(&self, sha: &str, bytes: &[u8]) -> Result<PathBuf, CoreError> {
        let mut incoming = self.incoming_photo(sha)?;
        incoming.write(bytes).map_err(incoming_error)?;
        self.keep_incoming(incoming).map_err(incoming_error)
    }

    /// The processed JPEG of a photo on this device.
    pub fn photo_bytes(&self, sha: &str) -> Result<Vec<u8>, CoreError> {
        if !is_sha256(sha) {
            return Err(CoreError::Corrupt(format!("photo name {sha:?}")));
        }
        Ok(std::fs::read(self.photo_path(sha, ""))?)
    }

    /// What a crash left half written (only this store writes here).
    /// What a crash left half written (only this store writes here).
    pub(crate) fn remove_partial_photos(&self) -> Result<(), CoreError> {
        for entry in std::fs::read_dir(self.photos_dir())? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().contains(".part") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }
}
