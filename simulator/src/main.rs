use calicoscope_sim::{serve, Cli};
use std::io::Write;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // Prints help or version and exits 0, or prints the error and exits 2.
    let (cfg, addr) = Cli::config_from(std::env::args_os()).unwrap_or_else(|e| e.exit());
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("calicoscope-sim: cannot bind {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| addr.to_string());
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on http://{bound}");
    let _ = out.flush();
    match serve(listener, cfg).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("calicoscope-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
