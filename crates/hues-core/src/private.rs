//! Files only the device's user may read. The cache holds the device token and the citizen's
//! reports with their exact positions, the photo folder their pictures, the tile cache the areas
//! they look at: on unix, files are 0600 and folders 0700, whatever the umask, and what an older
//! version left more open is tightened at start.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Read and write for the user only.
pub const FILE_MODE: u32 = 0o600;
/// Read, write and enter for the user only.
pub const DIR_MODE: u32 = 0o700;

/// Creates a folder (and missing parents) for the user only, or tightens an existing one.
/// Returns whether it was more open than that (so its content may need tightening too).
pub fn dir(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(path)?;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if mode != DIR_MODE {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(DIR_MODE))?;
            return Ok(true);
        }
        Ok(false)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(path)?;
        Ok(false)
    }
}

/// Makes an existing file user-only; a missing one is no error.
pub fn tighten(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() && m.permissions().mode() & 0o777 != FILE_MODE => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(FILE_MODE))
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Makes every file directly in a folder user-only (after the folder itself was found open).
pub fn tighten_all(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        tighten(&entry?.path())?;
    }
    Ok(())
}

/// Creates a new file for the user only; fails if it exists (a temporary name is never shared).
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path)
}

/// Prepares a SQLite database path: the file is created user-only if missing (SQLite then
/// gives its `-wal` and `-shm` files the same mode), and the file, its `-wal` and `-shm` are
/// tightened if an older version left them open. Call before and after opening.
pub fn sqlite_files(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    drop(options.open(path)?);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        tighten(Path::new(&name))?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
pub(crate) mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    pub(crate) fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn folders_and_files_become_user_only() {
        let root = tempfile::tempdir().expect("tempdir");
        let open = root.path().join("open");
        std::fs::create_dir(&open).expect("mkdir");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let file = open.join("f");
        std::fs::write(&file, b"x").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(super::dir(&open).expect("dir"), "was open");
        assert!(!super::dir(&open).expect("dir"), "now closed");
        super::tighten_all(&open).expect("tighten");
        assert_eq!(mode(&open), 0o700);
        assert_eq!(mode(&file), 0o600);
        let fresh = root.path().join("a/b");
        super::dir(&fresh).expect("dir");
        assert_eq!(mode(&fresh), 0o700);
        let new = fresh.join("n");
        drop(super::create_new(&new).expect("create"));
        assert_eq!(mode(&new), 0o600);
        assert!(super::create_new(&new).is_err(), "never shared");
    }
}
