//! HTTP front: every request rebuilds the cluster at the current simulated time,
//! `start_offset_s + elapsed_real_seconds * speed`.

use crate::cluster::Cluster;
use crate::config::Config;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Clone, Copy)]
enum Page {
    KubeControllers,
    Felix,
    Typha,
    State,
}

struct App {
    cfg: Config,
    started: Instant,
    /// Last rendered body per page and the sim time it was rendered for: with speed 0
    /// (or scrapes within the same instant) the 30 MB Felix page is built only once.
    cache: Mutex<[Option<(f64, Bytes)>; 4]>,
}

impl App {
    fn sim_now(&self) -> f64 {
        self.cfg.start_offset_s + self.started.elapsed().as_secs_f64() * self.cfg.speed
    }

    fn cached(&self, page: Page, t: f64) -> Option<Bytes> {
        let cache = self.cache.lock().ok()?;
        match &cache[page as usize] {
            Some((at, body)) if *at == t => Some(body.clone()),
            _ => None,
        }
    }

    fn store(&self, page: Page, t: f64, body: Bytes) {
        if let Ok(mut cache) = self.cache.lock() {
            cache[page as usize] = Some((t, body));
        }
    }

    fn render(&self, page: Page) -> Bytes {
        let t = self.sim_now();
        if let Some(body) = self.cached(page, t) {
            return body;
        }
        let cluster = Cluster::at(&self.cfg, t);
        let body = Bytes::from(match page {
            Page::KubeControllers => cluster.render_kube_controllers(),
            Page::Felix => cluster.render_felix(),
            Page::Typha => cluster.render_typha(),
            Page::State => serde_json::to_string(&cluster).unwrap_or_default(),
        });
        self.store(page, t, body.clone());
        body
    }
}

/// Renders off the async workers: a large Felix page takes tens of milliseconds.
async fn respond(app: Arc<App>, page: Page) -> Response {
    let stopped = app
        .cfg
        .kube_controllers_for_s
        .is_some_and(|s| app.started.elapsed().as_secs_f64() > s);
    if matches!(page, Page::KubeControllers) && stopped {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "calico-kube-controllers stopped",
        )
            .into_response();
    }
    let content_type = match page {
        Page::State => "application/json",
        _ => TEXT_FORMAT,
    };
    match tokio::task::spawn_blocking(move || app.render(page)).await {
        Ok(body) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "render failed").into_response(),
    }
}

pub fn router(cfg: Config) -> Router {
    let app = Arc::new(App {
        cfg,
        started: Instant::now(),
        cache: Mutex::new(Default::default()),
    });
    Router::new()
        .route(
            "/metrics/kube-controllers",
            get(|State(a): State<Arc<App>>| respond(a, Page::KubeControllers)),
        )
        .route(
            "/metrics/felix",
            get(|State(a): State<Arc<App>>| respond(a, Page::Felix)),
        )
        .route(
            "/metrics/typha",
            get(|State(a): State<Arc<App>>| respond(a, Page::Typha)),
        )
        .route(
            "/state",
            get(|State(a): State<Arc<App>>| respond(a, Page::State)),
        )
        .route("/healthz", get(|| async { "ok" }))
        .with_state(app)
}

/// Serves the simulator on an already bound listener until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, cfg: Config) -> std::io::Result<()> {
    axum::serve(listener, router(cfg)).await
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Config;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// GET `path` over a fresh connection: (head, body).
    pub(crate) async fn get(addr: std::net::SocketAddr, path: &str) -> (String, String) {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        (head.to_string(), body.to_string())
    }

    #[tokio::test]
    async fn serves_all_endpoints_frozen() {
        let mut cfg = Config::demo(12);
        cfg.speed = 0.0;
        cfg.start_offset_s = 5000.0;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, cfg.clone()));

        let (head, body) = get(addr, "/healthz").await;
        assert!(head.starts_with("HTTP/1.1 200"));
        assert_eq!(body, "ok");

        let expected = Cluster::at(&cfg, 5000.0);
        let (head, body) = get(addr, "/metrics/felix").await;
        assert!(head
            .to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4"));
        assert_eq!(body, expected.render_felix());
        assert_eq!(
            get(addr, "/metrics/kube-controllers").await.1,
            expected.render_kube_controllers()
        );
        assert_eq!(get(addr, "/metrics/typha").await.1, expected.render_typha());
        let state: Cluster = serde_json::from_str(&get(addr, "/state").await.1).unwrap();
        assert_eq!(state.sim_seconds, 5000.0);
        assert_eq!(state.allocations, expected.allocations);
        assert!(get(addr, "/nope").await.0.starts_with("HTTP/1.1 404"));
    }
}
