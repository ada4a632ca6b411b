//! The analysis table (clarify-monitors.md §2.3) and how smclarify turns its columns into the
//! boolean facet, label and predicted-label indexes (§3.1).
//!
//! The table is column-oriented: feature columns by name (the facet and the group variable are
//! looked up among them), the ground-truth label and the predicted label. A column keeps the
//! type pandas would have given it (`int64`, `float64`, `object` strings, `bool`) because
//! smclarify's categorical/continuous decision depends on it.

use crate::clarify::pyjson::py_float_repr;
use crate::clarify::Scalar;
use std::collections::HashSet;

/// One column, typed as pandas would type it. No missing values.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// `int64`.
    Int(Vec<i64>),
    /// `float64`.
    Float(Vec<f64>),
    /// `object` (strings).
    Str(Vec<String>),
    /// `bool`.
    Bool(Vec<bool>),
}

/// smclarify's `DataType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// Values are matched.
    Categorical,
    /// Values are compared with a threshold.
    Continuous,
}

/// A cell's value, for one-vs-rest facet values and group keys.
#[derive(Debug, Clone, PartialEq)]
enum Cell<'a> {
    I(i64),
    F(f64),
    S(&'a str),
    B(bool),
}

impl Column {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Str(v) => v.len(),
            Column::Bool(v) => v.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, i: usize) -> Cell<'_> {
        match self {
            Column::Int(v) => Cell::I(v[i]),
            Column::Float(v) => Cell::F(v[i]),
            Column::Str(v) => Cell::S(&v[i]),
            Column::Bool(v) => Cell::B(v[i]),
        }
    }

    /// The values as f64, when numeric (bools as 0/1).
    pub fn as_f64(&self) -> Option<Vec<f64>> {
        match self {
            Column::Int(v) => Some(v.iter().map(|&x| x as f64).collect()),
            Column::Float(v) => Some(v.clone()),
            Column::Bool(v) => Some(v.iter().map(|&x| x as u8 as f64).collect()),
            Column::Str(_) => None,
        }
    }

    fn nunique(&self) -> usize {
        match self {
            Column::Int(v) => v.iter().collect::<HashSet<_>>().len(),
            Column::Float(v) => v.iter().map(|x| x.to_bits()).collect::<HashSet<_>>().len(),
            Column::Str(v) => v.iter().collect::<HashSet<_>>().len(),
            Column::Bool(v) => v.iter().collect::<HashSet<_>>().len(),
        }
    }

    /// `pd.to_numeric` of a string column of integers (or floats).
    fn to_numeric(&self) -> Result<Column, String> {
        match self {
            Column::Str(v) => {
                if let Ok(ints) = v
                    .iter()
                    .map(|s| s.trim().parse::<i64>())
                    .collect::<Result<Vec<_>, _>>()
                {
                    return Ok(Column::Int(ints));
                }
                v.iter()
                    .map(|s| s.trim().parse::<f64>())
                    .collect::<Result<Vec<_>, _>>()
                    .map(Column::Float)
                    .map_err(|_| "Unable to parse string".to_owned())
            }
            other => Ok(other.clone()),
        }
    }
}

/// `common.series_datatype`: categorical or continuous, from the column's type, the number of
/// values given, and the uniqueness fraction (≥ 0.05 makes an integer column continuous).
pub fn series_datatype(col: &Column, values: Option<&[Scalar]>) -> DataType {
    if values.is_some_and(|v| v.len() > 1) {
        return DataType::Categorical;
    }
    let n = col.len();
    let u = if n == 0 {
        0.0
    } else {
        col.nunique() as f64 / n as f64
    };
    match col {
        Column::Str(v) => {
            if v.iter().all(|s| s.trim().parse::<i64>().is_ok()) && u >= 0.05 {
                DataType::Continuous
            } else {
                DataType::Categorical
            }
        }
        Column::Float(_) => DataType::Continuous,
        Column::Int(_) => {
            if u >= 0.05 {
                DataType::Continuous
            } else {
                DataType::Categorical
            }
        }
        Column::Bool(_) => DataType::Categorical,
    }
}

fn matches(c: &Cell<'_>, v: &Scalar) -> bool {
    match (c, v) {
        (Cell::S(s), Scalar::Str(t)) => s == t,
        (Cell::S(_), _) | (_, Scalar::Str(_)) => false,
        (Cell::I(i), Scalar::Int(j)) => i == j,
        (c, v) => {
            let x = match c {
                Cell::I(i) => *i as f64,
                Cell::F(f) => *f,
                Cell::B(b) => *b as u8 as f64,
                Cell::S(_) => return false,
            };
            v.as_f64() == Some(x)
        }
    }
}

/// `convert_positive_label_values`: the values converted to the column's element type.
fn convert_values(col: &Column, values: &[Scalar]) -> Result<Vec<Scalar>, String> {
    let err = || {
        "'label' has not positive elements. Double-check if 'label' and 'positive_label_values'have correct data-types or values.".to_owned()
    };
    match col {
        Column::Str(_) => {
            if matches!(values.first(), Some(Scalar::Str(_))) {
                return Ok(values.to_vec());
            }
            Ok(values.iter().map(|v| Scalar::Str(v.py_str())).collect())
        }
        Column::Int(_) => {
            let as_int: Result<Vec<Scalar>, ()> = values
                .iter()
                .map(|v| match v {
                    Scalar::Int(i) => Ok(Scalar::Int(*i)),
                    Scalar::Float(f) => Ok(Scalar::Int(f.trunc() as i64)),
                    Scalar::Bool(b) => Ok(Scalar::Int(*b as i64)),
                    Scalar::Str(s) => s.trim().parse::<i64>().map(Scalar::Int).map_err(|_| ()),
                })
                .collect();
            match as_int {
                Ok(v) => Ok(v),
                Err(()) => values
                    .iter()
                    .map(|v| match v {
                        Scalar::Str(s) => s
                            .trim()
                            .parse::<f64>()
                            .map(Scalar::Float)
                            .map_err(|_| err()),
                        other => other.as_f64().map(Scalar::Float).ok_or_else(err),
                    })
                    .collect(),
            }
        }
        Column::Float(_) => values
            .iter()
            .map(|v| match v {
                Scalar::Str(s) => s
                    .trim()
                    .parse::<f64>()
                    .map(Scalar::Float)
                    .map_err(|_| err()),
                other => other.as_f64().map(Scalar::Float).ok_or_else(err),
            })
            .collect(),
        Column::Bool(_) => Ok(values.to_vec()),
    }
}

/// `report._categorical_data_idx`: `x ∈ values`, retried with the values converted to the
/// column's type when nothing matched.
pub fn categorical_index(col: &Column, values: &[Scalar]) -> Result<Vec<bool>, String> {
    let idx: Vec<bool> = (0..col.len())
        .map(|i| values.iter().any(|v| matches(&col.get(i), v)))
        .collect();
    if idx.iter().any(|&b| b) || col.is_empty() {
        return Ok(idx);
    }
    let conv = convert_values(col, values)?;
    Ok((0..col.len())
        .map(|i| conv.iter().any(|v| matches(&col.get(i), v)))
        .collect())
}

/// The intervals of `report._interval_index`, with their text (`"(0.5, 0.99]"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    bounds: Vec<(f64, f64)>,
    /// `",".join(map(str, intervals))`.
    pub text: String,
}

impl Intervals {
    /// Whether some interval `(l, r]` contains x.
    pub fn contains(&self, x: f64) -> bool {
        self.bounds.iter().any(|&(l, r)| l < x && x <= r)
    }
}

/// `report._interval_index(data, thresholds)`: the thresholds plus `max(data)` (added only if
/// `abs(max)` is not already a threshold), sorted, as right-closed intervals. The breaks print as
/// integers when every break is an integer (int64 dtype), else as Python floats.
pub fn interval_index(col: &Column, thresholds: &[Scalar]) -> Result<Intervals, String> {
    if thresholds.is_empty() {
        return Err("Threshold values must be provided for continuous features".into());
    }
    let numeric = col.to_numeric()?;
    let (max, max_is_int) = match &numeric {
        Column::Int(v) => (v.iter().copied().max().map(|x| x as f64), true),
        Column::Float(v) => (
            v.iter()
                .copied()
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x)))),
            false,
        ),
        Column::Bool(v) => (v.iter().copied().max().map(|x| x as u8 as f64), true),
        Column::Str(_) => return Err("Unable to parse string".into()),
    };
    let mut breaks: Vec<(f64, bool)> = Vec::new();
    for t in thresholds {
        match t {
            Scalar::Int(i) => breaks.push((*i as f64, true)),
            Scalar::Bool(b) => breaks.push((*b as u8 as f64, true)),
            Scalar::Float(f) => breaks.push((*f, false)),
            Scalar::Str(s) => breaks.push((
                s.trim().parse::<f64>().map_err(|_| {
                    "Facet/label value provided must be a single numeric threshold for continuous data".to_owned()
                })?,
                false,
            )),
        }
    }
    if let Some(m) = max {
        if !breaks.iter().any(|(b, _)| *b == m.abs()) {
            breaks.push((m, max_is_int));
        }
    }
    breaks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let all_int = breaks.iter().all(|(_, i)| *i);
    let fmt = |x: f64| {
        if all_int {
            format!("{}", x as i64)
        } else {
            py_float_repr(x)
        }
    };
    let bounds: Vec<(f64, f64)> = breaks.windows(2).map(|w| (w[0].0, w[1].0)).collect();
    let text = bounds
        .iter()
        .map(|(l, r)| format!("({}, {}]", fmt(*l), fmt(*r)))
        .collect::<Vec<_>>()
        .join(",");
    Ok(Intervals { bounds, text })
}

/// The boolean index of a column and the text that names it (`value_or_threshold` /
/// `label_value_or_threshold`).
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// One flag per row.
    pub flags: Vec<bool>,
    /// `"0"`, `"0,1"` or `"(0.5, 0.99]"`.
    pub text: String,
}

/// The positive-label index (`report._positive_label_index` after `ensure_series_data_type`).
pub fn label_index(col: &Column, values: &[Scalar]) -> Result<(Index, DataType), String> {
    if values.is_empty() {
        return Err("Positive label values or thresholds are empty for Label column".into());
    }
    let ty = series_datatype(col, Some(values));
    match ty {
        DataType::Continuous => {
            let iv = interval_index(col, values)?;
            let x = col.to_numeric()?.as_f64().unwrap_or_default();
            Ok((
                Index {
                    flags: x.iter().map(|&v| iv.contains(v)).collect(),
                    text: iv.text,
                },
                ty,
            ))
        }
        DataType::Categorical => Ok((
            Index {
                flags: categorical_index(col, values)?,
                text: values
                    .iter()
                    .map(Scalar::py_str)
                    .collect::<Vec<_>>()
                    .join(","),
            },
            ty,
        )),
    }
}

/// The positive-predicted-label index (`report._positive_predicted_index`): same type as the
/// label required; continuous intervals over label ∪ predicted; all-false is an error.
pub fn predicted_index(
    pred: &Column,
    label: &Column,
    label_type: DataType,
    values: &[Scalar],
) -> Result<Vec<bool>, String> {
    let ty = series_datatype(pred, Some(values));
    if ty != label_type {
        return Err(
            "Predicted Label Column series datatype is not the same as Label Column series".into(),
        );
    }
    let flags = match ty {
        DataType::Continuous => {
            let label_num = label.to_numeric()?;
            let pred_num = pred.to_numeric()?;
            // `predicted.astype(label.dtype)`: an int label truncates float predictions.
            let pred_num = match (&label_num, pred_num) {
                (Column::Int(_), Column::Float(v)) => {
                    Column::Int(v.iter().map(|x| x.trunc() as i64).collect())
                }
                (Column::Float(_), Column::Int(v)) => {
                    Column::Float(v.iter().map(|&x| x as f64).collect())
                }
                (_, p) => p,
            };
            let both = match (&label_num, &pred_num) {
                (Column::Int(a), Column::Int(b)) => {
                    Column::Int(a.iter().chain(b).copied().collect())
                }
                _ => Column::Float(
                    label_num
                        .as_f64()
                        .unwrap_or_default()
                        .into_iter()
                        .chain(pred_num.as_f64().unwrap_or_default())
                        .collect(),
                ),
            };
            let iv = interval_index(&both, values)?;
            pred_num
                .as_f64()
                .unwrap_or_default()
                .iter()
                .map(|&v| iv.contains(v))
                .collect()
        }
        DataType::Categorical => categorical_index(pred, values)?,
    };
    if flags.iter().all(|&b| !b) {
        return Err("No Label values are present in the predicted Label Column,Positive Predicted Index Series contains all False values".into());
    }
    Ok(flags)
}

/// The facet's sensitive groups: one `(value_or_threshold, d)` per report entry.
pub fn facet_indexes(col: &Column, values: Option<&[Scalar]>) -> Result<Vec<Index>, String> {
    match series_datatype(col, values) {
        DataType::Categorical => match values {
            Some(v) => Ok(vec![Index {
                flags: categorical_index(col, v)?,
                text: v.iter().map(Scalar::py_str).collect::<Vec<_>>().join(","),
            }]),
            None => {
                // One-vs-rest, in order of first appearance (`series.unique()`).
                let mut seen: Vec<Cell<'_>> = Vec::new();
                for i in 0..col.len() {
                    let c = col.get(i);
                    if !seen.iter().any(|s| same(s, &c)) {
                        seen.push(c);
                    }
                }
                Ok(seen
                    .iter()
                    .map(|v| Index {
                        flags: (0..col.len()).map(|i| same(&col.get(i), v)).collect(),
                        text: match v {
                            Cell::I(i) => i.to_string(),
                            Cell::F(f) => py_float_repr(*f),
                            Cell::S(s) => (*s).to_owned(),
                            Cell::B(b) => if *b { "True" } else { "False" }.to_owned(),
                        },
                    })
                    .collect())
            }
        },
        DataType::Continuous => {
            let iv = interval_index(col, values.unwrap_or(&[]))?;
            let x = col.to_numeric()?.as_f64().unwrap_or_default();
            Ok(vec![Index {
                flags: x.iter().map(|&v| iv.contains(v)).collect(),
                text: iv.text,
            }])
        }
    }
}

fn same(a: &Cell<'_>, b: &Cell<'_>) -> bool {
    match (a, b) {
        (Cell::F(x), Cell::F(y)) => x.to_bits() == y.to_bits() || x == y,
        _ => a == b,
    }
}

/// The group variable as codes into its sorted distinct values (`numpy.unique`).
pub fn group_codes(col: &Column) -> (Vec<u32>, usize) {
    fn codes<T: Clone + PartialOrd>(v: &[T]) -> (Vec<u32>, usize) {
        let mut u: Vec<T> = v.to_vec();
        u.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        u.dedup_by(|a, b| a == b);
        let c = v
            .iter()
            .map(|x| {
                u.partition_point(|y| y.partial_cmp(x) == Some(std::cmp::Ordering::Less)) as u32
            })
            .collect();
        (c, u.len())
    }
    match col {
        Column::Int(v) => codes(v),
        Column::Float(v) => codes(v),
        Column::Str(v) => codes(v),
        Column::Bool(v) => codes(v),
    }
}

impl Column {
    /// A column from JSON values, typed as pandas types a column built from them: all integers
    /// → `int64`; all numbers → `float64`; all bools → `bool`; anything else (strings, mixed)
    /// → strings (`object`), numbers and bools written as Python's `str` writes them. `null` is
    /// not supported (pandas would make the column float with NaN): an error names its row.
    pub fn from_json(values: &[serde_json::Value]) -> Result<Column, String> {
        use serde_json::Value;
        if let Some(i) = values.iter().position(Value::is_null) {
            return Err(format!("row {i}: missing value"));
        }
        if values
            .iter()
            .all(|v| v.as_i64().is_some() && !v.as_number().is_some_and(|n| n.is_f64()))
        {
            return Ok(Column::Int(
                values.iter().filter_map(Value::as_i64).collect(),
            ));
        }
        if values.iter().all(Value::is_number) {
            return Ok(Column::Float(
                values.iter().filter_map(Value::as_f64).collect(),
            ));
        }
        if values.iter().all(Value::is_boolean) {
            return Ok(Column::Bool(
                values.iter().filter_map(Value::as_bool).collect(),
            ));
        }
        Ok(Column::Str(
            values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
                    Value::Number(n) if n.is_f64() => py_float_repr(n.as_f64().unwrap_or(f64::NAN)),
                    other => other.to_string(),
                })
                .collect(),
        ))
    }
}

/// Predicted labels from scores: `1` where `score > threshold`, else `0`
/// (`probability_threshold`, default 0.5; clarify-monitors.md §2.2).
pub fn labels_from_scores(scores: &[f64], threshold: f64) -> Column {
    Column::Int(scores.iter().map(|&s| (s > threshold) as i64).collect())
}
