use calicoscope_sim::goldmane::{self, Goldmane};
use calicoscope_sim::{fleet, serve, Cli};
use std::io::Write;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // Prints help or version and exits 0, or prints the error and exits 2.
    let cli = Cli::checked(std::env::args_os()).unwrap_or_else(|e| e.exit());
    let (cfg, members) = match cli.config().and_then(|c| Ok((c, cli.fleet()?))) {
        Ok(both) => both,
        Err(e) => {
            eprintln!("calicoscope-sim: {e}");
            return ExitCode::from(2);
        }
    };
    let addr = cli.listen;
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
    let goldmane = match cli.goldmane_options() {
        Some(opts) => match goldmane::start(&cfg, opts).await {
            Ok(g) => Some(g),
            Err(e) => {
                eprintln!("calicoscope-sim: goldmane: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on http://{bound}");
    if let Some(members) = members {
        for m in &members {
            let _ = writeln!(
                out,
                "  {} at {}",
                fleet::describe(m),
                fleet::path(&m.name, "/metrics/")
            );
        }
        let _ = out.flush();
        return finish(
            fleet::serve(listener, members)
                .await
                .map_err(|e| e.to_string()),
        );
    }
    if let Some(g) = &goldmane {
        let _ = writeln!(out, "{}", describe(g));
    }
    let _ = out.flush();
    let result = match goldmane {
        Some(g) => tokio::select! {
            r = serve(listener, cfg) => r.map_err(|e| e.to_string()),
            r = g.wait() => r.map_err(|e| format!("goldmane: {e}")),
        },
        None => serve(listener, cfg).await.map_err(|e| e.to_string()),
    };
    finish(result)
}

fn finish(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("calicoscope-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `goldmane on https://127.0.0.1:7443 (the Calico 3.32+ API, mTLS; certificates in …)`.
fn describe(g: &Goldmane) -> String {
    match &g.certs {
        Some(c) => format!(
            "goldmane on https://{} ({}, mTLS; certificates in {}: ca.crt, client.crt, client.key; \
             server name goldmane or localhost)",
            g.addr,
            g.shape,
            c.dir.display()
        ),
        None => format!("goldmane on http://{} ({}, plaintext)", g.addr, g.shape),
    }
}
