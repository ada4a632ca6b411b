//! EventBridge's six-field `cron(…)` expressions (the AWS dialect: `?`, `L`, `W`, `#`, 1 = Sunday),
//! parsed and evaluated in UTC. Hand-written: no crate implements this dialect (see the README).

use super::*;

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
    pub(super) minutes: u64,
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
    pub(super) fn at_or_after(&self, t_ms: i64) -> Option<i64> {
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
    pub(super) fn at_or_before(&self, t_ms: i64) -> Option<i64> {
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
