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
//! Offsets ([`WindowOffsets`], SageMaker's `StartTimeOffset`/`EndTimeOffset`, §2.4: negative
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
//! [`output_prefix`] gives SageMaker's `{endpoint}/{schedule}/{yyyy}/{mm}/{dd}/{HH}` (§8.1), where
//! HH is the **scheduled** hour (T, the end of the un-shifted window). Schedules that can fire
//! more than once in a clock hour (sub-hourly, which SageMaker does not offer) get one more
//! level, `{MM}` (the scheduled minute), so that their executions do not overwrite each other.

use std::fmt;

use driftmon_baseline::capture::format_timestamp_ms;
use serde::{Deserialize, Serialize};

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

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let (m, d) = (i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1–12, day 1–31) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Whether a year is a Gregorian leap year.
pub fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The number of days of a month (1–12).
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap_year(y) => 29,
        _ => 28,
    }
}

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
// ISO-8601 durations
// ---------------------------------------------------------------------------------------------

/// Parses an ISO-8601 duration (`PT1H`, `-P1D`, `-PT0H`, `P1DT12H`, `PT90M`, `P2W`) into
/// signed milliseconds. Years and months are rejected (they have no fixed length: use days), as
/// are fractions.
pub fn parse_iso_duration(s: &str) -> Result<i64, ScheduleError> {
    let src = s.trim();
    let (neg, body) = match src.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, src.strip_prefix('+').unwrap_or(src)),
    };
    let Some(body) = body.strip_prefix('P').or_else(|| body.strip_prefix('p')) else {
        return err(format!(
            "`{src}` is not an ISO-8601 duration (expected e.g. -PT1H or -P1D)"
        ));
    };
    let mut total: i64 = 0;
    let mut in_time = false;
    let mut digits = String::new();
    let mut any = false;
    for c in body.chars() {
        let c = c.to_ascii_uppercase();
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if c == 'T' {
            if in_time || !digits.is_empty() {
                return err(format!("`{src}`: misplaced `T`"));
            }
            in_time = true;
            continue;
        }
        if c == '.' || c == ',' {
            return err(format!(
                "`{src}`: fractions are not supported; use a smaller unit (PT90M, not PT1.5H)"
            ));
        }
        if digits.is_empty() {
            return err(format!("`{src}`: `{c}` has no number before it"));
        }
        let n: i64 = digits
            .parse()
            .map_err(|_| ScheduleError(format!("`{src}`: number too large")))?;
        digits.clear();
        let unit = match (in_time, c) {
            (false, 'W') => 7 * DAY_MS,
            (false, 'D') => DAY_MS,
            (true, 'H') => HOUR_MS,
            (true, 'M') => MINUTE_MS,
            (true, 'S') => 1000,
            (false, 'Y') | (false, 'M') => {
                return err(format!(
                    "`{src}`: years and months have no fixed length; use days (e.g. -P30D)"
                ))
            }
            (true, 'D') => {
                return err(format!(
                    "`{src}`: days belong before the `T` (write -P2D, not -PT2D)"
                ))
            }
            (false, 'H') | (false, 'S') => {
                return err(format!(
                    "`{src}`: hours, minutes and seconds need a `T` first (write -PT1H, not -P1H)"
                ))
            }
            _ => return err(format!("`{src}`: unknown unit `{c}`")),
        };
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| ScheduleError(format!("`{src}`: duration too long")))?;
        any = true;
    }
    if !digits.is_empty() {
        return err(format!("`{src}`: the number {digits} has no unit"));
    }
    if !any {
        return err(format!("`{src}`: empty duration"));
    }
    Ok(if neg { -total } else { total })
}

/// Formats milliseconds as a compact ISO-8601 duration (`-PT1H`, `P1DT2H30M`, `PT0S`).
pub fn format_iso_duration(ms: i64) -> String {
    let mut s = String::new();
    if ms < 0 {
        s.push('-');
    }
    let mut rest = ms.unsigned_abs();
    s.push('P');
    let days = rest / DAY_MS as u64;
    rest %= DAY_MS as u64;
    if days > 0 {
        s.push_str(&format!("{days}D"));
    }
    if rest > 0 || days == 0 {
        s.push('T');
        let (h, m, sec, milli) = (
            rest / HOUR_MS as u64,
            (rest % HOUR_MS as u64) / MINUTE_MS as u64,
            (rest % MINUTE_MS as u64) / 1000,
            rest % 1000,
        );
        if h > 0 {
            s.push_str(&format!("{h}H"));
        }
        if m > 0 {
            s.push_str(&format!("{m}M"));
        }
        if sec > 0 || milli > 0 || (h == 0 && m == 0) {
            if milli > 0 {
                s.push_str(&format!("{sec}.{milli:03}S"));
            } else {
                s.push_str(&format!("{sec}S"));
            }
        }
    }
    s
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
// Cron
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum DomSpec {
    /// `?`
    Any,
    /// Bits 1..=31.
    Set(u32),
    /// `L`
    Last,
    /// `LW`
    LastWeekday,
    /// `nW`
    NearestWeekday(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DowSpec {
    /// `?`
    Any,
    /// Bits 1..=7 (1 = Sunday).
    Set(u32),
    /// `nL`: the last weekday n of the month.
    Last(u32),
    /// `n#k`: the k-th weekday n of the month.
    Nth(u32, u32),
}

/// A parsed EventBridge cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    dom: DomSpec,
    months: u32,
    dow: DowSpec,
    /// Bit i: year 1970 + i.
    years: [u64; 4],
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

struct Field {
    name: &'static str,
    lo: u32,
    hi: u32,
    names: &'static [&'static str],
}

const F_MIN: Field = Field {
    name: "minutes",
    lo: 0,
    hi: 59,
    names: &[],
};
const F_HOUR: Field = Field {
    name: "hours",
    lo: 0,
    hi: 23,
    names: &[],
};
const F_DOM: Field = Field {
    name: "day-of-month",
    lo: 1,
    hi: 31,
    names: &[],
};
const F_MONTH: Field = Field {
    name: "month",
    lo: 1,
    hi: 12,
    names: &MONTHS,
};
const F_DOW: Field = Field {
    name: "day-of-week",
    lo: 1,
    hi: 7,
    names: &DAYS,
};
const F_YEAR: Field = Field {
    name: "year",
    lo: FIRST_YEAR as u32,
    hi: LAST_YEAR as u32,
    names: &[],
};

impl Field {
    fn value(&self, s: &str) -> Result<u32, ScheduleError> {
        let up = s.to_ascii_uppercase();
        if let Some(i) = self.names.iter().position(|n| *n == up) {
            return Ok(self.lo + i as u32);
        }
        let v: u32 = match s.parse() {
            Ok(v) if s.bytes().all(|b| b.is_ascii_digit()) => v,
            _ => {
                let hint = if self.names.is_empty() {
                    String::new()
                } else {
                    format!(" or {}–{}", self.names[0], self.names[self.names.len() - 1])
                };
                return err(format!(
                    "{}: `{s}` is not a value ({}–{}{hint})",
                    self.name, self.lo, self.hi
                ));
            }
        };
        if v < self.lo || v > self.hi {
            let extra = if self.name == "day-of-week" && v == 0 {
                " (EventBridge numbers days 1 = SUN … 7 = SAT; Unix's 0 for Sunday is 1 here)"
            } else {
                ""
            };
            return err(format!(
                "{}: {v} is out of range {}–{}{extra}",
                self.name, self.lo, self.hi
            ));
        }
        Ok(v)
    }

    /// Parses `*`, lists, ranges and steps into the list of values.
    fn values(&self, spec: &str) -> Result<Vec<u32>, ScheduleError> {
        let mut out = Vec::new();
        for part in spec.split(',') {
            if part.is_empty() {
                return err(format!("{}: empty list element in `{spec}`", self.name));
            }
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => {
                    let step: u32 = match s.parse() {
                        Ok(v) if v > 0 && s.bytes().all(|b| b.is_ascii_digit()) => v,
                        _ => {
                            return err(format!(
                                "{}: step `{s}` in `{part}` must be a positive integer",
                                self.name
                            ))
                        }
                    };
                    (r, Some(step))
                }
                None => (part, None),
            };
            let (a, b) = if range == "*" {
                (self.lo, self.hi)
            } else if let Some((a, b)) = range.split_once('-') {
                let (a, b) = (self.value(a)?, self.value(b)?);
                if a > b {
                    return err(format!(
                        "{}: range `{range}` runs backwards (ranges do not wrap around; split it \
                         into two)",
                        self.name
                    ));
                }
                (a, b)
            } else {
                let a = self.value(range)?;
                // `a/step` runs to the end of the field, as in EventBridge (`0/15`, `2/6`).
                (a, if step.is_some() { self.hi } else { a })
            };
            let step = step.unwrap_or(1);
            let mut v = a;
            while v <= b {
                out.push(v);
                v += step;
            }
        }
        Ok(out)
    }

    fn bits(&self, spec: &str) -> Result<u64, ScheduleError> {
        if spec == "?" {
            return err(format!(
                "{}: `?` is only allowed in day-of-month or day-of-week",
                self.name
            ));
        }
        if spec.contains(['L', 'W', '#', 'l', 'w']) && self.names.is_empty() {
            return err(format!(
                "{}: `{spec}`: L, W and # are only allowed in day-of-month or day-of-week",
                self.name
            ));
        }
        Ok(self.values(spec)?.iter().fold(0u64, |b, v| b | (1 << v)))
    }
}

fn parse_dom(spec: &str) -> Result<DomSpec, ScheduleError> {
    let up = spec.to_ascii_uppercase();
    match up.as_str() {
        "?" => return Ok(DomSpec::Any),
        "L" => return Ok(DomSpec::Last),
        "LW" => return Ok(DomSpec::LastWeekday),
        _ => {}
    }
    if let Some(n) = up.strip_suffix('W') {
        if n.contains([',', '-', '/', '*']) {
            return err(format!(
                "day-of-month: `{spec}`: W takes a single day (e.g. 15W), not a list or range"
            ));
        }
        return Ok(DomSpec::NearestWeekday(F_DOM.value(n)?));
    }
    if up.contains(['L', 'W', '#']) {
        return err(format!(
            "day-of-month: `{spec}`: L, LW and nW must be the whole field (and # belongs to \
             day-of-week)"
        ));
    }
    Ok(DomSpec::Set(
        F_DOM.values(spec)?.iter().fold(0, |b, v| b | (1 << v)),
    ))
}

fn parse_dow(spec: &str) -> Result<DowSpec, ScheduleError> {
    let up = spec.to_ascii_uppercase();
    if up == "?" {
        return Ok(DowSpec::Any);
    }
    if up == "L" {
        return Ok(DowSpec::Set(1 << 7)); // the last day of the week: Saturday
    }
    if let Some((d, k)) = up.split_once('#') {
        if d.contains([',', '-', '/', '*']) || k.contains([',', '-', '/', '*']) {
            return err(format!(
                "day-of-week: `{spec}`: # takes one day and one instance (e.g. 3#2, the second \
                 Tuesday); lists are not allowed with #"
            ));
        }
        let k: u32 = match k.parse() {
            Ok(v) if (1..=5).contains(&v) => v,
            _ => {
                return err(format!(
                    "day-of-week: `{spec}`: the instance after # must be 1–5"
                ))
            }
        };
        return Ok(DowSpec::Nth(F_DOW.value(d)?, k));
    }
    if let Some(d) = up.strip_suffix('L') {
        if d.contains([',', '-', '/', '*']) {
            return err(format!(
                "day-of-week: `{spec}`: nL takes a single day (e.g. 6L, the last Friday)"
            ));
        }
        return Ok(DowSpec::Last(F_DOW.value(d)?));
    }
    let without_names = DAYS.iter().fold(up.clone(), |s, d| s.replace(d, ""));
    if without_names.contains(['L', 'W']) {
        return err(format!(
            "day-of-week: `{spec}`: L must be the whole field (L or nL), and W belongs to \
             day-of-month"
        ));
    }
    Ok(DowSpec::Set(
        F_DOW.values(spec)?.iter().fold(0, |b, v| b | (1 << v)),
    ))
}

impl Cron {
    /// Parses the six fields (the text between `cron(` and `)`).
    pub fn parse_fields(fields: &str) -> Result<Cron, ScheduleError> {
        let f: Vec<&str> = fields.split_whitespace().collect();
        if f.len() != 6 {
            let hint = if f.len() == 5 {
                "; EventBridge cron has a sixth field, the year, and uses `?` in day-of-month or \
                 day-of-week (hourly: cron(0 * ? * * *))"
            } else {
                ""
            };
            return err(format!(
                "cron needs 6 fields (minutes hours day-of-month month day-of-week year), got \
                 {}{hint}",
                f.len()
            ));
        }
        let minutes = F_MIN.bits(f[0])?;
        let hours = F_HOUR.bits(f[1])? as u32;
        let dom = parse_dom(f[2])?;
        let months = F_MONTH.bits(f[3])? as u32;
        let dow = parse_dow(f[4])?;
        match (&dom, &dow) {
            (DomSpec::Any, DowSpec::Any) => {
                return err(
                    "day-of-month and day-of-week are both `?`: one of them must name \
                            days (e.g. `*`)",
                )
            }
            (DomSpec::Any, _) | (_, DowSpec::Any) => {}
            _ => {
                return err(format!(
                    "day-of-month `{}` and day-of-week `{}` are both set: EventBridge requires \
                     `?` in one of them",
                    f[2], f[4]
                ))
            }
        }
        let mut years = [0u64; 4];
        if f[5] == "?" {
            return err("year: `?` is only allowed in day-of-month or day-of-week");
        }
        if f[5].contains(['L', 'W', '#', 'l', 'w']) {
            return err(format!(
                "year: `{}`: L, W and # are only allowed in day-of-month or day-of-week",
                f[5]
            ));
        }
        for y in F_YEAR.values(f[5])? {
            let i = (i64::from(y) - FIRST_YEAR) as usize;
            years[i / 64] |= 1 << (i % 64);
        }
        Ok(Cron {
            minutes,
            hours,
            dom,
            months,
            dow,
            years,
        })
    }

    fn year_ok(&self, y: i64) -> bool {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&y) {
            return false;
        }
        let i = (y - FIRST_YEAR) as usize;
        self.years[i / 64] & (1 << (i % 64)) != 0
    }

    fn month_ok(&self, m: u32) -> bool {
        self.months & (1 << m) != 0
    }

    fn day_ok(&self, y: i64, m: u32, d: u32, days: i64) -> bool {
        let dim = days_in_month(y, m);
        let wd = weekday(days);
        let dom = match self.dom {
            DomSpec::Any => true,
            DomSpec::Set(b) => b & (1 << d) != 0,
            DomSpec::Last => d == dim,
            DomSpec::LastWeekday => {
                let last_wd = weekday(days - i64::from(d) + i64::from(dim));
                let lw = match last_wd {
                    1 => dim - 2, // Sunday → Friday
                    7 => dim - 1, // Saturday → Friday
                    _ => dim,
                };
                d == lw
            }
            DomSpec::NearestWeekday(n) => {
                if n > dim {
                    false
                } else {
                    let wd_n = weekday(days - i64::from(d) + i64::from(n));
                    let target = match wd_n {
                        7 if n == 1 => 3,       // Saturday the 1st → Monday the 3rd
                        7 => n - 1,             // Saturday → Friday
                        1 if n == dim => n - 2, // Sunday the last → Friday
                        1 => n + 1,             // Sunday → Monday
                        _ => n,
                    };
                    d == target
                }
            }
        };
        let dow = match self.dow {
            DowSpec::Any => true,
            DowSpec::Set(b) => b & (1 << wd) != 0,
            DowSpec::Last(x) => wd == x && d + 7 > dim,
            DowSpec::Nth(x, k) => wd == x && (d - 1) / 7 + 1 == k,
        };
        dom && dow
    }

    /// The first minute of the day ≥ `from` (minute of day) that fires.
    fn first_in_day(&self, from: u32) -> Option<u32> {
        (from / 60..24)
            .filter(|h| self.hours & (1 << h) != 0)
            .find_map(|h| {
                let m0 = if h == from / 60 { from % 60 } else { 0 };
                (m0..60)
                    .find(|m| self.minutes & (1 << m) != 0)
                    .map(|m| h * 60 + m)
            })
    }

    /// The last minute of the day ≤ `upto` (minute of day) that fires.
    fn last_in_day(&self, upto: u32) -> Option<u32> {
        (0..=upto / 60)
            .rev()
            .filter(|h| self.hours & (1 << h) != 0)
            .find_map(|h| {
                let m1 = if h == upto / 60 { upto % 60 } else { 59 };
                (0..=m1)
                    .rev()
                    .find(|m| self.minutes & (1 << m) != 0)
                    .map(|m| h * 60 + m)
            })
    }

    /// The first fire time ≥ `t_ms` (rounded up to a whole minute).
    fn at_or_after(&self, t_ms: i64) -> Option<i64> {
        let minute = t_ms.div_euclid(MINUTE_MS) + i64::from(t_ms.rem_euclid(MINUTE_MS) != 0);
        let mut days = minute.div_euclid(1440);
        let mut from = minute.rem_euclid(1440) as u32;
        loop {
            let (y, m, d) = civil_from_days(days);
            if y > LAST_YEAR {
                return None;
            }
            if !self.year_ok(y) {
                days = days_from_civil(y + 1, 1, 1);
                from = 0;
                continue;
            }
            if !self.month_ok(m) {
                days = if m == 12 {
                    days_from_civil(y + 1, 1, 1)
                } else {
                    days_from_civil(y, m + 1, 1)
                };
                from = 0;
                continue;
            }
            if self.day_ok(y, m, d, days) {
                if let Some(mod_) = self.first_in_day(from) {
                    return Some(days * DAY_MS + i64::from(mod_) * MINUTE_MS);
                }
            }
            days += 1;
            from = 0;
        }
    }

    /// The last fire time ≤ `t_ms`.
    fn at_or_before(&self, t_ms: i64) -> Option<i64> {
        let minute = t_ms.div_euclid(MINUTE_MS);
        let mut days = minute.div_euclid(1440);
        let mut upto = minute.rem_euclid(1440) as u32;
        loop {
            let (y, m, d) = civil_from_days(days);
            if y < FIRST_YEAR {
                return None;
            }
            if !self.year_ok(y) {
                days = days_from_civil(y, 1, 1) - 1;
                upto = 1439;
                continue;
            }
            if !self.month_ok(m) {
                days = days_from_civil(y, m, 1) - 1;
                upto = 1439;
                continue;
            }
            if self.day_ok(y, m, d, days) {
                if let Some(mod_) = self.last_in_day(upto) {
                    return Some(days * DAY_MS + i64::from(mod_) * MINUTE_MS);
                }
            }
            days -= 1;
            upto = 1439;
        }
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

/// SageMaker's output folder for a scheduled execution (§8.1), relative to the monitor's output
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
mod tests {
    use super::*;
    use driftmon_baseline::capture::parse_timestamp_ms;

    fn t(s: &str) -> i64 {
        parse_timestamp_ms(s).unwrap_or_else(|| panic!("bad timestamp {s}"))
    }
    fn f(ms: i64) -> String {
        format_timestamp_ms(ms)
    }
    fn sched(s: &str) -> Schedule {
        Schedule::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    fn next(s: &str, from: &str) -> String {
        f(sched(s).next_after(t(from)).unwrap())
    }
    fn prev(s: &str, from: &str) -> String {
        f(sched(s).prev_before(t(from)).unwrap())
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!(d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(weekday(0), 5); // Thursday
        assert_eq!(weekday(days_from_civil(2024, 2, 29)), 5); // Thursday
        assert_eq!(weekday(days_from_civil(2026, 11, 22)), 1); // Sunday
        assert!(is_leap_year(2000) && !is_leap_year(1900) && is_leap_year(2024));
    }

    #[test]
    fn valid_expressions() {
        for s in [
            "cron(0 * ? * * *)",
            "cron(0 * * * ? *)",
            "cron(0 0 ? * * *)",
            "cron(0 2/6 ? * * *)",
            "cron(0/15 * * * ? *)",
            "cron(*/5 8-17 ? * MON-FRI *)",
            "cron(0 12 L * ? *)",
            "cron(0 12 LW * ? *)",
            "cron(0 12 15W * ? *)",
            "cron(0 12 ? * 6L *)",
            "cron(0 12 ? * 3#2 *)",
            "cron(0 12 ? * L *)",
            "cron(0 0 1 JAN,jul ? 2030-2032)",
            "cron(5,35 1-3,20 ? * SUN,7 *)",
            "CRON(0 * ? * * *)",
            "rate(15 minutes)",
            "rate(1 minute)",
            "rate(1 hour)",
            "rate(6 hours)",
            "rate(1 day)",
            "rate(7 days)",
            "  rate(15 minutes) ",
        ] {
            assert!(Schedule::parse(s).is_ok(), "{s}: {:?}", Schedule::parse(s));
        }
    }

    #[test]
    fn invalid_expressions_say_why() {
        for (s, msg) in [
            ("", "empty schedule"),
            ("hourly", "is not a schedule expression"),
            ("NOW", "not a recurring schedule"),
            ("cron(0 * * * *)", "sixth field, the year"),
            ("cron(0 * * * * * *)", "got 7"),
            ("cron(60 * ? * * *)", "minutes: 60 is out of range 0–59"),
            ("cron(0 24 ? * * *)", "hours: 24 is out of range"),
            ("cron(0 * 32 * ? *)", "day-of-month: 32 is out of range"),
            ("cron(0 * ? 13 * *)", "month: 13 is out of range"),
            (
                "cron(0 * ? FOO * *)",
                "month: `FOO` is not a value (1–12 or JAN–DEC)",
            ),
            ("cron(0 * ? * 0 *)", "1 = SUN"),
            (
                "cron(0 * ? * * 2200)",
                "year: 2200 is out of range 1970–2199",
            ),
            (
                "cron(0 * * * * *)",
                "EventBridge requires `?` in one of them",
            ),
            ("cron(0 * ? * ? *)", "both `?`"),
            ("cron(0/0 * ? * * *)", "step `0`"),
            ("cron(0 5-2 ? * * *)", "runs backwards"),
            ("cron(0 * ? * FRI-MON *)", "runs backwards"),
            ("cron(? * ? * * *)", "minutes: `?` is only allowed"),
            ("cron(0 L ? * * *)", "hours: `L`"),
            ("cron(0 * 1,L * ? *)", "must be the whole field"),
            ("cron(0 * ? * 3#1,6#3 *)", "lists are not allowed with #"),
            ("cron(0 * ? * 3#6 *)", "must be 1–5"),
            ("cron(0 * 1-5W * ? *)", "W takes a single day"),
            ("cron(0 * ? * 1W *)", "W belongs to day-of-month"),
            ("cron(0 * , * ? *)", "empty list element"),
            ("cron(a * ? * * *)", "minutes: `a` is not a value"),
            ("rate(15 minute)", "rate(15 minutes)"),
            ("rate(1 minutes)", "rate(1 minute)"),
            ("rate(0 minutes)", "positive integer"),
            ("rate(-5 minutes)", "positive integer"),
            ("rate(1.5 hours)", "positive integer"),
            ("rate(2 weeks)", "unknown unit `weeks`"),
            ("rate(15)", "expected `rate(N unit)`"),
            ("cron(0 0 30 2 ? *)", "never fires"),
        ] {
            let e = Schedule::parse(s).expect_err(s).to_string();
            assert!(e.contains(msg), "{s}: got `{e}`, expected `{msg}`");
        }
    }

    #[test]
    fn hourly_next_prev_and_window() {
        for s in ["cron(0 * ? * * *)", "cron(0 * * * ? *)", "rate(1 hour)"] {
            let sc = sched(s);
            assert_eq!(
                next(s, "2026-11-21T13:00:00Z"),
                "2026-11-21T14:00:00Z",
                "{s}"
            );
            assert_eq!(
                next(s, "2026-11-21T13:59:59Z"),
                "2026-11-21T14:00:00Z",
                "{s}"
            );
            assert_eq!(
                prev(s, "2026-11-21T14:00:00Z"),
                "2026-11-21T13:00:00Z",
                "{s}"
            );
            assert_eq!(prev(s, "2026-11-21T14:00:00.001Z"), "2026-11-21T14:00:00Z");
            assert!(sc.fires_at(t("2026-11-21T14:00:00Z")));
            assert!(!sc.fires_at(t("2026-11-21T14:01:00Z")));
            assert!(!sc.sub_hourly());
            // SageMaker: the 01:00 execution analyses hour 00.
            let w = sc
                .window_for(t("2022-04-18T01:00:00Z"), &WindowOffsets::default())
                .unwrap();
            assert_eq!(
                (f(w.start_ms), f(w.end_ms)),
                ("2022-04-18T00:00:00Z".into(), "2022-04-18T01:00:00Z".into())
            );
            // Across a year boundary.
            assert_eq!(next(s, "2026-12-31T23:30:00Z"), "2027-01-01T00:00:00Z");
            assert_eq!(prev(s, "2027-01-01T00:00:00Z"), "2026-12-31T23:00:00Z");
        }
    }

    #[test]
    fn daily_and_every_n_hours() {
        let daily = "cron(0 0 ? * * *)";
        assert_eq!(next(daily, "2024-02-28T00:00:00Z"), "2024-02-29T00:00:00Z");
        assert_eq!(next(daily, "2024-02-29T00:00:00Z"), "2024-03-01T00:00:00Z");
        assert_eq!(next(daily, "2023-02-28T00:00:00Z"), "2023-03-01T00:00:00Z");
        assert_eq!(next(daily, "2026-12-31T05:00:00Z"), "2027-01-01T00:00:00Z");
        let w = sched(daily)
            .window_for(t("2024-03-01T00:00:00Z"), &WindowOffsets::default())
            .unwrap();
        assert_eq!(f(w.start_ms), "2024-02-29T00:00:00Z");
        assert_eq!(w.len_ms(), DAY_MS);

        let at5 = "cron(0 5 ? * * *)";
        assert_eq!(next(at5, "2020-02-20T05:00:00Z"), "2020-02-21T05:00:00Z");
        assert_eq!(prev(at5, "2020-02-20T05:00:00Z"), "2020-02-19T05:00:00Z");

        // Every 6 hours from 02:00: 02, 08, 14, 20.
        let six = "cron(0 2/6 ? * * *)";
        assert_eq!(next(six, "2026-01-31T20:00:00Z"), "2026-02-01T02:00:00Z");
        assert_eq!(next(six, "2026-02-01T02:00:00Z"), "2026-02-01T08:00:00Z");
        assert_eq!(prev(six, "2026-02-01T02:00:00Z"), "2026-01-31T20:00:00Z");
        let w = sched(six)
            .window_for(t("2026-02-01T02:00:00Z"), &WindowOffsets::default())
            .unwrap();
        assert_eq!(w.len_ms(), 6 * HOUR_MS);

        // Irregular: 08:00 and 17:00 → windows of 9 and 15 hours that tile the day.
        let irr = sched("cron(0 8,17 ? * * *)");
        let a = irr
            .window_for(t("2026-03-02T08:00:00Z"), &WindowOffsets::default())
            .unwrap();
        let b = irr
            .window_for(t("2026-03-02T17:00:00Z"), &WindowOffsets::default())
            .unwrap();
        assert_eq!(a.end_ms, b.start_ms);
        assert_eq!((a.len_ms(), b.len_ms()), (15 * HOUR_MS, 9 * HOUR_MS));
    }

    #[test]
    fn rate_15_minutes() {
        let s = "rate(15 minutes)";
        let sc = sched(s);
        assert!(sc.sub_hourly());
        assert_eq!(sc.rate_ms(), Some(15 * MINUTE_MS));
        assert_eq!(next(s, "2024-02-29T23:50:00Z"), "2024-03-01T00:00:00Z");
        assert_eq!(next(s, "2024-02-29T23:45:00Z"), "2024-03-01T00:00:00Z");
        assert_eq!(next(s, "2024-02-29T23:44:59Z"), "2024-02-29T23:45:00Z");
        assert_eq!(prev(s, "2025-01-01T00:00:00Z"), "2024-12-31T23:45:00Z");
        let w = sc
            .window_for(t("2025-01-01T00:00:00Z"), &WindowOffsets::default())
            .unwrap();
        assert_eq!(
            (f(w.start_ms), f(w.end_ms)),
            ("2024-12-31T23:45:00Z".into(), "2025-01-01T00:00:00Z".into())
        );
        // The same fire times as cron(0/15 * ? * * *).
        let c = sched("cron(0/15 * ? * * *)");
        let mut a = t("2024-12-31T22:58:00Z");
        for _ in 0..20 {
            let n = sc.next_after(a).unwrap();
            assert_eq!(Some(n), c.next_after(a));
            a = n;
        }
        assert!(c.sub_hourly());
    }

    #[test]
    fn calendar_specials() {
        // Last day of February, leap and not.
        assert_eq!(
            next("cron(0 12 L * ? *)", "2024-02-01T00:00:00Z"),
            "2024-02-29T12:00:00Z"
        );
        assert_eq!(
            next("cron(0 12 L * ? *)", "2023-02-01T00:00:00Z"),
            "2023-02-28T12:00:00Z"
        );
        // 31st only in months that have it.
        assert_eq!(
            next("cron(0 0 31 * ? *)", "2026-04-01T00:00:00Z"),
            "2026-05-31T00:00:00Z"
        );
        // Feb 29th: the next leap year.
        assert_eq!(
            next("cron(0 0 29 2 ? *)", "2024-03-01T00:00:00Z"),
            "2028-02-29T00:00:00Z"
        );
        assert_eq!(
            prev("cron(0 0 29 2 ? *)", "2028-02-29T00:00:00Z"),
            "2024-02-29T00:00:00Z"
        );
        // Last weekday: 2026-05-31 is a Sunday → Friday 29th.
        assert_eq!(
            next("cron(0 9 LW * ? *)", "2026-05-01T00:00:00Z"),
            "2026-05-29T09:00:00Z"
        );
        // Nearest weekday to the 1st, a Saturday (2026-08-01) → Monday 3rd.
        assert_eq!(
            next("cron(0 9 1W * ? *)", "2026-07-31T00:00:00Z"),
            "2026-08-03T09:00:00Z"
        );
        // Nearest weekday to the 15th, a Sunday (2026-03-15) → Monday 16th.
        assert_eq!(
            next("cron(0 9 15W * ? *)", "2026-03-01T00:00:00Z"),
            "2026-03-16T09:00:00Z"
        );
        // Last Friday of November 2026: the 27th.
        assert_eq!(
            next("cron(0 9 ? * 6L *)", "2026-11-01T00:00:00Z"),
            "2026-11-27T09:00:00Z"
        );
        // Second Tuesday of December 2026: the 8th.
        assert_eq!(
            next("cron(0 9 ? * 3#2 *)", "2026-12-01T00:00:00Z"),
            "2026-12-08T09:00:00Z"
        );
        // Weekdays only: Friday evening → Monday.
        assert_eq!(
            next("cron(0 18 ? * MON-FRI *)", "2026-11-20T18:00:00Z"),
            "2026-11-23T18:00:00Z"
        );
        assert_eq!(
            next("cron(0 0 ? * L *)", "2026-11-22T00:00:00Z"),
            "2026-11-28T00:00:00Z"
        );
        // Years.
        let y = sched("cron(0 0 1 1 ? 2030-2031)");
        assert_eq!(
            f(y.next_after(t("2026-01-01T00:00:00Z")).unwrap()),
            "2030-01-01T00:00:00Z"
        );
        assert_eq!(
            f(y.next_after(t("2030-01-01T00:00:00Z")).unwrap()),
            "2031-01-01T00:00:00Z"
        );
        assert_eq!(y.next_after(t("2031-01-01T00:00:00Z")), None);
        assert_eq!(y.prev_before(t("2030-01-01T00:00:00Z")), None);
        assert_eq!(
            y.window_for(t("2030-01-01T00:00:00Z"), &WindowOffsets::default()),
            None
        );
        assert_eq!(sched("rate(1 day)").next_after(i64::MAX), None);
    }

    #[test]
    fn next_and_prev_agree_with_brute_force() {
        let start = t("2024-02-27T22:00:00Z");
        for s in [
            "cron(0/7 */5 ? * MON,WED,FRI *)",
            "cron(30 1 L * ? *)",
            "cron(0 12 ? * 2#1 *)",
            "cron(15 3 10W * ? *)",
        ] {
            let sc = sched(s);
            let fires: Vec<i64> = (0..(40 * 24 * 60))
                .map(|i| start + i * MINUTE_MS)
                .filter(|&m| sc.fires_at(m))
                .collect();
            assert!(!fires.is_empty(), "{s}");
            for w in fires.windows(2) {
                assert_eq!(sc.next_after(w[0]), Some(w[1]), "{s}");
                assert_eq!(sc.prev_before(w[1]), Some(w[0]), "{s}");
                assert_eq!(sc.next_after(w[1] - 1), Some(w[1]), "{s}");
            }
        }
    }

    #[test]
    fn offsets() {
        let h = sched("cron(0 * ? * * *)");
        let at = t("2026-11-21T14:00:00Z");
        let w = |s: Option<&str>, e: Option<&str>| {
            let o = WindowOffsets::parse(s, e).unwrap();
            let w = h.window_for(at, &o).unwrap();
            (f(w.start_ms), f(w.end_ms), f(w.scheduled_ms))
        };
        let hour = |a: &str, b: &str| (a.to_owned(), b.to_owned(), f(at));
        assert_eq!(
            w(Some("-PT1H"), Some("-PT0H")),
            hour("2026-11-21T13:00:00Z", "2026-11-21T14:00:00Z")
        );
        assert_eq!(
            w(None, Some("-PT1H")),
            hour("2026-11-21T12:00:00Z", "2026-11-21T13:00:00Z")
        );
        assert_eq!(
            w(Some("-PT3H"), None),
            hour("2026-11-21T11:00:00Z", "2026-11-21T14:00:00Z")
        );
        // SageMaker's docs: a job at 2020-01-09T13:00 with -P8D/-P1D.
        let d = sched("cron(0 13 ? * * *)");
        let o = WindowOffsets::parse(Some("-P8D"), Some("-P1D")).unwrap();
        let w = d.window_for(t("2020-01-09T13:00:00Z"), &o).unwrap();
        assert_eq!(f(w.start_ms), "2020-01-01T13:00:00Z");
        assert_eq!(f(w.end_ms), "2020-01-08T13:00:00Z");

        for (s, e, msg) in [
            (Some("PT1H"), None, "is positive"),
            (Some("-PT0H"), Some("-PT0H"), "must be earlier"),
            (Some("-PT1H"), Some("-PT2H"), "must be earlier"),
            (Some("-PT2D"), None, "days belong before the `T`"),
            (Some("-P1M"), None, "no fixed length"),
            (None, Some("-P1H"), "need a `T`"),
            (None, Some("-PT1.5H"), "fractions"),
            (None, Some("1H"), "not an ISO-8601 duration"),
            (None, Some("-PT"), "empty duration"),
            (None, Some("-PT5"), "has no unit"),
        ] {
            let e = WindowOffsets::parse(s, e).expect_err(msg).to_string();
            assert!(e.contains(msg), "{e}");
        }
    }

    #[test]
    fn iso_durations() {
        for (s, ms) in [
            ("-PT1H", -HOUR_MS),
            ("-PT0H", 0),
            ("-P1D", -DAY_MS),
            ("-P8D", -8 * DAY_MS),
            ("PT15M", 15 * MINUTE_MS),
            ("P1DT12H", DAY_MS + 12 * HOUR_MS),
            ("PT90S", 90_000),
            ("P2W", 14 * DAY_MS),
            ("pt6h", 6 * HOUR_MS),
        ] {
            assert_eq!(parse_iso_duration(s), Ok(ms), "{s}");
            assert_eq!(parse_iso_duration(&format_iso_duration(ms)), Ok(ms), "{s}");
        }
        assert_eq!(format_iso_duration(-HOUR_MS), "-PT1H");
        assert_eq!(format_iso_duration(0), "PT0S");
        assert_eq!(format_iso_duration(DAY_MS + 90 * MINUTE_MS), "P1DT1H30M");
    }

    #[test]
    fn output_layout() {
        let h = sched("cron(0 * ? * * *)");
        let w = h
            .window_for(t("2022-04-18T01:00:00Z"), &WindowOffsets::default())
            .unwrap();
        assert_eq!(
            output_prefix(Some("ep"), "my-schedule", &w, h.sub_hourly()),
            "ep/my-schedule/2022/04/18/01"
        );
        // The scheduled hour names the folder even when offsets move the window.
        let o = WindowOffsets::parse(Some("-PT3H"), Some("-PT2H")).unwrap();
        let w = h.window_for(t("2022-04-18T01:00:00Z"), &o).unwrap();
        assert_eq!(output_prefix(None, "s", &w, false), "s/2022/04/18/01");
        let r = sched("rate(15 minutes)");
        let w = r
            .window_for(t("2024-12-31T23:45:00Z"), &WindowOffsets::default())
            .unwrap();
        assert_eq!(
            output_prefix(Some("ep"), "s", &w, r.sub_hourly()),
            "ep/s/2024/12/31/23/45"
        );
    }
}
