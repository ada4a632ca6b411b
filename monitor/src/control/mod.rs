//! The pure decisions of the daemon and the Lambda: schedule expressions and windows
//! ([`schedule`]), the per-monitor state with its leases and the alerting policy ([`state`]).
//!
//! Pure: no tokio, no AWS crate, no clock, no I/O (times are passed in, the state store is a
//! port). `scripts/test.sh` checks that nothing here imports another room of this crate but
//! `control` itself, nor tokio or an AWS crate.

pub mod policy;
pub mod schedule;
pub mod state;
