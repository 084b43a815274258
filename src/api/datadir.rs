//! The data directory's permissions: every screening, case, audit record
//! and token hash lives there, so only the service's own user may read it.
//!
//! Whatever the umask: [`secure`] creates the directory with mode 0700 (or
//! tightens an existing one to 0700, and every file in it to 0600 and
//! every sub-directory to 0700), and sets the process umask to 0077 so that
//! every file created later (sled's database and snapshots, the
//! configuration, `admin.token`) is 0600 and every directory 0700. A
//! directory that is group- or world-writable is refused: someone else may
//! already have put files there, and the server says so and does not start.
//!
//! On platforms without Unix permissions this does nothing.

use std::io;
use std::path::{Path, PathBuf};

/// Mode of the data directory and of every directory in it.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file in the data directory.
pub const FILE_MODE: u32 = 0o600;

/// The data directory cannot be made private.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// Others may write into the directory.
    #[error(
        "data directory {path} is {} (mode {mode:03o}): others could have put files there. \
         Check its contents, then `chmod 700 {path}` and start again",
        if mode & 0o002 != 0 { "world-writable" } else { "group-writable" }
    )]
    Writable {
        /// The directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The directory (or a file in it) cannot be created, read or changed.
    #[error("data directory: {path}: {cause}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        cause: io::Error,
    },
}

/// Makes `dir` the service's private data directory (see the module
/// documentation); returns how many existing paths it tightened.
///
/// # Errors
/// [`DataDirError::Writable`] for a group- or world-writable directory;
/// [`DataDirError::Io`] when it cannot be created or changed.
pub fn secure(dir: &Path) -> Result<usize, DataDirError> {
    imp::secure(dir)
}

#[cfg(unix)]
mod imp {
    use std::fs;
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    use std::path::Path;

    use super::{DIR_MODE, DataDirError, FILE_MODE};

    pub fn secure(dir: &Path) -> Result<usize, DataDirError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |cause| DataDirError::Io { path, cause }
        };
        restrict_umask();
        match fs::metadata(dir) {
            Ok(meta) => {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o022 != 0 {
                    return Err(DataDirError::Writable {
                        path: dir.to_path_buf(),
                        mode,
                    });
                }
                tighten(dir, DIR_MODE).map_err(io(dir))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(DIR_MODE)
                    .create(dir)
                    .map_err(io(dir))?;
                Ok(0)
            }
            Err(cause) => Err(DataDirError::Io {
                path: dir.to_path_buf(),
                cause,
            }),
        }
    }

    /// Sets the process umask to 0077: files 0600, directories 0700.
    fn restrict_umask() {
        // SAFETY: umask only swaps the process's file-mode creation mask;
        // it has no memory effects and cannot fail.
        unsafe {
            libc::umask(0o077);
        }
    }

    /// Sets `path` (a directory) to `mode`, and everything below it to
    /// 0700 (directories) or 0600 (files); symbolic links are left alone.
    /// Returns how many paths changed.
    fn tighten(path: &Path, mode: u32) -> std::io::Result<usize> {
        let meta = fs::symlink_metadata(path)?;
        let mut changed = 0;
        if meta.permissions().mode() & 0o777 != mode {
            fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
            changed += 1;
        }
        if meta.is_dir() {
            for entry in fs::read_dir(path)? {
                let entry = entry?;
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    changed += tighten(&entry.path(), DIR_MODE)?;
                } else if kind.is_file() {
                    changed += tighten(&entry.path(), FILE_MODE)?;
                }
            }
        }
        Ok(changed)
    }
}

#[cfg(not(unix))]
mod imp {
    use std::path::Path;

    use super::DataDirError;

    pub fn secure(dir: &Path) -> Result<usize, DataDirError> {
        std::fs::create_dir_all(dir).map_err(|cause| DataDirError::Io {
            path: dir.to_path_buf(),
            cause,
        })?;
        Ok(0)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn existing_directories_are_tightened_or_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        std::fs::create_dir_all(dir.join("db")).unwrap();
        std::fs::write(dir.join("db/conf"), "x").unwrap();
        std::fs::write(dir.join("admin.token"), "x").unwrap();
        for (p, m) in [(&dir, 0o755), (&dir.join("db"), 0o755)] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
        }
        std::fs::set_permissions(dir.join("db/conf"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        assert_eq!(secure(&dir).unwrap(), 4, "dir, db, db/conf, admin.token");
        assert_eq!(mode(&dir), DIR_MODE);
        assert_eq!(mode(&dir.join("db")), DIR_MODE);
        assert_eq!(mode(&dir.join("db/conf")), FILE_MODE);
        assert_eq!(secure(&dir).unwrap(), 0, "nothing left to change");

        for (m, word) in [(0o777, "world-writable"), (0o770, "group-writable")] {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(m)).unwrap();
            let err = secure(&dir).unwrap_err().to_string();
            assert!(err.contains(word) && err.contains("chmod 700"), "{err}");
            assert_eq!(mode(&dir), m, "a refused directory is left as it is");
        }
    }
}
