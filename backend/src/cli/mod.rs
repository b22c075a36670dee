//! The command line, for a person rather than Grafana:
//!
//! ```text
//! gpx_calicoscope translate '{"catalog":"ipam_pool_utilization","filters":{"pools":["p"]}}'
//! gpx_calicoscope translate --all
//! gpx_calicoscope report --url http://127.0.0.1:9090
//! gpx_calicoscope health --url http://127.0.0.1:9090
//! ```
//! Grafana starts the binary with `grafana_plugin_type` in the environment; then it serves.

mod report;

pub use report::report;

use crate::client::Client;
use crate::execute::{self, Request};
use crate::query::catalog::CATALOG;
use crate::settings::{JsonData, Secrets, Settings};

pub const USAGE: &str = "\
Calicoscope datasource backend for Grafana.

Grafana runs this binary itself. By hand:
  gpx_calicoscope translate '<query JSON>' [--settings '<jsonData JSON>']   print the PromQL
  gpx_calicoscope translate --all [--settings ...]                            PromQL of every catalog query
  gpx_calicoscope catalog                                                     the catalog as a Markdown table
  gpx_calicoscope report --url <prometheus url> [--settings ...]              plain-language IPAM report
  gpx_calicoscope health --url <prometheus url> [--settings ...]              the datasource health check
  gpx_calicoscope serve                                                       serve the plugin protocol";

/// Runs a CLI command; returns the process exit code.
pub async fn run(args: &[String]) -> i32 {
    match dispatch(args).await {
        Ok(out) => {
            println!("{out}");
            0
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            2
        }
    }
}

async fn dispatch(args: &[String]) -> Result<String, String> {
    let command = args.first().map(String::as_str).unwrap_or("--help");
    let flags = Flags::parse(&args[1..])?;
    match command {
        "catalog" => Ok(catalog_table()),
        "translate" if flags.all => Ok(translate_all(&flags.settings()?)),
        "translate" => translate(
            flags
                .positional
                .as_deref()
                .ok_or("translate needs a query JSON")?,
            &flags.settings()?,
        ),
        "report" => {
            let settings = flags.settings()?;
            let client = Client::new(&settings).map_err(|e| e.to_string())?;
            report::report(&settings, &client).await
        }
        "health" => {
            let settings = flags.settings()?;
            let client = Client::new(&settings).map_err(|e| e.to_string())?;
            let h = crate::plugin::check(&settings, &client).await;
            Ok(format!(
                "{}: {}",
                if h.ok { "OK" } else { "ERROR" },
                h.message
            ))
        }
        "-h" | "--help" | "help" => Ok(USAGE.to_string()),
        other => Err(format!("unknown command {other:?}")),
    }
}

#[derive(Default)]
struct Flags {
    url: Option<String>,
    settings_json: Option<String>,
    all: bool,
    positional: Option<String>,
}

impl Flags {
    fn parse(args: &[String]) -> Result<Flags, String> {
        let mut f = Flags::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
            match a.as_str() {
                "--url" => f.url = Some(value("--url")?),
                "--settings" => f.settings_json = Some(value("--settings")?),
                "--all" => f.all = true,
                s if s.starts_with("--") => return Err(format!("unknown flag {s}")),
                s => f.positional = Some(s.to_string()),
            }
        }
        Ok(f)
    }

    fn settings(&self) -> Result<Settings, String> {
        let json: JsonData = match &self.settings_json {
            Some(s) => serde_json::from_str(s)
                .map_err(|e| format!("--settings is not valid jsonData: {e}"))?,
            None => JsonData::default(),
        };
        let url = self.url.as_deref().unwrap_or("http://127.0.0.1:9090");
        Settings::new(url, None, json, Secrets::default()).map_err(|e| e.to_string())
    }
}

/// A query over the last hour, as Grafana would send it from a dashboard.
pub fn last_hour(json: &str) -> Request {
    Request::ending_now(json.as_bytes(), 3_600_000, 1_000)
}

fn translate(json: &str, settings: &Settings) -> Result<String, String> {
    execute::plan(&last_hour(json), settings)
        .map(|p| p.expr)
        .map_err(|e| e.message)
}

fn catalog_table() -> String {
    let mut out = String::from(
        "| id | component | unit | needs | what it answers |\n|---|---|---|---|---|\n",
    );
    for e in CATALOG {
        let component = serde_json::to_value(e.component).unwrap_or_default();
        let component = component.as_str().unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | {component} | {} | {} | {}: {} |\n",
            e.id,
            e.unit,
            e.requirement(),
            e.title,
            e.description
        ));
    }
    out
}

fn translate_all(settings: &Settings) -> String {
    CATALOG
        .iter()
        .map(|e| {
            let expr =
                translate(&format!(r#"{{"catalog":"{}"}}"#, e.id), settings).unwrap_or_else(|e| e);
            format!("# {} — {} ({})\n{expr}\n", e.id, e.title, e.unit)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
