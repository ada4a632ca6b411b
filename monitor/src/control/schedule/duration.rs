//! ISO-8601 durations (SageMaker's `StartTimeOffset`/`EndTimeOffset`, `[server]` timings).

use super::{err, ScheduleError, DAY_MS, HOUR_MS, MINUTE_MS};

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
