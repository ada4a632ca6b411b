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

/// Removes the temporary files that [`write_atomic`] leaves in `dir` when its process is killed
/// between creating and renaming them (`.{name}.tmp-{pid}` of a pid that no longer exists on
/// this host). Returns how many were removed. Temporary files of live processes are kept.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|n| n.rsplit_once(".tmp-"))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = pid == std::process::id()
            || !Path::new("/proc/self").exists()
            || Path::new(&format!("/proc/{pid}")).exists();
        if !alive && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temps_of_dead_processes_are_removed() {
        let dir = std::env::temp_dir().join(format!("driftmon-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // pid 999999999 exceeds pid_max; pid 1 is always alive.
        std::fs::write(dir.join(".statistics.json.tmp-999999999"), b"half").unwrap();
        std::fs::write(dir.join(".report.html.tmp-1"), b"live").unwrap();
        std::fs::write(dir.join("statistics.json"), b"{}").unwrap();
        assert_eq!(remove_stale_temps(&dir), 1);
        assert!(dir.join(".report.html.tmp-1").exists());
        assert!(dir.join("statistics.json").exists());
        assert!(!dir.join(".statistics.json.tmp-999999999").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
