//! The plain-language IPAM report: one sentence per pool, the one a manager can read — the
//! same sentence the panel's status line shows (`calicoscope_model::pool`).

use std::collections::BTreeMap;

use calicoscope_model::pool::{self, PoolSummary};
use calicoscope_model::Family;

use super::last_hour;
use crate::client::Client;
use crate::execute;
use crate::frames::Values;
use crate::settings::Settings;

/// Per-pool figures, keyed by pool name, from one instant catalog query.
async fn by_pool(
    settings: &Settings,
    client: &Client,
    catalog: &str,
) -> Result<BTreeMap<String, f64>, String> {
    let json = format!(r#"{{"catalog":"{catalog}","instant":true}}"#);
    let plan = execute::plan(&last_hour(&json), settings).map_err(|e| e.to_string())?;
    let frames = execute::run_plan(&plan, client)
        .await
        .map_err(|e| format!("{catalog}: {e}"))?;
    let series = frames.iter().filter_map(|f| {
        let value = f.fields.get(1)?;
        match &value.values {
            Values::Number(v) => Some((&value.labels, v.as_slice())),
            _ => None,
        }
    });
    let pool_label = &settings.json.pool_label;
    Ok(pool::last_values(series, |labels| {
        labels.get(pool_label).cloned()
    }))
}

pub async fn report(settings: &Settings, client: &Client) -> Result<String, String> {
    let size = by_pool(settings, client, "ipam_pool_size").await?;
    let in_use = by_pool(settings, client, "ipam_pool_in_use").await?;
    // Empty before Calico 3.33, which does not report reservations.
    let reserved = by_pool(settings, client, "ipam_pool_reserved").await?;
    let days = by_pool(settings, client, "ipam_days_to_exhaustion").await?;
    let borrowers = by_pool(settings, client, "ipam_borrowing_nodes").await?;
    let leaked = by_pool(settings, client, "ipam_leaked").await?;
    if size.is_empty() {
        return Err(format!(
            "no IP pool metrics at {}: is calico-kube-controllers scraped? (run `health` for details)",
            settings.url
        ));
    }
    // The sentences say "at the current rate", as the panel's do (the panel cannot know the
    // datasource's forecast window); the header says what that rate is.
    let mut lines = vec![format!(
        "Calico IPAM at {} (the current rate is the growth over the last {}):",
        settings.url, settings.json.forecast_window
    )];
    for (name, &size) in &size {
        let figure = |m: &BTreeMap<String, f64>| m.get(name).copied().unwrap_or(0.0);
        let (reserved, used) = (figure(&reserved), figure(&in_use));
        let summary = PoolSummary {
            name,
            family: Family::of_pool(name, size),
            reserved,
            free: pool::free(size, reserved, used),
            utilization: pool::utilization(size, reserved, used),
            days_to_full: days.get(name).copied(),
            borrowers: figure(&borrowers) as usize,
            leaked: figure(&leaked),
        };
        lines.push(format!("- {}", summary.sentence()));
    }
    Ok(lines.join("\n"))
}
