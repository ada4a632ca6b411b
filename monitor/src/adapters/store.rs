//! The `ObjectStore` port: where capture, baselines and reports live.
//!
//! Every input and output of driftmon is named by a location: a local folder, or `s3://bucket/prefix`.
//! [`resolve`] turns one into a store plus a base key; the engine only lists, streams, reads and
//! writes keys below that base, so a local folder and an S3 prefix behave the same.
//!
//! Writes are atomic in both adapters: the local one writes a temporary file and renames it; S3's
//! PutObject replaces an object as a whole. A retried run therefore overwrites and never leaves a
//! half-written file.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A store failure, naming the object.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object or prefix does not exist.
    #[error("{uri}: not found")]
    NotFound {
        /// The object.
        uri: String,
    },
    /// Local I/O failed.
    #[error("{uri}: {err}")]
    Io {
        /// The object.
        uri: String,
        /// The error.
        err: std::io::Error,
    },
    /// The remote store failed (after retries, when retryable).
    #[error("{uri}: {msg}")]
    Remote {
        /// The object.
        uri: String,
        /// What the service said.
        msg: String,
    },
    /// The location cannot be used.
    #[error("{0}")]
    Config(String),
}

impl StoreError {
    /// The error as an `std::io::Error` without the object's name (for callers that name the
    /// object themselves).
    pub fn into_io(self) -> std::io::Error {
        match self {
            StoreError::NotFound { .. } => {
                std::io::Error::new(std::io::ErrorKind::NotFound, "not found")
            }
            StoreError::Io { err, .. } => err,
            StoreError::Remote { msg, .. } => std::io::Error::other(msg),
            StoreError::Config(msg) => std::io::Error::other(msg),
        }
    }
}

/// A stream over one object's bytes.
pub type ObjectReader = Box<dyn Read + Send>;

/// Objects by key (`a/b/c.jsonl`, `/`-separated, relative to the store's root).
pub trait ObjectStore: Send + Sync {
    /// All object keys under `prefix` (recursively), sorted.
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// The names of the immediate "folders" under `prefix` (S3 common prefixes), sorted.
    fn list_dirs(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// Streams one object.
    fn open(&self, key: &str) -> Result<ObjectReader, StoreError>;
    /// The object's size in bytes when learning it costs no request (local files), else
    /// `None`. Capture objects of known size are split into byte ranges profiled in parallel.
    fn size(&self, _key: &str) -> Option<u64> {
        None
    }
    /// Streams one object from byte `offset` on.
    fn open_at(&self, key: &str, offset: u64) -> Result<ObjectReader, StoreError> {
        let mut r = self.open(key)?;
        std::io::copy(&mut (&mut r).take(offset), &mut std::io::sink()).map_err(|err| {
            StoreError::Io {
                uri: self.uri(key),
                err,
            }
        })?;
        Ok(r)
    }
    /// Reads one object whole (small objects: baselines, state).
    fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let mut r = self.open(key)?;
        let mut v = Vec::new();
        r.read_to_end(&mut v).map_err(|err| StoreError::Io {
            uri: self.uri(key),
            err,
        })?;
        Ok(v)
    }
    /// Writes one object atomically, replacing it.
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// The full name of a key, for messages and reports.
    fn uri(&self, key: &str) -> String;
}

/// Joins key segments with `/`, ignoring empty ones.
pub fn join(base: &str, rel: &str) -> String {
    match (base.trim_end_matches('/'), rel.trim_start_matches('/')) {
        ("", r) => r.to_owned(),
        (b, "") => b.to_owned(),
        (b, r) => format!("{b}/{r}"),
    }
}

/// A local folder.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalStore { root: root.into() }
    }

    fn path(&self, key: &str) -> PathBuf {
        if key.is_empty() {
            self.root.clone()
        } else {
            self.root.join(key)
        }
    }

    fn io(&self, key: &str, err: std::io::Error) -> StoreError {
        if err.kind() == std::io::ErrorKind::NotFound {
            StoreError::NotFound { uri: self.uri(key) }
        } else {
            StoreError::Io {
                uri: self.uri(key),
                err,
            }
        }
    }
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue; // temporary files of atomic writes
        }
        let r = join(rel, &name);
        let ft = e.file_type()?;
        if ft.is_dir() {
            walk(&e.path(), &r, out)?;
        } else if ft.is_file() {
            out.push(r);
        }
    }
    Ok(())
}

impl ObjectStore for LocalStore {
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        match walk(&self.path(prefix), prefix, &mut out) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(self.io(prefix, e)),
        }
        out.sort();
        Ok(out)
    }

    fn list_dirs(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let rd = std::fs::read_dir(self.path(prefix)).map_err(|e| self.io(prefix, e))?;
        let mut v: Vec<String> = rd
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        Ok(v)
    }

    fn open(&self, key: &str) -> Result<ObjectReader, StoreError> {
        let f = std::fs::File::open(self.path(key)).map_err(|e| self.io(key, e))?;
        Ok(Box::new(f))
    }

    fn size(&self, key: &str) -> Option<u64> {
        std::fs::metadata(self.path(key))
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len())
    }

    fn open_at(&self, key: &str, offset: u64) -> Result<ObjectReader, StoreError> {
        use std::io::{Seek, SeekFrom};
        let mut f = std::fs::File::open(self.path(key)).map_err(|e| self.io(key, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| self.io(key, e))?;
        Ok(Box::new(f))
    }

    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let p = self.path(key);
        let (dir, name) = match (p.parent(), p.file_name()) {
            (Some(d), Some(n)) => (d.to_path_buf(), n.to_string_lossy().into_owned()),
            _ => {
                return Err(StoreError::Config(format!(
                    "{}: not a file name",
                    self.uri(key)
                )))
            }
        };
        crate::adapters::atomic::write_atomic(&dir, &name, bytes).map_err(|err| StoreError::Io {
            uri: self.uri(key),
            err,
        })
    }

    fn uri(&self, key: &str) -> String {
        self.path(key).display().to_string()
    }
}

/// A store and the base key a location names inside it.
#[derive(Clone)]
pub struct Located {
    /// The store.
    pub store: Arc<dyn ObjectStore>,
    /// The base key (empty for the root).
    pub base: String,
}

impl std::fmt::Debug for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.store.uri(&self.base))
    }
}

impl Located {
    /// The key of `rel` below the base.
    pub fn key(&self, rel: &str) -> String {
        join(&self.base, rel)
    }

    /// The full name of `rel` below the base.
    pub fn uri(&self, rel: &str) -> String {
        self.store.uri(&self.key(rel))
    }

    /// Writes `rel` below the base.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.store.put(&self.key(rel), bytes)
    }

    /// Reads `rel` below the base.
    pub fn get(&self, rel: &str) -> Result<Vec<u8>, StoreError> {
        self.store.get(&self.key(rel))
    }
}

/// Resolves a location: `s3://bucket/prefix` or a local folder.
pub fn resolve(location: &Path) -> Result<Located, StoreError> {
    let s = location.to_string_lossy();
    if let Some(rest) = s.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(StoreError::Config(format!("{s}: no bucket name")));
        }
        return Ok(Located {
            store: crate::wiring::s3_store(&s, bucket)?,
            base: prefix.trim_end_matches('/').to_owned(),
        });
    }
    Ok(Located {
        store: Arc::new(LocalStore::new(location)),
        base: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_store_lists_reads_and_writes() {
        let dir = std::env::temp_dir().join(format!("driftmon-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let s = LocalStore::new(&dir);
        s.put("a/b/1.jsonl", b"one").unwrap();
        s.put("a/b/2.jsonl", b"two").unwrap();
        s.put("a/c/3.jsonl", b"three").unwrap();
        assert_eq!(
            s.list("a").unwrap(),
            vec!["a/b/1.jsonl", "a/b/2.jsonl", "a/c/3.jsonl"]
        );
        assert_eq!(s.list_dirs("a").unwrap(), vec!["b", "c"]);
        assert_eq!(s.get("a/c/3.jsonl").unwrap(), b"three");
        assert!(s.list("nope").unwrap().is_empty());
        assert!(matches!(s.open("nope/x"), Err(StoreError::NotFound { .. })));
        s.put("a/b/1.jsonl", b"uno").unwrap();
        assert_eq!(s.get("a/b/1.jsonl").unwrap(), b"uno");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn join_keys() {
        assert_eq!(join("", "x"), "x");
        assert_eq!(join("a/", "/x"), "a/x");
        assert_eq!(join("a", ""), "a");
    }
}
