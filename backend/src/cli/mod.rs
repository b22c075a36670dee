//! The command line, for a person rather than Grafana:
//!
//! ```text
//! gpx_calicoscope translate '{"catalog":"ipam_pool_utilization","filters":{"pools":["p"]}}'
//! gpx_calicoscope translate --all
//! gpx_calicoscope report --url http://127.0.0.1:9090
//! gpx_calicoscope health --url http://127.0.0.1:9090
//! gpx_calicoscope settings
//! gpx_calicoscope rules --format prometheus-operator > calico-prometheusrule.yaml
//! gpx_calicoscope completions bash > /etc/bash_completion.d/gpx_calicoscope
//! ```
//! (`--help` on any command says more; clap writes it.)
//! Grafana starts the binary with `grafana_plugin_type` in the environment; then it serves.

mod report;

pub use report::report;

use std::io::Write;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::client::Client;
use crate::execute::{self, Request};
use crate::query::catalog::CATALOG;
use crate::settings::{JsonData, Secrets, Settings};

/// Calicoscope datasource backend for Grafana. Grafana runs this binary itself (it serves
/// the plugin protocol then); by hand it translates, reports and checks.
#[derive(Debug, Parser)]
#[command(name = "gpx_calicoscope", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the PromQL a query JSON produces, or every catalog entry's with --all.
    Translate {
        /// The query as the editor stores it, e.g. '{"catalog":"ipam_pool_utilization"}'.
        #[arg(required_unless_present = "all")]
        query: Option<String>,
        #[arg(long, conflicts_with = "query")]
        all: bool,
        #[command(flatten)]
        json: JsonDataArg,
    },
    /// The catalog as a Markdown table.
    Catalog,
    /// The config editor's settings with the backend's defaults, as JSON.
    Settings,
    /// A plain-language IPAM report: pools, exhaustion, borrowers, leaks.
    Report(Store),
    /// The datasource health check.
    Health(Store),
    /// Alert rules from the catalog for these settings (job regexes, node and cluster label).
    Rules {
        #[arg(long, value_enum, default_value = "prometheus")]
        format: crate::rules::Format,
        /// How often the rule groups are evaluated, e.g. 30s [default: 1m].
        #[arg(long, value_parser = parse_interval)]
        interval: Option<std::time::Duration>,
        /// Where this project's docs are served, e.g. https://github.com/<org>/calicoscope/blob/main;
        /// each runbook_url is this + /docs/alerts.md#<alert>.
        #[arg(long, default_value = "")]
        runbook_base: String,
        /// The Calicoscope datasource's uid (Grafana-managed rules query it).
        #[arg(long, default_value = crate::rules::grafana::DATASOURCE_UID)]
        datasource_uid: String,
        #[command(flatten)]
        json: JsonDataArg,
    },
    /// Serve Grafana's plugin protocol (what Grafana starts).
    Serve,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Args)]
struct JsonDataArg {
    /// The datasource's jsonData, e.g. '{"nodeLabel":"exported_node"}'.
    #[arg(long = "settings", value_name = "JSON", value_parser = parse_json_data)]
    json: Option<JsonData>,
}

/// The store a person's local Prometheus usually is.
const DEFAULT_URL: &str = "http://127.0.0.1:9090";

#[derive(Debug, Args)]
struct Store {
    /// The Prometheus-compatible store.
    #[arg(long, default_value = DEFAULT_URL)]
    url: String,
    #[command(flatten)]
    json: JsonDataArg,
}

fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    crate::query::time::parse_duration(s)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{s:?} is not a duration: write it as PromQL does, e.g. 30s or 1m"))
}

fn parse_json_data(s: &str) -> Result<JsonData, String> {
    serde_json::from_str(s).map_err(|e| format!("not valid jsonData: {e}"))
}

impl Store {
    fn settings(&self) -> Result<Settings, String> {
        let json = self.json.json.clone().unwrap_or_default();
        Settings::new(&self.url, None, json, Secrets::default()).map_err(|e| e.to_string())
    }
}

/// Settings for a command that sends nothing (translate, rules): the URL only has to be valid.
fn offline(json: JsonDataArg) -> Result<Settings, String> {
    Store {
        url: DEFAULT_URL.into(),
        json,
    }
    .settings()
}

/// Runs the command line (without the program name); returns the process exit code.
pub async fn run(args: &[String]) -> i32 {
    let cli = match Cli::try_parse_from(
        std::iter::once("gpx_calicoscope".to_string()).chain(args.iter().cloned()),
    ) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(cli.command).await {
        // A closed pipe (`| head`) is the reader's choice, not an error worth a panic.
        Ok(out) => {
            // Files (rules) end in their own newline; a line of text gets one.
            let end = if out.ends_with('\n') { "" } else { "\n" };
            let _ = write!(std::io::stdout(), "{out}{end}");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

async fn dispatch(command: Command) -> Result<String, String> {
    match command {
        Command::Catalog => Ok(catalog_table()),
        Command::Settings => serde_json::to_string_pretty(&crate::settings::editor::schema())
            .map_err(|e| e.to_string()),
        Command::Translate { query, all, json } => {
            let settings = offline(json)?;
            match query {
                Some(q) if !all => translate(&q, &settings),
                _ => Ok(translate_all(&settings)),
            }
        }
        Command::Rules {
            format,
            interval,
            runbook_base,
            datasource_uid,
            json,
        } => {
            let settings = offline(json)?;
            let options = crate::rules::Options {
                format,
                every: interval.unwrap_or(crate::rules::EVALUATION),
                runbook_base,
                datasource_uid,
            };
            crate::rules::render(&settings, &options)
        }
        Command::Report(store) => {
            let settings = store.settings()?;
            let client = Client::new(&settings).map_err(|e| e.to_string())?;
            report::report(&settings, &client).await
        }
        Command::Health(store) => {
            let settings = store.settings()?;
            let client = Client::new(&settings).map_err(|e| e.to_string())?;
            let h = crate::plugin::check(&settings, &client).await;
            Ok(format!(
                "{}: {}",
                if h.ok { "OK" } else { "ERROR" },
                h.message
            ))
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "gpx_calicoscope", &mut script);
            String::from_utf8(script).map_err(|e| e.to_string())
        }
        Command::Serve => crate::plugin::serve()
            .await
            .map(|()| String::new())
            .map_err(|e| e.to_string()),
    }
}

/// A query over the last hour, as Grafana would send it from a dashboard.
pub fn last_hour(json: &str) -> Request {
    Request::ending_now(json.as_bytes(), 3_600_000, 1_000)
}

fn translate(json: &str, settings: &Settings) -> Result<String, String> {
    let plan = execute::plan(&last_hour(json), settings).map_err(|e| e.to_string())?;
    if !plan.tables {
        return Ok(plan.promql());
    }
    // Name each part, as a PromQL comment above its expression.
    let parts: Vec<String> = plan
        .exprs
        .iter()
        .map(|(p, e)| format!("# part {p}\n{e}"))
        .collect();
    Ok(parts.join("\n"))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("gpx_calicoscope").chain(args.iter().copied()))
    }

    #[test]
    fn commands_and_flags_parse() {
        assert!(matches!(
            parse(&["catalog"]).unwrap().command,
            Command::Catalog
        ));
        let Command::Translate { query, all, json } = parse(&[
            "translate",
            "--all",
            "--settings",
            r#"{"nodeLabel":"exported_node"}"#,
        ])
        .unwrap()
        .command
        else {
            panic!("not translate")
        };
        assert!(all && query.is_none());
        assert_eq!(json.json.unwrap().node_label, "exported_node");
        let Command::Report(store) = parse(&["report"]).unwrap().command else {
            panic!("not report")
        };
        assert_eq!(store.url, DEFAULT_URL);
    }

    #[test]
    fn bad_input_names_the_problem() {
        let e = parse(&["translate"]).unwrap_err().to_string();
        assert!(e.contains("<QUERY>"), "{e}");
        let e = parse(&["report", "--settings", "{"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not valid jsonData"), "{e}");
        let e = parse(&["bogus"]).unwrap_err().to_string();
        assert!(e.contains("unrecognized subcommand 'bogus'"), "{e}");
    }

    /// The bash script really completes: bash sources it and completes `gpx_calicoscope re`.
    #[tokio::test]
    async fn bash_completion_completes_commands() {
        let Ok(script) = dispatch(Command::Completions {
            shell: clap_complete::Shell::Bash,
        })
        .await
        else {
            panic!("no script")
        };
        let words = |line: &str| {
            let probe = format!(
                "{script}\nCOMP_WORDS=({line}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); \
                 COMP_LINE=\"{line}\"; COMP_POINT=${{#COMP_LINE}}; \
                 _gpx_calicoscope gpx_calicoscope \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; \
                 echo \"${{COMPREPLY[@]}}\""
            );
            let out = std::process::Command::new("bash")
                .args(["-c", &probe])
                .output()
                .expect("bash runs");
            String::from_utf8(out.stdout).unwrap()
        };
        assert_eq!(words("gpx_calicoscope re").trim(), "report");
        assert!(words("gpx_calicoscope health --").contains("--url"));
    }
}
