//! An ordered worker pool: items `0..n` are processed on a fixed number of threads and their
//! results are folded strictly in index order, so the outcome never depends on the number of
//! threads. Used for capture objects and byte ranges (`driftmon run`) and CSV blocks
//! (`baseline suggest`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

struct State<T, E> {
    /// The next index to fold.
    next: usize,
    /// Finished items waiting for their turn (at most `2 * workers`).
    ready: BTreeMap<usize, Result<T, E>>,
    /// The first error in index order; workers stop once it is set.
    failed: Option<E>,
}

/// Runs `work(i)` for every `i` in `0..n` on `workers` threads (at least 1, at most `n`) and
/// calls `fold(i, result)` for `i = 0, 1, …` in order, under a lock, as soon as every earlier
/// item is folded. Threads take indices from a counter and do not start item `i` while
/// `i >= next_to_fold + 2 * workers`, so at most `3 * workers` results are alive at once. The
/// first error in index order is returned and the remaining items are not started; a panic in
/// `work(i)` becomes the error `panicked(i)`.
pub fn in_order<T: Send, E: Send>(
    n: usize,
    workers: usize,
    work: impl Fn(usize) -> Result<T, E> + Sync,
    panicked: impl Fn(usize) -> E + Sync,
    fold: impl FnMut(usize, T) + Send,
) -> Result<(), E> {
    let workers = workers.clamp(1, n.max(1));
    let ahead = 2 * workers;
    let counter = AtomicUsize::new(0);
    let state = Mutex::new((
        State {
            next: 0,
            ready: BTreeMap::new(),
            failed: None,
        },
        fold,
    ));
    let turn = Condvar::new();
    let run = || loop {
        let i = counter.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            return;
        }
        {
            let mut st = state.lock().unwrap_or_else(PoisonError::into_inner);
            while st.0.failed.is_none() && i >= st.0.next + ahead {
                st = turn.wait(st).unwrap_or_else(PoisonError::into_inner);
            }
            if st.0.failed.is_some() {
                return;
            }
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(i)))
            .unwrap_or_else(|_| Err(panicked(i)));
        let mut guard = state.lock().unwrap_or_else(PoisonError::into_inner);
        let (st, fold) = &mut *guard;
        st.ready.insert(i, r);
        while let Some(r) = st.ready.remove(&st.next) {
            match r {
                Ok(t) => {
                    fold(st.next, t);
                    st.next += 1;
                }
                Err(e) => {
                    st.failed = Some(e);
                    st.ready.clear();
                    break;
                }
            }
        }
        let stop = st.failed.is_some();
        drop(guard);
        turn.notify_all();
        if stop {
            return;
        }
    };
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(run);
        }
    });
    let (st, _) = state.into_inner().unwrap_or_else(PoisonError::into_inner);
    match st.failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn folds_in_index_order_for_any_worker_count() {
        for workers in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            let r: Result<(), String> = in_order(
                50,
                workers,
                |i| {
                    // Uneven work, so that items finish out of order.
                    std::thread::sleep(std::time::Duration::from_micros(
                        ((i * 37) % 11) as u64 * 50,
                    ));
                    Ok(i * 10)
                },
                |i| format!("panic {i}"),
                |i, v| seen.push((i, v)),
            );
            assert_eq!(r, Ok(()));
            assert_eq!(seen, (0..50).map(|i| (i, i * 10)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_first_error_in_index_order_wins_and_panics_are_errors() {
        for workers in [1, 2, 4] {
            let mut seen = Vec::new();
            let r = in_order(
                40,
                workers,
                |i| match i {
                    17 => Err(format!("error {i}")),
                    25 => panic!("boom"),
                    _ => Ok(i),
                },
                |i| format!("panic {i}"),
                |i, _| seen.push(i),
            );
            assert_eq!(r, Err("error 17".to_owned()), "{workers} workers");
            assert_eq!(seen, (0..17).collect::<Vec<_>>());
            let r = in_order(
                30,
                workers,
                |i| if i == 5 { panic!("boom") } else { Ok(i) },
                |i| format!("panic {i}"),
                |_, _| {},
            );
            assert_eq!(r, Err("panic 5".to_owned()));
        }
    }
}
