//! Tests of schedules, windows, durations and the output layout.

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

/// The offsets SageMaker's model-quality schedules use (moved here from a second parser that
/// only its own test called).
#[test]
fn model_quality_offsets() {
    let p = |s: &str| parse_iso_duration(s).ok();
    assert_eq!(p("-PT1H"), Some(-HOUR_MS));
    assert_eq!(p("-PT0H"), Some(0));
    assert_eq!(p("-P8D"), Some(-8 * 24 * HOUR_MS));
    assert_eq!(p("-P1DT12H"), Some(-36 * HOUR_MS));
    assert_eq!(p("-PT30M"), Some(-1_800_000));
    assert_eq!(p("PT2H"), Some(2 * HOUR_MS));
    for bad in ["-PT2D", "-P1M", "-P", "1H", "-PT", "-P1Y", "-PT1H2"] {
        assert_eq!(p(bad), None, "{bad}");
    }
}
