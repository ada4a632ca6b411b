//! Writing result files so that a crash or a failed run never leaves a half-written file, and a
//! retried run overwrites instead of duplicating.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `dir/name` atomically: a temporary file in the same folder, flushed and
/// synced, then renamed over the target.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}
