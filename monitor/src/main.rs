//! The `driftmon` command line: a short dispatcher over [`driftmon_monitor::cli`].

use std::process::ExitCode;

/// Caps glibc's malloc at two arenas. By default every thread that allocates may get its own
/// arena (up to 8 per core), and memory freed in one (a profile merged and dropped by another
/// worker) is not reused by the others: peak RSS then creeps up with the number of objects in a
/// window. Two arenas keep `driftmon run`'s peak memory nearly flat in the window size at no
/// measurable cost in time (bench/results.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    const M_ARENA_MAX: std::os::raw::c_int = -8;
    extern "C" {
        fn mallopt(param: std::os::raw::c_int, value: std::os::raw::c_int) -> std::os::raw::c_int;
    }
    // SAFETY: mallopt only sets a tuning parameter of glibc's allocator; it is called before
    // any other thread exists, and a refusal (return value 0) leaves the defaults in place.
    unsafe {
        mallopt(M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    limit_malloc_arenas();
    driftmon_monitor::cli::main()
}
