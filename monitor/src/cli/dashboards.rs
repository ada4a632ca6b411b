//! `driftmon dashboards`: a CloudWatch dashboard and alarms for an endpoint, generated from the
//! metric catalog (and applied with `--apply`).

use std::path::PathBuf;

use driftmon_rules::config::DriftConfig;

#[derive(clap::Args)]
pub(crate) struct DashboardArgs {
    /// Endpoint name.
    #[arg(long)]
    endpoint: String,
    /// Data-quality monitoring schedule name.
    #[arg(long)]
    schedule: String,
    /// Features (comma-separated); see also --baseline.
    #[arg(long, value_delimiter = ',')]
    features: Vec<String>,
    /// Baseline folder or s3:// prefix: features and kinds from statistics.json, the drift
    /// threshold from constraints.json.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Model-quality widgets: BinaryClassification, MulticlassClassification or Regression.
    #[arg(long)]
    problem_type: Option<String>,
    /// Model-quality monitoring schedule (default: --schedule).
    #[arg(long)]
    model_schedule: Option<String>,
    /// Model-quality constraints.json (folder, file or s3://): one alarm per constraint.
    #[arg(long)]
    model_constraints: Option<PathBuf>,
    /// Region the widgets read (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// PSI alarm threshold.
    #[arg(long, default_value_t = DriftConfig::default().psi_threshold)]
    psi_threshold: f64,
    /// Alarm when rejected / read records exceeds this share.
    #[arg(long, default_value_t = 0.01)]
    rejected_threshold: f64,
    /// Seconds per datapoint (the schedule's period).
    #[arg(long, default_value_t = 3600)]
    period: i32,
    /// ARN notified when an alarm fires (repeatable).
    #[arg(long)]
    alarm_action: Vec<String>,
    /// Folder (or s3:// prefix) for dashboard.json and alarms.json (default: dashboards/<endpoint>).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Also create or update the dashboard and alarms in CloudWatch.
    #[arg(long)]
    apply: bool,
    /// Model bias: the baseline analysis.json (file or folder, local or s3://): one graph per
    /// facet value and stage, and an alarm on the bias schedule's violations.
    #[arg(long)]
    bias_baseline: Option<PathBuf>,
    /// Model bias: the bias monitoring schedule (default: --schedule).
    #[arg(long)]
    bias_schedule: Option<String>,
}

/// Runs the command.
pub(crate) fn run(a: DashboardArgs) -> anyhow::Result<()> {
    use crate::report::dashboards::{self as d, DashboardSpec, FeatureSpec, ProblemType};
    let region = a
        .region
        .clone()
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let mut spec = DashboardSpec::new(&a.endpoint, &a.schedule, &region);
    if let Some(b) = &a.baseline {
        d::from_baseline(b, &mut spec)?;
    }
    for f in &a.features {
        if !spec.features.iter().any(|x| &x.name == f) {
            spec.features.push(FeatureSpec {
                name: f.clone(),
                numeric: None,
            });
        }
    }
    if !a.features.is_empty() {
        spec.features.retain(|x| a.features.contains(&x.name));
    }
    if let Some(b) = &a.bias_baseline {
        let analysis = crate::monitors::model_bias::load_baseline(b)?;
        spec.bias = Some(d::bias::BiasDashboard::from_analysis(
            a.bias_schedule.as_deref().unwrap_or(&a.schedule),
            &analysis,
        ));
    }
    if spec.features.is_empty() && spec.bias.is_none() {
        anyhow::bail!(
            "no features: pass --features a,b,c, --baseline <folder> or --bias-baseline <analysis.json>"
        );
    }
    spec.problem_type = a
        .problem_type
        .as_deref()
        .map(|p| {
            ProblemType::parse(p).ok_or_else(|| {
                anyhow::anyhow!("--problem-type {p}: expected BinaryClassification, MulticlassClassification or Regression")
            })
        })
        .transpose()?;
    spec.model_schedule = a.model_schedule.clone();
    if let Some(c) = &a.model_constraints {
        let is_file = c.to_string_lossy().ends_with(".json");
        let (dir, name) = if is_file {
            (
                c.parent().map(|p| p.to_path_buf()).unwrap_or_default(),
                c.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        } else {
            (c.clone(), "constraints.json".to_owned())
        };
        let loc = crate::adapters::store::resolve(&dir)?;
        let bytes = loc.get(&name)?;
        let cons = driftmon_baseline::files::parse_constraints(&bytes)
            .map_err(|e| anyhow::anyhow!("{}: {e}", loc.uri(&name)))?;
        spec.model_alarms = d::model_alarms_from_constraints(&cons);
    }
    spec.psi_threshold = a.psi_threshold;
    spec.rejected_ratio_threshold = a.rejected_threshold;
    spec.period = a.period;
    spec.alarm_actions = a.alarm_action.clone();
    let out = a
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("dashboards").join(&a.endpoint));
    d::write(&out, &spec)?;
    println!(
        "Dashboard {} ({} features, {} alarms) -> {}",
        d::dashboard_name(&spec),
        spec.features.len(),
        d::alarms(&spec).len(),
        out.display()
    );
    if a.apply {
        let r = crate::wiring::apply_dashboards(&spec)?;
        for m in &r.validation_messages {
            eprintln!("warning: dashboard {}: {m}", r.dashboard);
        }
        println!(
            "Applied: dashboard {} and {} alarms in CloudWatch",
            r.dashboard, r.alarms
        );
    }
    Ok(())
}
