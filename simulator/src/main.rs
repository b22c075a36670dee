use calicoscope_sim::{listen_addr, serve, Config, USAGE};
use std::io::Write;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (cfg, addr) = match Config::from_args(&args).and_then(|c| Ok((c, listen_addr(&args)?))) {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("calicoscope-sim: {e}\n(try --help)");
            return ExitCode::from(2);
        }
    };
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
