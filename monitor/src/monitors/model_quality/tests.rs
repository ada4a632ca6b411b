//! Unit tests of the attributes and the options.

use driftmon_baseline::value::{Cell, Row};

use super::cells::row_value;
use super::*;

#[test]
fn attributes() {
    assert_eq!(Attribute::parse("0"), Attribute::Index(0));
    assert_eq!(Attribute::parse(" 12 "), Attribute::Index(12));
    assert_eq!(Attribute::parse("+1"), Attribute::Name("+1".into()));
    assert_eq!(Attribute::parse("label"), Attribute::Name("label".into()));
    let row = Row::Named(vec![
        ("score".into(), Cell::Float(0.25)),
        ("label".into(), Cell::Int(1)),
    ]);
    assert_eq!(
        row_value(&row, &Attribute::Name("label".into())).as_deref(),
        Some("1")
    );
    assert_eq!(
        row_value(&row, &Attribute::Index(0)).as_deref(),
        Some("0.25")
    );
    let pos = Row::Positional(vec![Cell::Text("0.3".into()), Cell::Null]);
    assert_eq!(row_value(&pos, &Attribute::Index(1)), None);
    assert_eq!(row_value(&pos, &Attribute::Name("x".into())), None);
}

#[test]
fn options_validation() {
    let mut o = ModelQualityOptions::new(ProblemType::BinaryClassification, None);
    assert!(o.validate().is_err());
    o.probability_attribute = Some(Attribute::Index(0));
    assert!(o.validate().is_ok());
    o.probability_threshold = Some(f64::NAN);
    assert!(o.validate().is_err());
    assert!(ModelQualityOptions::new(ProblemType::Regression, None)
        .validate()
        .is_err());
}
