//! The plain-language IPAM report: one sentence per pool, the one a manager can read — the
//! same sentence the panel's status line shows (`calicoscope_model::pool`), from the same
//! figures as the app's capacity report (`crate::report`), over the forecast window.

use crate::client::Client;
use crate::settings::Settings;

pub async fn report(settings: &Settings, client: &Client) -> Result<String, String> {
    let window = &settings.json.forecast_window;
    let report = crate::report::build(settings, client, window)
        .await
        .map_err(|e| e.to_string())?;
    if report.pools.is_empty() {
        return Err(format!(
            "no IP pool metrics at {}: is calico-kube-controllers scraped? (run `health` for details)",
            settings.url
        ));
    }
    // The sentences say "at the current rate", as the panel's do (the panel cannot know the
    // datasource's forecast window); the header says what that rate is.
    let mut lines = vec![format!(
        "Calico IPAM at {} (the current rate is the growth over the last {window}):",
        settings.url
    )];
    if !report.clusters.is_empty() {
        lines.push(report.headline.clone());
    }
    for pool in &report.pools {
        let cluster = match pool.cluster.as_str() {
            "" => String::new(),
            c => format!("{c}: "),
        };
        lines.push(format!("- {cluster}{}", pool.summary().sentence()));
    }
    if let Some(denied) = &report.denied {
        lines.push(format!("Goldmane: {}", denied.text));
    }
    Ok(lines.join("\n"))
}
