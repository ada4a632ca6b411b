//! An ordered worker pool: items `0..n` are processed on a fixed number of threads and their
//! results are folded strictly in index order, so the outcome never depends on the number of
//! threads. Used for capture objects and byte ranges (`driftmon run`), CSV blocks
//! (`baseline suggest`) and per-feature measures (`driftmon-rules`).
//!
//! A panic never hangs the pool: a panic in `work(i)` is caught on its worker and becomes, in
//! index order like any error, a [`WorkerPanic`] (the item and the panic's message) that the
//! caller turns into its error type; a panic in `fold` stops every worker and is resumed on the
//! caller's thread once they have all returned.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// A panic caught while running `work(index)` in [`in_order_catching`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerPanic {
    /// The item whose `work` panicked.
    pub index: usize,
    /// The panic's message (its `&str` or `String` payload; a placeholder for other payloads).
    pub message: String,
}

impl fmt::Display for WorkerPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {} panicked: {}", self.index, self.message)
    }
}

impl std::error::Error for WorkerPanic {}

/// The message of a panic payload: what `panic!` was given, as text.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a text message".to_owned()
    }
}

/// Why the pool stopped early.
enum Failure<E> {
    /// `work(i)` returned an error.
    Err(E),
    /// `work(i)` panicked.
    Panicked(WorkerPanic),
    /// `fold` panicked: the payload, resumed on the caller's thread.
    Fold(Box<dyn Any + Send>),
}

struct State<T, E> {
    /// The next index to fold.
    next: usize,
    /// Finished items waiting for their turn (at most `2 * workers`).
    ready: BTreeMap<usize, Result<T, Failure<E>>>,
    /// The first failure in index order (or a panic of `fold`); workers stop once it is set.
    failed: Option<Failure<E>>,
}

/// [`in_order_catching`] for callers whose panic error needs only the item's index: a panic in
/// `work(i)` becomes the error `panicked(i)` (the panic's message is dropped; use
/// [`in_order_catching`] to keep it).
pub fn in_order<T: Send, E: Send>(
    n: usize,
    workers: usize,
    work: impl Fn(usize) -> Result<T, E> + Sync,
    panicked: impl FnOnce(usize) -> E,
    fold: impl FnMut(usize, T) + Send,
) -> Result<(), E> {
    in_order_catching(n, workers, work, |p| panicked(p.index), fold)
}

/// Runs `work(i)` for every `i` in `0..n` on `workers` threads (at least 1, at most `n`) and
/// calls `fold(i, result)` for `i = 0, 1, …` in order, under a lock, as soon as every earlier
/// item is folded. Threads take indices from a counter and do not start item `i` while
/// `i >= next_to_fold + 2 * workers`, so at most `3 * workers` results are alive at once.
///
/// The first failure in index order is returned and the remaining items are not started (items
/// already running finish and are dropped). A failure is an error of `work(i)`, or a panic of
/// `work(i)`, which becomes the error `panicked(WorkerPanic { index: i, message })`;
/// `panicked` runs on the caller's thread after every worker has returned, so it may itself
/// panic (to propagate the panic) without stranding the pool. A panic in `fold` stops the
/// workers and is resumed on the caller's thread.
pub fn in_order_catching<T: Send, E: Send>(
    n: usize,
    workers: usize,
    work: impl Fn(usize) -> Result<T, E> + Sync,
    panicked: impl FnOnce(WorkerPanic) -> E,
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
        let r = match catch_unwind(AssertUnwindSafe(|| work(i))) {
            Ok(r) => r.map_err(Failure::Err),
            Err(payload) => Err(Failure::Panicked(WorkerPanic {
                index: i,
                message: panic_message(&*payload),
            })),
        };
        let mut guard = state.lock().unwrap_or_else(PoisonError::into_inner);
        let (st, fold) = &mut *guard;
        st.ready.insert(i, r);
        fold_ready(st, fold);
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
        None => Ok(()),
        Some(Failure::Err(e)) => Err(e),
        Some(Failure::Panicked(p)) => Err(panicked(p)),
        Some(Failure::Fold(payload)) => resume_unwind(payload),
    }
}

/// Folds the ready results from `st.next` on, in order, until a gap or a failure; a failure
/// (or a panic of `fold`) is recorded in `st.failed` and the waiting results are dropped.
fn fold_ready<T, E>(st: &mut State<T, E>, fold: &mut impl FnMut(usize, T)) {
    while let Some(r) = st.ready.remove(&st.next) {
        let failure = match r {
            Ok(t) => match catch_unwind(AssertUnwindSafe(|| fold(st.next, t))) {
                Ok(()) => {
                    st.next += 1;
                    continue;
                }
                Err(payload) => Failure::Fold(payload),
            },
            Err(f) => f,
        };
        st.failed = Some(failure);
        st.ready.clear();
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::{in_order, in_order_catching, WorkerPanic};
    use std::sync::mpsc;
    use std::time::Duration;

    /// Runs `f` on a thread and fails (instead of hanging the test run) after `secs` seconds.
    fn within<R: Send + 'static>(secs: u64, f: impl FnOnce() -> R + Send + 'static) -> R {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        });
        match rx.recv_timeout(Duration::from_secs(secs)) {
            Ok(Ok(r)) => r,
            Ok(Err(payload)) => std::panic::resume_unwind(payload),
            Err(_) => panic!("the pool did not return within {secs} s"),
        }
    }

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

    #[test]
    fn a_panic_among_many_items_is_an_error_with_its_message_not_a_hang() {
        for workers in [1, 2, 4] {
            let start = std::time::Instant::now();
            let r = within(5, move || {
                in_order_catching(
                    1000,
                    workers,
                    |i| {
                        if i == 300 {
                            panic!("bad item {i}");
                        }
                        Ok(i)
                    },
                    |p| p,
                    |_, _| {},
                )
            });
            assert_eq!(
                r,
                Err(WorkerPanic {
                    index: 300,
                    message: "bad item 300".to_owned()
                }),
                "{workers} workers"
            );
            assert!(
                start.elapsed() < Duration::from_secs(1),
                "{:?}",
                start.elapsed()
            );
            // A `&'static str` payload, and the Display form.
            let r = within(5, move || {
                in_order_catching(
                    1000,
                    workers,
                    |_| -> Result<(), String> { panic!("static") },
                    |p| p.to_string(),
                    |_, _| {},
                )
            });
            assert_eq!(r, Err("item 0 panicked: static".to_owned()));
        }
    }

    #[test]
    fn an_earlier_error_still_wins_over_a_later_panic() {
        let r = within(5, || {
            in_order_catching(
                1000,
                2,
                |i| match i {
                    400 => Err(format!("error {i}")),
                    401..=999 => panic!("boom {i}"),
                    _ => Ok(i),
                },
                |p| format!("panic {}: {}", p.index, p.message),
                |_, _| {},
            )
        });
        assert_eq!(r, Err("error 400".to_owned()));
    }

    #[test]
    fn a_panicking_panic_handler_propagates_instead_of_hanging() {
        // `driftmon-rules` re-raises worker panics from `panicked`.
        let r = within(5, || {
            std::panic::catch_unwind(|| {
                in_order::<usize, String>(
                    1000,
                    2,
                    |i| if i == 10 { panic!("inner") } else { Ok(i) },
                    |i| panic!("item {i} panicked"),
                    |_, _| {},
                )
            })
        });
        let payload = r.expect_err("the handler's panic propagates");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("item 10 panicked")
        );
    }

    #[test]
    fn a_panic_in_fold_is_resumed_on_the_caller_without_hanging() {
        let r = within(5, || {
            std::panic::catch_unwind(|| {
                in_order::<usize, String>(
                    1000,
                    2,
                    Ok,
                    |i| format!("panic {i}"),
                    |i, _| assert!(i != 20, "fold failed at {i}"),
                )
            })
        });
        let payload = r.expect_err("the fold's panic propagates");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("fold failed at 20")
        );
    }
}
