//! What people look at: the HTML report of a run ([`html`]) and the CloudWatch dashboard and
//! alarms generated from the metric catalog ([`dashboards`]).

pub mod dashboards;
pub mod html;
