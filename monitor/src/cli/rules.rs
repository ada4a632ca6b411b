//! `driftmon rules`: every registered rule with its formula, defaults and reference.

/// The text of `driftmon rules`.
pub fn rules_doc() -> String {
    let mut s = String::new();
    for d in driftmon_rules::evaluate::REGISTRY {
        s.push_str(&format!(
            "{} [{}]\n  formula:   {}\n  defaults:  {}\n  reference: {}\n\n",
            d.name, d.check_type, d.formula, d.defaults, d.reference
        ));
    }
    s
}
