//! The value model: one cell of one row, before type inference.
//!
//! Readers (CSV, JSON Lines, Parquet, data capture) turn their input into rows of [`Cell`]s. The
//! profiler then classifies each cell into SageMaker's types (Integral, Fractional, String,
//! Boolean, null) from its literal form: the text `"3.0"` is Fractional even though it is a whole
//! number, and `"3"` is Integral, exactly as the AWS analyzer does (seen in its output on AWS's
//! headerless-CSV fixture). The rules are in `docs/statistics.md` ("Profiles", row "type"); the
//! `inferred_type` field is AWS's:
//! <https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-statistics.html>.

/// One field of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Absent: an empty CSV field, a JSON `null`, a missing key.
    Null,
    /// Untyped text (a CSV field); its type is inferred from the literal.
    Text(String),
    /// An integer that came typed (JSON number without fraction or exponent, Parquet int).
    Int(i64),
    /// A floating-point number that came typed (JSON number with a fraction or exponent).
    Float(f64),
    /// A boolean that came typed (JSON `true`/`false`, Parquet boolean).
    Bool(bool),
    /// A string that came typed (a JSON string): always of type String.
    Str(String),
}

/// A row as a reader produced it.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// Cells by position; names come from a header, the baseline, or `_c0, _c1, …`.
    Positional(Vec<Cell>),
    /// Cells with their names (a flat JSON object), in payload order.
    Named(Vec<(String, Cell)>),
}

impl Row {
    /// The number of cells.
    pub fn len(&self) -> usize {
        match self {
            Row::Positional(c) => c.len(),
            Row::Named(p) => p.len(),
        }
    }

    /// Whether the row has no cell.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell at position `i` (named rows by payload order).
    pub fn get(&self, i: usize) -> Option<&Cell> {
        match self {
            Row::Positional(c) => c.get(i),
            Row::Named(p) => p.get(i).map(|(_, c)| c),
        }
    }

    /// The cells in order, names aside.
    pub fn cells(&self) -> impl Iterator<Item = &Cell> {
        let (positional, named) = match self {
            Row::Positional(c) => (Some(c.iter()), None),
            Row::Named(p) => (None, Some(p.iter().map(|(_, c)| c))),
        };
        positional
            .into_iter()
            .flatten()
            .chain(named.into_iter().flatten())
    }
}

/// SageMaker's value types, in the order of the type lattice used for inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    /// A null or empty value.
    Null,
    /// A whole number written without a fraction (`"3"`).
    Integral,
    /// A number written with a fraction or exponent (`"3.0"`, `"1e5"`).
    Fractional,
    /// `true` / `false`.
    Boolean,
    /// Anything else.
    String,
}
