//! Events → invocations: EventBridge schedules, S3 ObjectCreated for ground truth, direct
//! invokes; and the windows a ground-truth hour feeds.

use crate::*;

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// One S3 object named by an ObjectCreated notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedObject {
    /// The bucket.
    pub bucket: String,
    /// The key, URL-decoded.
    pub key: String,
}

/// What an event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// The due windows of one monitor (or of all) at a time (or now).
    Scheduled {
        /// `None`: every monitor.
        monitor: Option<String>,
        /// The schedule's time; `None`: the function's clock.
        at_ms: Option<i64>,
    },
    /// New objects in S3 (ground truth).
    ObjectsCreated {
        /// The ObjectCreated records' objects.
        objects: Vec<CreatedObject>,
        /// Records of other kinds (ObjectRemoved, …), described.
        other: Vec<String>,
    },
    /// A direct re-run of `[start, end)`.
    Direct {
        /// The monitor.
        monitor: String,
        /// Window start (inclusive), ms.
        start_ms: i64,
        /// Window end (exclusive) and scheduled time, ms.
        end_ms: i64,
    },
}

/// An event that no retry can make acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Rejected(pub String);

fn time_field(v: &Value, name: &str) -> Result<Option<i64>, Rejected> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_timestamp_ms(s).map(Some).ok_or_else(|| {
            Rejected(format!(
                "`{name}`: {s:?} is not an ISO-8601 UTC time (e.g. 2026-11-21T14:00:00Z)"
            ))
        }),
        Some(other) => Err(Rejected(format!(
            "`{name}` must be an ISO-8601 string, not {other}"
        ))),
    }
}

fn monitor_field(v: &Value) -> Result<Option<String>, Rejected> {
    match v.get("monitor") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(other) => Err(Rejected(format!(
            "`monitor` must be a monitor's name, not {other}"
        ))),
    }
}

/// Decodes an S3 notification's key (`application/x-www-form-urlencoded`: `+` is a space).
pub fn decode_s3_key(key: &str) -> String {
    let b = key.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(x) => {
                        out.push(x);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Recognises an event (module documentation).
pub fn parse_event(event: &Value) -> Result<Invocation, Rejected> {
    let Some(obj) = event.as_object() else {
        return Err(Rejected(format!(
            "the event must be a JSON object, not {event}"
        )));
    };
    if obj.contains_key("Records") {
        let s3: S3Event = serde_json::from_value(event.clone())
            .map_err(|e| Rejected(format!("not an S3 notification: {e}")))?;
        let mut objects = Vec::new();
        let mut other = Vec::new();
        for r in s3.records {
            let name = r.event_name.clone().unwrap_or_default();
            let source = r.event_source.clone().unwrap_or_default();
            let (Some(bucket), Some(key)) = (r.s3.bucket.name.clone(), r.s3.object.key.clone())
            else {
                other.push(format!("{source} {name}: no bucket or key"));
                continue;
            };
            let key = decode_s3_key(&key);
            if source == "aws:s3" && name.starts_with("ObjectCreated:") {
                objects.push(CreatedObject { bucket, key });
            } else {
                other.push(format!("{source} {name} s3://{bucket}/{key}"));
            }
        }
        return Ok(Invocation::ObjectsCreated { objects, other });
    }
    if obj.contains_key("detail-type") {
        let ev: CloudWatchEvent<Value> = serde_json::from_value(event.clone())
            .map_err(|e| Rejected(format!("not an EventBridge event: {e}")))?;
        let kind = ev.detail_type.as_deref().unwrap_or("");
        if kind == "Object Created" && ev.source.as_deref() == Some("aws.s3") {
            // S3's EventBridge notification: the key is not URL-encoded here.
            let d = ev.detail.unwrap_or(Value::Null);
            let (Some(bucket), Some(key)) =
                (d["bucket"]["name"].as_str(), d["object"]["key"].as_str())
            else {
                return Err(Rejected(
                    "an S3 `Object Created` event without detail.bucket.name and detail.object.key"
                        .into(),
                ));
            };
            return Ok(Invocation::ObjectsCreated {
                objects: vec![CreatedObject {
                    bucket: bucket.to_owned(),
                    key: key.to_owned(),
                }],
                other: Vec::new(),
            });
        }
        if kind != "Scheduled Event" {
            return Err(Rejected(format!(
                "EventBridge `{kind}` events are not handled (only `Scheduled Event` and S3 \
                 `Object Created`)"
            )));
        }
        let monitor = match &ev.detail {
            Some(d) => monitor_field(d)?,
            None => None,
        };
        return Ok(Invocation::Scheduled {
            monitor,
            at_ms: Some(ev.time.timestamp_millis()),
        });
    }
    let monitor = monitor_field(event)?;
    if obj.contains_key("start") || obj.contains_key("end") {
        let monitor = monitor
            .ok_or_else(|| Rejected("a direct invoke needs `monitor`, `start` and `end`".into()))?;
        let (Some(start_ms), Some(end_ms)) =
            (time_field(event, "start")?, time_field(event, "end")?)
        else {
            return Err(Rejected(
                "a direct invoke needs both `start` and `end`".into(),
            ));
        };
        if start_ms >= end_ms {
            return Err(Rejected(format!(
                "`start` ({}) must be before `end` ({})",
                format_timestamp_ms(start_ms),
                format_timestamp_ms(end_ms)
            )));
        }
        return Ok(Invocation::Direct {
            monitor,
            start_ms,
            end_ms,
        });
    }
    let known = ["monitor", "time"];
    if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(Rejected(format!(
            "unrecognised event (key `{k}`): expected an EventBridge Scheduled Event, an S3 \
             notification, {{\"monitor\", \"start\", \"end\"}} or {{\"monitor\", \"time\"}}"
        )));
    }
    Ok(Invocation::Scheduled {
        monitor,
        at_ms: time_field(event, "time")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Ground truth → windows
// ---------------------------------------------------------------------------------------------

/// The hour (ms) a ground-truth key belongs to, if `uri` (`s3://bucket/key`) lies under the
/// ground-truth root `root` as `<root>/YYYY/MM/DD/HH/<file>`.
pub fn ground_truth_hour(root: &Path, uri: &str) -> Option<i64> {
    let root = root.to_string_lossy();
    let root = root.trim_end_matches('/');
    let rest = uri.strip_prefix(root)?.strip_prefix('/')?;
    let parts: Vec<&str> = rest.splitn(5, '/').collect();
    if parts.len() != 5 || parts[4].is_empty() || parts[4].ends_with('/') {
        return None;
    }
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|c| c.is_ascii_digit());
    if !(digits(parts[0], 4) && digits(parts[1], 2) && digits(parts[2], 2) && digits(parts[3], 2)) {
        return None;
    }
    parse_timestamp_ms(&format!(
        "{}-{}-{}T{}:00:00Z",
        parts[0], parts[1], parts[2], parts[3]
    ))
}

/// The windows of `m` scheduled at or before `done_until_ms` whose ground-truth range
/// (`[start, max(scheduled, end))`, as the engine reads labels) overlaps the hour
/// `[hour_ms, hour_ms + 1h)`, oldest first.
pub fn windows_for_ground_truth_hour(
    m: &MonitorConfig,
    hour_ms: i64,
    done_until_ms: i64,
) -> Vec<Window> {
    let sch = &m.timing.schedule;
    let hour_end = hour_ms + HOUR_MS;
    let mut out = Vec::new();
    let mut at = sch
        .at_or_before(hour_ms)
        .or_else(|| sch.next_after(hour_ms));
    while let Some(t) = at {
        if t > done_until_ms || out.len() >= MAX_WINDOWS_PER_OBJECT {
            break;
        }
        if let Some(w) = m.timing.window_at(t) {
            if w.start_ms >= hour_end {
                break;
            }
            if w.scheduled_ms.max(w.end_ms) > hour_ms {
                out.push(w);
            }
        }
        at = sch.next_after(t);
    }
    out
}
