//! `gpx_calicoscope`: Grafana starts it as a backend plugin; a person gets the CLI.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // go-plugin's magic cookie: Grafana sets it on every plugin process it starts.
    let started_by_grafana = std::env::var_os("grafana_plugin_type").is_some();
    if started_by_grafana {
        if let Err(e) = calicoscope_backend::plugin::serve().await {
            eprintln!("calicoscope: {e}");
            std::process::exit(1);
        }
        return;
    }
    std::process::exit(calicoscope_backend::cli::run(&args).await);
}
