//! A tiny HTTP server on loopback serving a fixed Prometheus exposition text: a scrape
//! target for tests.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Serves `body` (text format 0.0.4) on every GET, on `127.0.0.1:<free port>`.
/// Stopped and joined on drop.
pub struct StaticMetricsServer {
    /// `"127.0.0.1:PORT"`, ready for [`crate::ScrapeJob::target`].
    pub addr: String,
    body: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticMetricsServer {
    pub fn start(body: &str) -> StaticMetricsServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local_addr").to_string();
        let body = Arc::new(Mutex::new(body.to_string()));
        let stop = Arc::new(AtomicBool::new(false));
        let (body2, stop2) = (body.clone(), stop.clone());
        let thread = thread::Builder::new()
            .name("testkit-metrics-server".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = conn {
                        let text = body2.lock().unwrap_or_else(|e| e.into_inner()).clone();
                        let _ = serve(stream, &text);
                    }
                }
            })
            .expect("spawn metrics server thread");
        StaticMetricsServer {
            addr,
            body,
            stop,
            thread: Some(thread),
        }
    }

    /// Replaces the served text (next scrape sees it).
    pub fn set_body(&self, body: &str) {
        *self.body.lock().unwrap_or_else(|e| e.into_inner()) = body.to_string();
    }
}

fn serve(mut stream: TcpStream, body: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    // Read the request head (we ignore method and path).
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 64 * 1024 {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

impl Drop for StaticMetricsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept() so the thread sees the flag.
        let _ =
            TcpStream::connect_timeout(&self.addr.parse().expect("addr"), Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
