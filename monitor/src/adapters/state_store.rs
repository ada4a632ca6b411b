//! Adapters of the [`ConditionalStore`] port that keeps monitor states
//! ([`crate::control::state`]): in memory, a local folder (lock file), and a best-effort wrapper
//! for any [`ObjectStore`]. The S3 adapter belongs with the S3 store: it implements
//! [`ConditionalStore::put_if`] with `If-None-Match: *` (create) and `If-Match: <etag>`
//! (replace), maps 412 Precondition Failed and 409 ConditionalRequestConflict to
//! [`CasError::Conflict`], and returns the ETag as the [`Version`].

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::adapters::store::{ObjectStore, StoreError};
use crate::control::state::{state_key, MonitorState};

// ---------------------------------------------------------------------------------------------
// The store port
// ---------------------------------------------------------------------------------------------

/// An object's version as the store knows it: an S3 ETag, a content hash, a counter. Opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Version(pub String);

/// How strong a store's conditional write is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasGuarantee {
    /// The precondition and the write are one atomic step (S3 conditional writes, a lock file,
    /// a mutex).
    Atomic,
    /// Write, then read back and compare: detects a competing write only if it lands before the
    /// read-back; two writers can both succeed.
    BestEffort,
}

/// A conditional write that did not happen, or a store failure.
#[derive(Debug, thiserror::Error)]
pub enum CasError {
    /// The object changed since it was read (S3: 412 Precondition Failed, or 409
    /// ConditionalRequestConflict): re-read and retry.
    #[error("{uri}: changed concurrently")]
    Conflict {
        /// The object.
        uri: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Objects with versions and conditional writes: the port the state lives behind.
pub trait ConditionalStore: Send + Sync {
    /// Reads an object and its version; `None` if it does not exist.
    fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>, StoreError>;
    /// Writes an object if it still is as expected: `expected == None` means it must not exist
    /// (S3: `If-None-Match: *`), `Some(v)` that its version is `v` (S3: `If-Match: <etag>`).
    /// Returns the new version.
    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Version, CasError>;
    /// How strong `put_if` is.
    fn guarantee(&self) -> CasGuarantee;
    /// The full name of a key, for messages.
    fn uri(&self, key: &str) -> String;
}

/// A state that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Another writer changed the state (after the allowed retries).
    #[error("{uri}: changed concurrently")]
    Conflict {
        /// The state object.
        uri: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The object is not a state driftmon can read.
    #[error("{uri}: not a driftmon state: {msg}")]
    Corrupt {
        /// The state object.
        uri: String,
        /// Why.
        msg: String,
    },
}

/// The error of [`StateRepo::update`]: the state's or the caller's.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError<E> {
    /// Reading or writing the state failed.
    #[error(transparent)]
    State(StateError),
    /// The caller's function refused (e.g. [`LeaseDenied`]).
    #[error("{0}")]
    Refused(E),
}

/// Monitor states below a base key of a [`ConditionalStore`].
pub struct StateRepo<'a> {
    store: &'a dyn ConditionalStore,
    base: String,
}

impl<'a> StateRepo<'a> {
    /// States at `{base}/.driftmon/state/{monitor}.json`.
    pub fn new(store: &'a dyn ConditionalStore, base: &str) -> StateRepo<'a> {
        StateRepo {
            store,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The key of a monitor's state.
    pub fn key(&self, monitor: &str) -> String {
        crate::adapters::store::join(&self.base, &state_key(monitor))
    }

    /// Reads a monitor's state and its version; `None` if it has none yet.
    pub fn load(&self, monitor: &str) -> Result<Option<(MonitorState, Version)>, StateError> {
        let key = self.key(monitor);
        match self.store.get_versioned(&key)? {
            None => Ok(None),
            Some((bytes, v)) => {
                let s = MonitorState::from_json(&bytes).map_err(|msg| StateError::Corrupt {
                    uri: self.store.uri(&key),
                    msg,
                })?;
                Ok(Some((s, v)))
            }
        }
    }

    /// Writes a state if it is still at `expected` (`None`: if there is none), with its
    /// revision incremented. Returns the new version.
    pub fn save(
        &self,
        state: &MonitorState,
        expected: Option<&Version>,
    ) -> Result<(MonitorState, Version), StateError> {
        let key = self.key(&state.monitor);
        let mut s = state.clone();
        s.revision += 1;
        match self.store.put_if(&key, &s.to_json(), expected) {
            Ok(v) => Ok((s, v)),
            Err(CasError::Conflict { uri }) => Err(StateError::Conflict { uri }),
            Err(CasError::Store(e)) => Err(StateError::Store(e)),
        }
    }

    /// Read-modify-write with optimistic concurrency: reads the state (a new one if absent),
    /// applies `f`, writes the result conditionally, and on a conflict starts over (up to
    /// `attempts` times). `f` returns the new state and a value for the caller; when the state
    /// is unchanged nothing is written.
    pub fn update<T, E>(
        &self,
        monitor: &str,
        attempts: u32,
        mut f: impl FnMut(&MonitorState) -> Result<(MonitorState, T), E>,
    ) -> Result<(MonitorState, T), UpdateError<E>> {
        let mut last_conflict = None;
        for _ in 0..attempts.max(1) {
            let (cur, ver) = match self.load(monitor).map_err(UpdateError::State)? {
                Some((s, v)) => (s, Some(v)),
                None => (MonitorState::new(monitor), None),
            };
            let (new, out) = f(&cur).map_err(UpdateError::Refused)?;
            if new == cur {
                return Ok((cur, out));
            }
            match self.save(&new, ver.as_ref()) {
                Ok((saved, _)) => return Ok((saved, out)),
                Err(StateError::Conflict { uri }) => last_conflict = Some(uri),
                Err(e) => return Err(UpdateError::State(e)),
            }
        }
        Err(UpdateError::State(StateError::Conflict {
            uri: last_conflict.unwrap_or_else(|| self.store.uri(&self.key(monitor))),
        }))
    }
}

/// A content hash used as the version by the local and best-effort stores (FNV-1a, 64 bits;
/// every state write changes `revision`, so distinct writes differ).
pub fn content_version(bytes: &[u8]) -> Version {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    Version(format!("{h:016x}-{}", bytes.len()))
}

// ---------------------------------------------------------------------------------------------
// In memory
// ---------------------------------------------------------------------------------------------

/// An in-memory store with true compare-and-swap (tests, and processes that share nothing).
#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: Mutex<HashMap<String, (Vec<u8>, u64)>>,
    counter: Mutex<u64>,
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Vec<u8>, u64)>> {
        self.objects.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ConditionalStore for MemoryStore {
    fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>, StoreError> {
        Ok(self
            .lock()
            .get(key)
            .map(|(b, v)| (b.clone(), Version(v.to_string()))))
    }

    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Version, CasError> {
        let mut objects = self.lock();
        let current = objects.get(key).map(|(_, v)| Version(v.to_string()));
        if current.as_ref() != expected {
            return Err(CasError::Conflict { uri: self.uri(key) });
        }
        let mut c = self.counter.lock().unwrap_or_else(|p| p.into_inner());
        *c += 1;
        objects.insert(key.to_owned(), (bytes.to_vec(), *c));
        Ok(Version(c.to_string()))
    }

    fn guarantee(&self) -> CasGuarantee {
        CasGuarantee::Atomic
    }

    fn uri(&self, key: &str) -> String {
        format!("memory:{key}")
    }
}

// ---------------------------------------------------------------------------------------------
// Best effort over any ObjectStore
// ---------------------------------------------------------------------------------------------

/// Conditional writes emulated on a store without them: read and compare, write, read back and
/// compare. It detects a competing write that lands before the read-back, not one that lands
/// between another writer's check and its write: two writers can both succeed
/// ([`CasGuarantee::BestEffort`]). Use it only where nothing better exists.
pub struct ReadBackStore {
    inner: Arc<dyn ObjectStore>,
}

impl ReadBackStore {
    /// Wraps a store.
    pub fn new(inner: Arc<dyn ObjectStore>) -> ReadBackStore {
        ReadBackStore { inner }
    }
}

fn get_opt(store: &dyn ObjectStore, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    match store.get(key) {
        Ok(b) => Ok(Some(b)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl ConditionalStore for ReadBackStore {
    fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>, StoreError> {
        Ok(get_opt(self.inner.as_ref(), key)?.map(|b| {
            let v = content_version(&b);
            (b, v)
        }))
    }

    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Version, CasError> {
        let current = get_opt(self.inner.as_ref(), key)?.map(|b| content_version(&b));
        if current.as_ref() != expected {
            return Err(CasError::Conflict { uri: self.uri(key) });
        }
        self.inner.put(key, bytes)?;
        match get_opt(self.inner.as_ref(), key)? {
            Some(b) if b == bytes => Ok(content_version(&b)),
            _ => Err(CasError::Conflict { uri: self.uri(key) }),
        }
    }

    fn guarantee(&self) -> CasGuarantee {
        CasGuarantee::BestEffort
    }

    fn uri(&self, key: &str) -> String {
        self.inner.uri(key)
    }
}

// ---------------------------------------------------------------------------------------------
// Local folder with a lock file
// ---------------------------------------------------------------------------------------------

/// A local folder with compare-and-swap: `put_if` holds a lock file (`.{name}.lock`, created
/// with `O_EXCL`) around read, compare and atomic replace (temporary file, fsync, rename).
///
/// A lock older than `stale_after` (default 30 s; a holder keeps it for milliseconds) is taken
/// to be left by a killed process and removed. Two processes that both find the same stale lock
/// at the same moment could both proceed; outside that case (a crash while writing state,
/// followed by a race of two survivors) the guarantee is [`CasGuarantee::Atomic`]. The folder
/// must be on a local file system (`O_EXCL` is not reliable over some network file systems).
#[derive(Debug, Clone)]
pub struct LocalCasStore {
    root: PathBuf,
    stale_after: Duration,
    wait: Duration,
}

impl LocalCasStore {
    /// A store rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> LocalCasStore {
        LocalCasStore {
            root: root.into(),
            stale_after: Duration::from_secs(30),
            wait: Duration::from_secs(10),
        }
    }

    /// Changes how old a lock must be to be broken, and how long to wait for one.
    pub fn with_timeouts(mut self, stale_after: Duration, wait: Duration) -> LocalCasStore {
        self.stale_after = stale_after;
        self.wait = wait;
        self
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
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

    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match std::fs::read(self.path(key)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(key, e)),
        }
    }

    fn lock(&self, key: &str, dir: &Path, name: &str) -> Result<LockGuard, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| self.io(key, e))?;
        let lock = dir.join(format!(".{name}.lock"));
        let deadline = SystemTime::now() + self.wait;
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
            {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(LockGuard(lock));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&lock)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age >= self.stale_after);
                    if stale {
                        let _ = std::fs::remove_file(&lock);
                        continue;
                    }
                    if SystemTime::now() >= deadline {
                        return Err(StoreError::Io {
                            uri: self.uri(key),
                            err: std::io::Error::new(
                                std::io::ErrorKind::WouldBlock,
                                format!("lock {} is held", lock.display()),
                            ),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(self.io(key, e)),
            }
        }
    }
}

struct LockGuard(PathBuf);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl ConditionalStore for LocalCasStore {
    fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>, StoreError> {
        Ok(self.read(key)?.map(|b| {
            let v = content_version(&b);
            (b, v)
        }))
    }

    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expected: Option<&Version>,
    ) -> Result<Version, CasError> {
        let p = self.path(key);
        let (Some(dir), Some(name)) = (p.parent(), p.file_name()) else {
            return Err(CasError::Store(StoreError::Config(format!(
                "{}: not a file name",
                self.uri(key)
            ))));
        };
        let name = name.to_string_lossy().into_owned();
        let _guard = self.lock(key, dir, &name)?;
        let current = self.read(key)?.map(|b| content_version(&b));
        if current.as_ref() != expected {
            return Err(CasError::Conflict { uri: self.uri(key) });
        }
        crate::adapters::atomic::write_atomic(dir, &name, bytes).map_err(|e| self.io(key, e))?;
        Ok(content_version(bytes))
    }

    fn guarantee(&self) -> CasGuarantee {
        CasGuarantee::Atomic
    }

    fn uri(&self, key: &str) -> String {
        self.path(key).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use super::{StateRepo, UpdateError};
    use crate::adapters::store::LocalStore;
    use crate::control::schedule::Window;
    use crate::control::state::{acquire_lease, LeaseDenied, LeaseMode};

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("driftmon-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn cas_contract(store: &dyn ConditionalStore) {
        assert!(store.get_versioned("a/s.json").unwrap().is_none());
        let v1 = store.put_if("a/s.json", b"one", None).unwrap();
        assert!(matches!(
            store.put_if("a/s.json", b"two", None),
            Err(CasError::Conflict { .. })
        ));
        let (b, v) = store.get_versioned("a/s.json").unwrap().unwrap();
        assert_eq!((b.as_slice(), &v), (&b"one"[..], &v1));
        let v2 = store.put_if("a/s.json", b"two", Some(&v1)).unwrap();
        assert_ne!(v1, v2);
        assert!(matches!(
            store.put_if("a/s.json", b"three", Some(&v1)),
            Err(CasError::Conflict { .. })
        ));
        assert_eq!(store.get_versioned("a/s.json").unwrap().unwrap().0, b"two");
    }

    #[test]
    fn memory_store_is_cas() {
        let s = MemoryStore::default();
        cas_contract(&s);
        assert_eq!(s.guarantee(), CasGuarantee::Atomic);
    }

    #[test]
    fn local_cas_store_is_cas() {
        let d = tmp("cas");
        let s = LocalCasStore::new(&d);
        cas_contract(&s);
        // No lock file is left behind.
        assert_eq!(LocalStore::new(&d).list("").unwrap(), vec!["a/s.json"]);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn read_back_store_follows_the_contract_without_concurrency() {
        let d = tmp("readback");
        let s = ReadBackStore::new(Arc::new(LocalStore::new(&d)));
        cas_contract(&s);
        assert_eq!(s.guarantee(), CasGuarantee::BestEffort);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn stale_lock_is_broken_and_busy_lock_waits() {
        let d = tmp("stale");
        std::fs::create_dir_all(d.join("a")).unwrap();
        std::fs::write(d.join("a/.s.json.lock"), b"1").unwrap();
        let busy = LocalCasStore::new(&d)
            .with_timeouts(Duration::from_secs(60), Duration::from_millis(30));
        assert!(matches!(
            busy.put_if("a/s.json", b"x", None),
            Err(CasError::Store(_))
        ));
        let breaks = LocalCasStore::new(&d).with_timeouts(Duration::ZERO, Duration::from_secs(1));
        breaks.put_if("a/s.json", b"x", None).unwrap();
        let _ = std::fs::remove_dir_all(&d);
    }

    /// Many threads race for one monitor's lease through the local folder: exactly one wins.
    #[test]
    fn concurrent_lease_has_one_winner() {
        let d = tmp("race");
        let store = Arc::new(LocalCasStore::new(&d));
        let w = Window {
            scheduled_ms: 3_600_000,
            start_ms: 0,
            end_ms: 3_600_000,
        };
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let repo = StateRepo::new(store.as_ref(), "");
                    let owner = format!("p{i}");
                    repo.update("m", 50, |s| {
                        acquire_lease(s, &w, &owner, 10, 60_000, LeaseMode::Scheduled)
                            .map(|n| (n, ()))
                    })
                    .map(|_| owner)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for h in handles {
            match h.join().unwrap() {
                Ok(o) => winners.push(o),
                Err(UpdateError::Refused(LeaseDenied::Held { .. })) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(winners.len(), 1, "{winners:?}");
        let repo = StateRepo::new(store.as_ref(), "");
        let (s, _) = repo.load("m").unwrap().unwrap();
        assert_eq!(s.lease.unwrap().owner, winners[0]);
        let _ = std::fs::remove_dir_all(&d);
    }
}
