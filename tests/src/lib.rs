//! Test support for driftmon's cross-crate tests (the tests themselves are in `tests/tests/`).
#![deny(missing_docs)]

use std::path::PathBuf;

/// The shared fixtures folder: `$DRIFTMON_SHARED_DIR`, else `../shared` beside the repository.
/// `None` (and a note on stderr) when it is absent, as in a user's own clone: tests then skip.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DRIFTMON_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    if dir.join("fixtures/sagemaker").is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: shared fixtures absent at {}", dir.display());
        None
    }
}

/// A SageMaker fixture file by its path under `fixtures/sagemaker/`.
pub fn fixture(rel: &str) -> Option<PathBuf> {
    shared_dir().map(|d| d.join("fixtures/sagemaker").join(rel))
}

/// The path of the `driftmon` binary built for these tests.
pub fn driftmon_bin() -> PathBuf {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    p.pop();
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| p.join("target"));
    target.join(profile).join("driftmon")
}

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("driftmon-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}
