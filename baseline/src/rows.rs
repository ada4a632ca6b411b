//! The CSV row layer under its earlier path: [`crate::read::csv_rows`] (row events with true
//! line numbers) and [`crate::read::csv_blocks`] (block boundaries of a large file),
//! re-exported for the crates that read raw CSV rows (model-quality baselines).

pub use crate::read::csv_blocks::{csv_blocks, CsvBlock};
pub use crate::read::csv_rows::{
    csv_layout, for_each_csv_block_row, for_each_csv_row, CsvEvent, CsvLayout, CsvRowsSummary,
};
