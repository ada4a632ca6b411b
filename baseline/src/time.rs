//! Civil dates and timestamps, the one calendar of the crate: day numbers since 1970-01-01 in
//! the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil` / `civil_from_days`),
//! and the RFC 3339 millisecond timestamps of capture records (`eventMetadata.inferenceTime`,
//! read by [`crate::capture`]) and of the window bounds the monitor prints. Parquet dates and
//! datetimes ([`crate::read`]) are written with [`push_date`]. Pure arithmetic: no clock.

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12, day 1–31; not checked).
/// Exact for years within ±2^50.
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

/// The civil date `(year, month 1–12, day 1–31)` of a day number since 1970-01-01, the
/// inverse of [`days_from_civil`]. Exact for every day number a millisecond (or coarser)
/// timestamp can produce; it overflows only within 719,468 of `i64::MAX`.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Whether a year is a Gregorian leap year.
pub fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// The number of days of month `m` (1–12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap_year(y) => 29,
        _ => 28,
    }
}

/// Appends the date of a day number as `YYYY-MM-DD`; a year outside 0000–9999 carries its sign
/// (`+10000-01-01`, `-0001-12-31`), as chrono (and so polars) and [`format_timestamp_ms`]
/// write it.
pub fn push_date(out: &mut String, days: i64) {
    use std::fmt::Write;
    let (y, m, d) = civil_from_days(days);
    let _ = if (0..=9999).contains(&y) {
        write!(out, "{y:04}-{m:02}-{d:02}")
    } else {
        write!(out, "{y:+05}-{m:02}-{d:02}")
    };
}

fn fixed_digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let s = b.get(start..start + len)?;
    let mut v = 0i64;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Parses an ISO-8601 / RFC 3339 timestamp into milliseconds since the Unix epoch (UTC).
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS`, then an optional fraction `.f…` (any number of digits,
/// truncated to milliseconds; `,` also works), then an optional zone: `Z`, `z`, `±HH:MM`,
/// `±HHMM` or `±HH`. With no zone, the time is UTC, as in the SDK's `%Y-%m-%dT%H:%M:%S.%f`. `t`
/// or a space may replace `T`. Years run from 0000 to 9999. Fields are range-checked, including
/// February 29 in leap years. A leap second `:60` counts as the first second of the next minute.
/// Returns `None` for anything else (e.g. the SDK fixtures' placeholder `"{%s}"`).
pub fn parse_timestamp_ms(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let year = fixed_digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = fixed_digits(b, 5, 2)?;
    let day = fixed_digits(b, 8, 2)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = fixed_digits(b, 11, 2)?;
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let minute = fixed_digits(b, 14, 2)?;
    let second = fixed_digits(b, 17, 2)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > i64::from(days_in_month(year, month as u32))
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut pos = 19;
    let mut millis = 0i64;
    if matches!(b.get(pos), Some(b'.' | b',')) {
        pos += 1;
        let start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            if pos - start < 3 {
                millis = millis * 10 + i64::from(b[pos] - b'0');
            }
            pos += 1;
        }
        let n = pos - start;
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            millis *= 10;
        }
    }
    let offset_secs = match b.get(pos) {
        None => 0,
        Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = fixed_digits(b, pos + 1, 2)?;
            let rest = &b[pos + 3..];
            let om = match rest {
                [] => 0,
                [b':', _, _] => fixed_digits(rest, 1, 2)?,
                [_, _] => fixed_digits(rest, 0, 2)?,
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = oh * 3600 + om * 60;
            if sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month as u32, day as u32);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(secs * 1000 + millis)
}

/// Formats milliseconds since the Unix epoch as RFC 3339 UTC with second precision,
/// `YYYY-MM-DDTHH:MM:SSZ` (sub-second parts are dropped, rounding toward the past). Years
/// outside 0000–9999 are written with a sign (`+10000-…`, `-0001-…`, see [`push_date`]), and
/// [`parse_timestamp_ms`] does not read those back.
pub fn format_timestamp_ms(ms: i64) -> String {
    use std::fmt::Write;
    let secs = ms.div_euclid(1000);
    let sod = secs.rem_euclid(86_400);
    let mut out = String::with_capacity(20);
    push_date(&mut out, secs.div_euclid(86_400));
    let _ = write!(
        out,
        "T{:02}:{:02}:{:02}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // ----- timestamps ----------------------------------------------------------------------

    #[test]
    fn timestamp_table() {
        let table: &[(&str, Option<i64>)] = &[
            ("2022-04-18T00:21:48Z", Some(1_650_241_308_000)),
            ("2022-04-18T00:21:48.123Z", Some(1_650_241_308_123)),
            ("2022-04-18T00:21:48.1Z", Some(1_650_241_308_100)),
            ("2022-04-18T00:21:48.123456Z", Some(1_650_241_308_123)),
            ("2022-04-18T00:21:48.999999999Z", Some(1_650_241_308_999)),
            ("2022-04-18T00:21:48+00:00", Some(1_650_241_308_000)),
            ("2022-04-18T00:21:48-05:00", Some(1_650_259_308_000)),
            ("2022-04-18T05:21:48+05:00", Some(1_650_241_308_000)),
            ("2022-04-18T05:51:48+0530", Some(1_650_241_308_000)),
            ("2022-04-18T02:21:48+02", Some(1_650_241_308_000)),
            ("2022-04-18T00:21:48.123", Some(1_650_241_308_123)),
            ("2022-04-18T00:21:48.123456", Some(1_650_241_308_123)),
            ("2022-04-18T00:21:48", Some(1_650_241_308_000)),
            ("2022-04-18 00:21:48z", Some(1_650_241_308_000)),
            (" 2022-04-18T00:21:48Z\n", Some(1_650_241_308_000)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("1969-12-31T23:59:59.500Z", Some(-500)),
            ("2000-02-29T00:00:00Z", Some(951_782_400_000)),
            ("2024-02-29T23:59:59.999Z", Some(1_709_251_199_999)),
            ("2100-02-28T12:00:00Z", Some(4_107_499_200_000)),
            ("1600-03-01T00:00:00Z", Some(-11_670_912_000_000)),
            ("0001-01-01T00:00:00Z", Some(-62_135_596_800_000)),
            ("9999-12-31T23:59:59Z", Some(253_402_300_799_000)),
            ("2016-12-31T23:59:60Z", Some(1_483_228_800_000)),
            ("2023-02-29T00:00:00Z", None),
            ("2100-02-29T00:00:00Z", None),
            ("1900-02-29T00:00:00Z", None),
            ("2022-04-31T00:00:00Z", None),
            ("2022-13-01T00:00:00Z", None),
            ("2022-00-01T00:00:00Z", None),
            ("2022-04-00T00:00:00Z", None),
            ("2022-04-18T24:00:00Z", None),
            ("2022-04-18T00:60:00Z", None),
            ("2022-04-18T00:00:61Z", None),
            ("2022-04-18T00:21:48.Z", None),
            ("2022-04-18T00:21:48ZZ", None),
            ("2022-04-18T00:21:48+5:00", None),
            ("2022-04-18T00:21:48+24:00", None),
            ("2022-04-18T00:21:48+05:", None),
            ("2022-04-18T00:21", None),
            ("2022-4-18T00:21:48Z", None),
            ("2022-04-18X00:21:48Z", None),
            ("{%s}", None),
            ("", None),
            ("+2022-04-18T00:21:48Z", None),
        ];
        for (s, want) in table {
            assert_eq!(parse_timestamp_ms(s), *want, "{s:?}");
        }
    }

    #[test]
    fn timestamp_format() {
        assert_eq!(
            format_timestamp_ms(1_650_241_308_123),
            "2022-04-18T00:21:48Z"
        );
        assert_eq!(format_timestamp_ms(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp_ms(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format_timestamp_ms(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(
            format_timestamp_ms(1_709_251_199_999),
            "2024-02-29T23:59:59Z"
        );
        assert_eq!(
            format_timestamp_ms(253_402_300_800_000),
            "+10000-01-01T00:00:00Z"
        );
        assert_eq!(
            format_timestamp_ms(-62_167_219_200_001),
            "-0001-12-31T23:59:59Z"
        );
        // No overflow at the extremes.
        assert!(!format_timestamp_ms(i64::MIN).is_empty());
        assert!(!format_timestamp_ms(i64::MAX).is_empty());
        // Day numbers round-trip over a wide range.
        for z in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
            assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
        }
    }

    #[test]
    fn civil_dates_round_trip_over_a_wide_range() {
        // About ±27 million years, in uneven steps, and every day around the epoch.
        for z in (-10_000_000_000i64..10_000_000_000)
            .step_by(9_999_991)
            .chain(-1000..1000)
        {
            let (y, m, d) = civil_from_days(z);
            assert!(
                (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m),
                "{z}"
            );
            assert_eq!(days_from_civil(y, m, d), z);
            // The next day is the next date.
            let (y2, m2, d2) = civil_from_days(z + 1);
            if d < days_in_month(y, m) {
                assert_eq!((y2, m2, d2), (y, m, d + 1));
            } else if m < 12 {
                assert_eq!((y2, m2, d2), (y, m + 1, 1));
            } else {
                assert_eq!((y2, m2, d2), (y + 1, 1, 1));
            }
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(-1, 12, 31), -719_529);
        assert!(
            is_leap_year(2000) && is_leap_year(-4) && !is_leap_year(1900) && !is_leap_year(2023)
        );
        let date = |z| {
            let mut s = String::new();
            push_date(&mut s, z);
            s
        };
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(2_932_897), "+10000-01-01");
        assert_eq!(date(-719_529), "-0001-12-31");
    }

    proptest! {
        #[test]
        fn timestamps_never_panic_and_round_trip(
            s in "[0-9:TZ+.\\- ]{0,30}",
            ms in -62_167_219_200_000i64..253_402_300_800_000,
        ) {
            let _ = parse_timestamp_ms(&s);
            prop_assert_eq!(
                parse_timestamp_ms(&format_timestamp_ms(ms)),
                Some(ms - ms.rem_euclid(1000))
            );
        }


        #[test]
        fn days_round_trip(z in -(1i64 << 40)..(1i64 << 40)) {
            let (y, m, d) = civil_from_days(z);
            prop_assert_eq!(days_from_civil(y, m, d), z);
        }
    }
}
