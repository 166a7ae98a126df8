//! A photo on its way from the server to the device. The server is trusted no more than a
//! client: the bytes are counted and hashed as they arrive, written to a temporary name of their
//! own (two downloads of the same photo never share one), and the file takes the photo's name
//! only when its SHA-256 is that name. Anything else, including a download dropped half way,
//! leaves no file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum IncomingError {
    /// More bytes came than a photo may have; what came is thrown away.
    #[error("the photo is larger than {0} bytes")]
    TooLarge(usize),
    /// The bytes are not the JPEG whose SHA-256 is the name asked for.
    #[error("the photo does not match its name")]
    Mismatch,
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
}

/// A download in progress: `write` each piece as it arrives, then `finish`. Dropped unfinished
/// (refused, failed, or its task cancelled), it deletes its temporary file.
pub struct IncomingPhoto {
    sha: String,
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    hasher: Sha256,
    len: usize,
    limit: usize,
    head: Vec<u8>,
}

impl IncomingPhoto {
    /// Starts a download of photo `sha` (already checked to be a hash) into `dest`, through a
    /// new user-only temporary file beside it.
    pub(crate) fn create(sha: &str, dest: PathBuf, limit: usize) -> std::io::Result<Self> {
        let mut name = dest.as_os_str().to_owned();
        name.push(format!(".part-{}", uuid::Uuid::now_v7().simple()));
        let tmp = PathBuf::from(name);
        let file = crate::private::create_new(&tmp)?;
        Ok(Self {
            sha: sha.to_owned(),
            tmp,
            dest,
            file: Some(std::io::BufWriter::new(file)),
            hasher: Sha256::new(),
            len: 0,
            limit,
            head: Vec::with_capacity(3),
        })
    }

    /// Bytes accepted so far (never more than the limit).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where the bytes go until they are checked.
    pub fn temporary_path(&self) -> &Path {
        &self.tmp
    }

    /// Takes the next piece. A piece that would pass the limit is refused whole: nothing past
    /// the limit is ever written.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), IncomingError> {
        if chunk.len() > self.limit - self.len {
            return Err(IncomingError::TooLarge(self.limit));
        }
        let Some(file) = self.file.as_mut() else {
            return Err(IncomingError::Io(std::io::Error::other("already finished")));
        };
        file.write_all(chunk)?;
        self.hasher.update(chunk);
        let missing = 3usize.saturating_sub(self.head.len());
        self.head
            .extend_from_slice(&chunk[..missing.min(chunk.len())]);
        self.len += chunk.len();
        Ok(())
    }

    /// Checks the whole and, if it is the photo asked for, gives it its name. Returns the
    /// photo's path and whether it is new on the device.
    pub(crate) fn finish(mut self) -> Result<(PathBuf, bool), IncomingError> {
        let hash = hex::encode(std::mem::take(&mut self.hasher).finalize());
        if hash != self.sha || self.head != [0xFF, 0xD8, 0xFF] {
            return Err(IncomingError::Mismatch);
        }
        self.place()
    }

    /// As `finish`, for bytes the device made itself (a photo's thumbnail is not named by its
    /// own hash).
    pub(crate) fn finish_unchecked(mut self) -> Result<(PathBuf, bool), IncomingError> {
        self.place()
    }

    fn place(&mut self) -> Result<(PathBuf, bool), IncomingError> {
        let file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("already finished"))?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        // On disk before it has its name: a crash never leaves a short file under a name that is
        // never fetched again.
        file.sync_data()?;
        drop(file);
        if self.dest.exists() {
            // Another download got there first with the same bytes.
            return Ok((self.dest.clone(), false));
        }
        std::fs::rename(&self.tmp, &self.dest)?;
        Ok((self.dest.clone(), true))
    }
}

impl Drop for IncomingPhoto {
    fn drop(&mut self) {
        drop(self.file.take());
        // Already renamed when finished: then there is nothing at the temporary name.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn nothing_past_the_limit_is_written_and_a_refusal_leaves_no_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let body = [[0xFF, 0xD8, 0xFF].as_slice(), &[7u8; 97]].concat();
        let name = sha(&body);
        let mut p = IncomingPhoto::create(&name, dir.path().join("p.jpg"), 64).expect("create");
        p.write(&body[..40]).expect("under the limit");
        assert!(matches!(
            p.write(&body[40..]),
            Err(IncomingError::TooLarge(64))
        ));
        assert_eq!(p.len(), 40);
        if let Some(f) = p.file.as_mut() {
            f.flush().expect("flush");
        }
        let on_disk = std::fs::metadata(p.temporary_path()).expect("tmp").len();
        assert!(on_disk <= 64, "{on_disk} bytes written");
        drop(p);
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn only_the_bytes_of_the_name_are_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let body = [[0xFF, 0xD8, 0xFF].as_slice(), b"a small picture"].concat();
        let dest = dir.path().join("p.jpg");
        let mut p = IncomingPhoto::create(&"0".repeat(64), dest.clone(), 1000).expect("create");
        p.write(&body).expect("write");
        assert!(matches!(p.finish(), Err(IncomingError::Mismatch)));
        let not_jpeg = b"GIF89a and more".to_vec();
        let mut p = IncomingPhoto::create(&sha(&not_jpeg), dest.clone(), 1000).expect("create");
        p.write(&not_jpeg).expect("write");
        assert!(matches!(p.finish(), Err(IncomingError::Mismatch)));
        assert!(leftovers(dir.path()).is_empty());
        let mut p = IncomingPhoto::create(&sha(&body), dest.clone(), 1000).expect("create");
        for piece in body.chunks(2) {
            p.write(piece).expect("write");
        }
        assert_eq!(p.finish().expect("kept"), (dest.clone(), true));
        assert_eq!(std::fs::read(&dest).expect("read"), body);
        assert_eq!(leftovers(dir.path()), ["p.jpg"]);
        #[cfg(unix)]
        assert_eq!(crate::private::tests::mode(&dest), 0o600);
    }
}
