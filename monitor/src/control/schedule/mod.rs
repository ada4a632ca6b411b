//! Schedules: SageMaker/EventBridge schedule expressions, the window each firing analyses, and
//! SageMaker's output layout. Pure: no clock, no I/O; every time is milliseconds since the Unix
//! epoch, evaluated in **UTC**.
//!
//! # Expressions
//!
//! * `cron(minutes hours day-of-month month day-of-week year)`: EventBridge's six fields.
//!
//!   | field | values | accepted |
//!   |---|---|---|
//!   | minutes | 0–59 | `*` `,` `-` `/` |
//!   | hours | 0–23 | `*` `,` `-` `/` |
//!   | day-of-month | 1–31 | `*` `?` `,` `-` `/` `L` `LW` `nW` |
//!   | month | 1–12 or `JAN`–`DEC` | `*` `,` `-` `/` |
//!   | day-of-week | 1–7 or `SUN`–`SAT` (**1 is Sunday**, as in EventBridge, not Unix cron) | `*` `?` `,` `-` `/` `L` `nL` `n#k` |
//!   | year | 1970–2199 | `*` `,` `-` `/` |
//!
//!   Steps are `start/step` (`0/15`, `H/N` such as `2/6`), `*/step` or `a-b/step`. Exactly one of
//!   day-of-month and day-of-week must be `?` (EventBridge's rule). `L` (last day of the month;
//!   alone in day-of-week: Saturday), `LW` (last weekday of the month), `nW` (the weekday
//!   nearest day n, not leaving the month), `nL` (the last weekday n of the month) and `n#k` (the
//!   k-th weekday n of the month) are supported as the **whole** field only (not inside a list),
//!   which is also what EventBridge allows for `#`. Ranges must not wrap (`FRI-MON` is rejected:
//!   write `FRI-SAT,SUN-MON`). Unix five-field crontabs are rejected with a hint.
//! * `rate(N unit)` with `minute`/`minutes`, `hour`/`hours`, `day`/`days`; as in EventBridge the
//!   unit is singular exactly when N is 1. EventBridge counts a rate from the moment the rule is
//!   created; driftmon anchors it at 1970-01-01T00:00Z instead, so that fire times do not depend
//!   on when the daemon started and every process computes the same ones: `rate(15 minutes)`
//!   fires at :00, :15, :30 and :45, `rate(1 day)` at midnight UTC.
//!
//! # Windows
//!
//! A firing at time T analyses the window `[previous fire time, T)`: for an hourly cron that is
//! `[T−1h, T)` (SageMaker: the 01:00 execution analyses hour 00), for `rate(15 minutes)`
//! `[T−15m, T)`, for a daily cron the previous day. For irregular crons (`cron(0 8,17 ? * * *)`)
//! the windows have different lengths but still tile time without gap or overlap.
//!
//! Offsets ([`WindowOffsets`], SageMaker's `StartTimeOffset`/`EndTimeOffset`: negative
//! ISO-8601 durations such as `-PT1H`, `-P1D`, `-PT0H`) are relative to T, as in SageMaker
//! (`-P8D`/`-P1D` at 2020-01-09T13:00 analyse 2020-01-01T13:00 to 2020-01-08T13:00):
//!
//! * both set: `[T + start_offset, T + end_offset)`, exactly SageMaker's semantics;
//! * only `end_offset`: the natural window shifted by it, `[prev + end_offset, T + end_offset)`
//!   (the usual "wait for late data" case: `-PT1H` on an hourly schedule analyses the hour before
//!   the previous one);
//! * only `start_offset`: `[T + start_offset, T)`.
//!
//! With a start offset the windows of successive firings may overlap or leave gaps; that is the
//! user's choice, as in SageMaker.
//!
//! # Output layout
//!
//! [`output_prefix`] gives SageMaker's `{endpoint}/{schedule}/{yyyy}/{mm}/{dd}/{HH}`, where
//! HH is the **scheduled** hour (T, the end of the un-shifted window). Schedules that can fire
//! more than once in a clock hour (sub-hourly, which SageMaker does not offer) get one more
//! level, `{MM}` (the scheduled minute), so that their executions do not overwrite each other.

use std::fmt;

use driftmon_baseline::capture::format_timestamp_ms;
use serde::{Deserialize, Serialize};

mod cron;
mod duration;

pub use cron::Cron;
pub use duration::{format_iso_duration, parse_iso_duration};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
const FIRST_YEAR: i64 = 1970;
const LAST_YEAR: i64 = 2199;

/// A schedule expression that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScheduleError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, ScheduleError> {
    Err(ScheduleError(msg.into()))
}

// ---------------------------------------------------------------------------------------------
// Civil dates (proleptic Gregorian, UTC)
// ---------------------------------------------------------------------------------------------

pub use driftmon_baseline::time::{civil_from_days, days_from_civil, days_in_month, is_leap_year};

/// The EventBridge day of the week of a day number: 1 = Sunday … 7 = Saturday.
fn weekday(days: i64) -> u32 {
    // 1970-01-01 was a Thursday (5).
    ((days + 4).rem_euclid(7) + 1) as u32
}

/// The calendar fields of a time: (year, month, day, hour, minute).
pub fn civil_fields(t_ms: i64) -> (i64, u32, u32, u32, u32) {
    let days = t_ms.div_euclid(DAY_MS);
    let ms = t_ms.rem_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(days);
    (
        y,
        m,
        d,
        (ms / HOUR_MS) as u32,
        ((ms % HOUR_MS) / MINUTE_MS) as u32,
    )
}

// ---------------------------------------------------------------------------------------------
// Windows
// ---------------------------------------------------------------------------------------------

/// One execution's window: the scheduled fire time T and the analysed interval
/// `[start_ms, end_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Window {
    /// The scheduled fire time T (ms): it names the output folder and orders windows.
    pub scheduled_ms: i64,
    /// Window start, inclusive (ms).
    pub start_ms: i64,
    /// Window end, exclusive (ms).
    pub end_ms: i64,
}

impl Window {
    /// The window's length in ms.
    pub fn len_ms(&self) -> i64 {
        self.end_ms - self.start_ms
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}, {}) scheduled {}",
            format_timestamp_ms(self.start_ms),
            format_timestamp_ms(self.end_ms),
            format_timestamp_ms(self.scheduled_ms)
        )
    }
}

/// SageMaker's `StartTimeOffset` / `EndTimeOffset`, in ms relative to the fire time (≤ 0).
/// See the module documentation for how they shape the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowOffsets {
    /// Start offset (ms, ≤ 0); `None`: the previous fire time.
    pub start_ms: Option<i64>,
    /// End offset (ms, ≤ 0); `None`: 0.
    pub end_ms: Option<i64>,
}

impl WindowOffsets {
    /// Parses the optional ISO-8601 offsets and checks them: both ≤ 0, and start < end when both
    /// are given (a start offset alone must be < 0).
    pub fn parse(start: Option<&str>, end: Option<&str>) -> Result<WindowOffsets, ScheduleError> {
        let one = |s: Option<&str>, what: &str| -> Result<Option<i64>, ScheduleError> {
            match s {
                None => Ok(None),
                Some(s) => {
                    let v = parse_iso_duration(s)
                        .map_err(|e| ScheduleError(format!("{what}: {}", e.0)))?;
                    if v > 0 {
                        return err(format!(
                            "{what}: `{}` is positive; offsets look back in time and must be \
                             negative (e.g. -PT1H) or zero",
                            s.trim()
                        ));
                    }
                    Ok(Some(v))
                }
            }
        };
        let o = WindowOffsets {
            start_ms: one(start, "start offset")?,
            end_ms: one(end, "end offset")?,
        };
        o.check()?;
        Ok(o)
    }

    /// Checks offsets built by hand (as [`WindowOffsets::parse`] does).
    pub fn check(&self) -> Result<(), ScheduleError> {
        for v in [self.start_ms, self.end_ms].into_iter().flatten() {
            if v > 0 {
                return err(format!(
                    "offset {} is positive; offsets must be negative or zero",
                    format_iso_duration(v)
                ));
            }
        }
        let end = self.end_ms.unwrap_or(0);
        if let Some(s) = self.start_ms {
            if s >= end {
                return err(format!(
                    "start offset {} must be earlier than end offset {} (the window would be empty)",
                    format_iso_duration(s),
                    format_iso_duration(end)
                ));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Schedule
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Cron(Box<Cron>),
    Rate(i64),
}

/// A parsed schedule expression (`cron(…)` or `rate(…)`), evaluated in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    kind: Kind,
    text: String,
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Schedule {
    type Err = ScheduleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Schedule::parse(s)
    }
}

impl Schedule {
    /// Parses `cron(…)` or `rate(…)`; see the module documentation for the grammar.
    pub fn parse(s: &str) -> Result<Schedule, ScheduleError> {
        let text = s.trim();
        let lower = text.to_ascii_lowercase();
        let inner = |prefix: &str| -> Option<&str> {
            if lower.starts_with(prefix) && text.ends_with(')') {
                Some(&text[prefix.len()..text.len() - 1])
            } else {
                None
            }
        };
        let kind = if let Some(fields) = inner("cron(") {
            let c = Cron::parse_fields(fields)?;
            if c.at_or_after(0).is_none() {
                return err(format!(
                    "`{text}` never fires between 1970 and 2199 (no such date)"
                ));
            }
            Kind::Cron(Box::new(c))
        } else if let Some(body) = inner("rate(") {
            Kind::Rate(parse_rate(body)?)
        } else if text.eq_ignore_ascii_case("now") {
            return err(
                "`NOW` (SageMaker's one-time run) is not a recurring schedule; run a \
                        one-off window with `driftmon run` or a direct invocation instead",
            );
        } else if text.is_empty() {
            return err(
                "empty schedule expression (expected e.g. cron(0 * ? * * *) or \
                        rate(15 minutes))",
            );
        } else {
            return err(format!(
                "`{text}` is not a schedule expression (expected cron(…) with six fields, e.g. \
                 cron(0 * ? * * *), or rate(N minutes|hours|days), e.g. rate(15 minutes))"
            ));
        };
        Ok(Schedule {
            kind,
            text: text.to_owned(),
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The rate's period in ms, for `rate(…)` schedules.
    pub fn rate_ms(&self) -> Option<i64> {
        match self.kind {
            Kind::Rate(p) => Some(p),
            Kind::Cron(_) => None,
        }
    }

    /// Whether the schedule can fire more than once in one clock hour (then the output layout
    /// gains a minute level).
    pub fn sub_hourly(&self) -> bool {
        match &self.kind {
            Kind::Rate(p) => *p < HOUR_MS,
            Kind::Cron(c) => c.minutes.count_ones() > 1,
        }
    }

    /// The first fire time strictly after `t_ms`; `None` past the schedule's last fire (year
    /// 2199 or a year-restricted cron).
    pub fn next_after(&self, t_ms: i64) -> Option<i64> {
        match &self.kind {
            Kind::Rate(p) => t_ms
                .div_euclid(*p)
                .checked_add(1)
                .and_then(|k| k.checked_mul(*p)),
            Kind::Cron(c) => c.at_or_after(t_ms.checked_add(1)?),
        }
    }

    /// The last fire time at or before `t_ms`.
    pub fn at_or_before(&self, t_ms: i64) -> Option<i64> {
        match &self.kind {
            Kind::Rate(p) => t_ms.div_euclid(*p).checked_mul(*p),
            Kind::Cron(c) => c.at_or_before(t_ms),
        }
    }

    /// The last fire time strictly before `t_ms`.
    pub fn prev_before(&self, t_ms: i64) -> Option<i64> {
        self.at_or_before(t_ms.checked_sub(1)?)
    }

    /// Whether the schedule fires exactly at `t_ms`.
    pub fn fires_at(&self, t_ms: i64) -> bool {
        self.at_or_before(t_ms) == Some(t_ms)
    }

    /// The window a firing at `scheduled_ms` analyses: `[previous fire, T)` shifted by the
    /// offsets (module documentation). `None` when no start offset is set and the schedule has
    /// no fire before T (a year-restricted cron at its very first fire).
    pub fn window_for(&self, scheduled_ms: i64, offsets: &WindowOffsets) -> Option<Window> {
        let end_off = offsets.end_ms.unwrap_or(0);
        let start = match offsets.start_ms {
            Some(s) => scheduled_ms + s,
            None => self.prev_before(scheduled_ms)? + end_off,
        };
        Some(Window {
            scheduled_ms,
            start_ms: start,
            end_ms: scheduled_ms + end_off,
        })
    }
}

/// A schedule with its offsets: everything needed to turn fire times into windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowSchedule {
    /// When to fire.
    pub schedule: Schedule,
    /// How each firing's window is shifted.
    pub offsets: WindowOffsets,
}

impl WindowSchedule {
    /// Parses a schedule expression and optional ISO-8601 offsets.
    pub fn parse(
        expression: &str,
        start_offset: Option<&str>,
        end_offset: Option<&str>,
    ) -> Result<WindowSchedule, ScheduleError> {
        Ok(WindowSchedule {
            schedule: Schedule::parse(expression)?,
            offsets: WindowOffsets::parse(start_offset, end_offset)?,
        })
    }

    /// The window of the firing at `scheduled_ms` ([`Schedule::window_for`]).
    pub fn window_at(&self, scheduled_ms: i64) -> Option<Window> {
        self.schedule.window_for(scheduled_ms, &self.offsets)
    }

    /// The window of the first firing strictly after `t_ms` (its `scheduled_ms` is when to wake
    /// up next).
    pub fn next_window_after(&self, t_ms: i64) -> Option<Window> {
        let mut t = t_ms;
        // A fire without a window (no earlier fire and no start offset) can only be the very
        // first one of a year-restricted cron: move on to the next.
        for _ in 0..2 {
            let at = self.schedule.next_after(t)?;
            if let Some(w) = self.window_at(at) {
                return Some(w);
            }
            t = at;
        }
        None
    }
}

fn parse_rate(body: &str) -> Result<i64, ScheduleError> {
    let parts: Vec<&str> = body.split_whitespace().collect();
    let [n, unit] = parts.as_slice() else {
        return err(format!(
            "rate(`{body}`): expected `rate(N unit)`, e.g. rate(15 minutes) or rate(1 hour)"
        ));
    };
    let value: i64 = match n.parse() {
        Ok(v) if v > 0 && n.bytes().all(|b| b.is_ascii_digit()) => v,
        _ => {
            return err(format!(
                "rate: `{n}` must be a positive integer (e.g. rate(15 minutes))"
            ))
        }
    };
    let unit_l = unit.to_ascii_lowercase();
    let (ms, singular, plural) = match unit_l.as_str() {
        "minute" | "minutes" => (MINUTE_MS, "minute", "minutes"),
        "hour" | "hours" => (HOUR_MS, "hour", "hours"),
        "day" | "days" => (DAY_MS, "day", "days"),
        _ => {
            return err(format!(
                "rate: unknown unit `{unit}` (minute(s), hour(s) or day(s))"
            ))
        }
    };
    if value == 1 && unit_l != singular {
        return err(format!(
            "rate: write `rate(1 {singular})`: EventBridge wants the singular unit for 1"
        ));
    }
    if value != 1 && unit_l != plural {
        return err(format!(
            "rate: write `rate({value} {plural})`: EventBridge wants the plural unit for values \
             other than 1"
        ));
    }
    value
        .checked_mul(ms)
        .ok_or_else(|| ScheduleError(format!("rate({body}) is too long")))
}

/// SageMaker's output folder for a scheduled execution, relative to the monitor's output
/// location, without a trailing slash: `{endpoint}/{schedule}/{yyyy}/{mm}/{dd}/{HH}` with the
/// **scheduled** time's date and hour (batch-transform monitors have no endpoint level: pass
/// `None`). `sub_hourly` ([`Schedule::sub_hourly`]) adds `/{MM}`, the scheduled minute.
pub fn output_prefix(
    endpoint: Option<&str>,
    schedule_name: &str,
    window: &Window,
    sub_hourly: bool,
) -> String {
    let (y, m, d, hh, mm) = civil_fields(window.scheduled_ms);
    let mut s = String::new();
    if let Some(e) = endpoint {
        s.push_str(e);
        s.push('/');
    }
    s.push_str(&format!("{schedule_name}/{y:04}/{m:02}/{d:02}/{hh:02}"));
    if sub_hourly {
        s.push_str(&format!("/{mm:02}"));
    }
    s
}

#[cfg(test)]
mod tests;
