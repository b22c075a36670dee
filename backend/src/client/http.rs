//! The HTTP side of the client: auth, headers, TLS, timeouts and a response-size limit.
//! Errors never carry secret values: texts pass through [`Client::scrub`].

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};

use super::decode::ApiResponse;
use crate::settings::Settings;

/// Why a request to the data source failed. The texts name the data source, not
/// Prometheus: the server may be Thanos, Mimir or VictoriaMetrics. None carries a secret
/// (texts from the server or the transport pass through [`Client::scrub`]).
#[derive(Clone, Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer at all: connection refused, DNS, TLS.
    #[error("the data source at {url} is unreachable: {cause}. Check the datasource URL and that the server is running")]
    Unreachable { url: String, cause: String },
    /// No complete answer within the timeout setting.
    #[error(
        "the data source did not answer within {0:?}: raise the timeout setting or narrow the query"
    )]
    Timeout(Duration),
    /// The server answered with an HTTP error, e.g. Prometheus's 400 (bad_data) or 422
    /// (execution error), with its own error text.
    #[error("the data source answered HTTP {status}: {message}")]
    Status { status: u16, message: String },
    /// The answer outgrew `maxResponseBytes` while streaming in; it was dropped.
    #[error("the data source's answer is larger than the {0} byte limit: narrow the query or raise maxResponseBytes")]
    TooLarge(u64),
    /// The answer is not the Prometheus API's JSON.
    #[error("the data source's answer could not be read: {0}")]
    Decode(String),
    /// The datasource settings cannot make a client (TLS CA, header values).
    #[error("the datasource settings are not usable: {0}")]
    Config(String),
}

#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    params: Vec<(String, String)>,
    settings: Settings,
    /// The datasource's Goldmane connection, made on first use (flow queries) and kept for
    /// as long as this client: the datasource's settings.
    goldmane: std::sync::Arc<tokio::sync::OnceCell<crate::goldmane::Goldmane>>,
}

impl Client {
    /// The datasource settings this client was made for.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn new(settings: &Settings) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .timeout(settings.timeout())
            .connect_timeout(Duration::from_secs(10).min(settings.timeout()))
            .default_headers(headers(settings)?)
            .no_proxy();
        if settings.json.tls_skip_verify {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if !settings.secrets.tls_ca_cert.is_empty() {
            let ca = reqwest::Certificate::from_pem(settings.secrets.tls_ca_cert.as_bytes())
                .map_err(|_| {
                    ClientError::Config("the TLS CA certificate is not valid PEM".into())
                })?;
            builder = builder.add_root_certificate(ca);
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Config(e.to_string()))?;
        let base = format!(
            "{}{}",
            settings.url,
            normalize_prefix(&settings.json.path_prefix)
        );
        let params = settings
            .json
            .query_params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Self {
            http,
            base,
            params,
            settings: settings.clone(),
            goldmane: Default::default(),
        })
    }

    /// The datasource's Goldmane connection (connected, and its API shape learnt, once).
    pub async fn goldmane(
        &self,
    ) -> Result<crate::goldmane::Goldmane, crate::goldmane::GoldmaneError> {
        let connect = || crate::goldmane::Goldmane::connect(&self.settings);
        self.goldmane.get_or_try_init(connect).await.cloned()
    }

    /// `POST /api/v1/query` (as Grafana does, so long expressions fit).
    pub async fn instant(&self, expr: &str, time_s: f64) -> Result<ApiResponse, ClientError> {
        let form = [("query", expr.to_string()), ("time", fmt_time(time_s))];
        self.post("/api/v1/query", &form).await
    }

    /// `POST /api/v1/query_range`.
    pub async fn range(
        &self,
        expr: &str,
        start_s: f64,
        end_s: f64,
        step: Duration,
    ) -> Result<ApiResponse, ClientError> {
        let form = [
            ("query", expr.to_string()),
            ("start", fmt_time(start_s)),
            ("end", fmt_time(end_s)),
            ("step", format!("{}", step.as_secs_f64())),
        ];
        self.post("/api/v1/query_range", &form).await
    }

    /// `GET /api/v1/label/<name>/values?match[]=<selector>` for template variables.
    pub async fn label_values(
        &self,
        label: &str,
        selector: &str,
    ) -> Result<Vec<String>, ClientError> {
        let path = format!("/api/v1/label/{label}/values");
        let query = [("match[]", selector.to_string())];
        let body = self
            .send(
                self.authorized(self.http.get(self.url(&path)))
                    .query(&self.params)
                    .query(&query),
            )
            .await?;
        let parsed: LabelValues =
            serde_json::from_slice(&body).map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok(parsed.data)
    }

    /// Evaluates `vector(1)`: proves the server is there and answers PromQL.
    pub async fn reachable(&self) -> Result<(), ClientError> {
        self.instant("vector(1)", now_s()).await.map(|_| ())
    }

    async fn post(&self, path: &str, form: &[(&str, String)]) -> Result<ApiResponse, ClientError> {
        let req = self
            .authorized(self.http.post(self.url(path)))
            .query(&self.params)
            .form(form);
        let body = self.send(req).await?;
        ApiResponse::from_slice(&body).map_err(|e| ClientError::Decode(self.scrub(&e.to_string())))
    }

    /// Basic auth when a user is set (it wins over a bearer token, which then is not sent:
    /// see [`headers`]). reqwest marks the header sensitive.
    fn authorized(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.settings.basic_auth_user {
            Some(user) => req.basic_auth(user, Some(&self.settings.secrets.basic_auth_password)),
            None => req,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends, reads the body up to the size limit and maps HTTP errors to Prometheus's own
    /// error text (`{"status":"error","errorType":..,"error":..}`).
    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Vec<u8>, ClientError> {
        let mut resp = req.send().await.map_err(|e| self.transport(e))?;
        let status = resp.status();
        let limit = self.settings.json.max_response_bytes;
        let mut body = Vec::with_capacity(resp.content_length().unwrap_or(0).min(limit) as usize);
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport(e))? {
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(ClientError::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        // Prometheus answers 400 (bad_data) and 422 (execution) with a JSON error body.
        if !status.is_success() {
            let message = ApiResponse::error_text(&body)
                .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect());
            return Err(ClientError::Status {
                status: status.as_u16(),
                message: self.scrub(&message),
            });
        }
        Ok(body)
    }

    fn transport(&self, e: reqwest::Error) -> ClientError {
        if e.is_timeout() {
            return ClientError::Timeout(self.settings.timeout());
        }
        let mut cause = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            cause = format!("{cause}: {s}");
            source = s.source();
        }
        ClientError::Unreachable {
            url: self.scrub(&self.base),
            cause: self.scrub(&cause),
        }
    }

    /// Removes every secret value from a text that may be shown to a user.
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, &self.settings)
    }
}

pub fn scrub(text: &str, settings: &Settings) -> String {
    settings
        .secret_values()
        .iter()
        .fold(text.to_string(), |t, s| t.replace(s, "<redacted>"))
}

fn headers(settings: &Settings) -> Result<HeaderMap, ClientError> {
    let mut map = HeaderMap::new();
    let bad = |what: &str| ClientError::Config(format!("the {what} is not a valid HTTP header"));
    for (name, value) in settings.headers() {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| bad(&format!("custom header name {name:?}")))?;
        let mut v = HeaderValue::from_str(&value)
            .map_err(|_| bad(&format!("value of custom header {name:?}")))?;
        v.set_sensitive(true);
        map.insert(n, v);
    }
    // Basic auth is set per request ([`Client::authorized`]) and wins over the token.
    if settings.basic_auth_user.is_none() && !settings.secrets.bearer_token.is_empty() {
        let bearer = format!("Bearer {}", settings.secrets.bearer_token);
        let mut v = HeaderValue::from_str(&bearer).map_err(|_| bad("bearer token"))?;
        v.set_sensitive(true);
        map.insert(AUTHORIZATION, v);
    }
    Ok(map)
}

fn normalize_prefix(prefix: &str) -> String {
    let p = prefix.trim().trim_end_matches('/');
    match p {
        "" => String::new(),
        p if p.starts_with('/') => p.to_string(),
        p => format!("/{p}"),
    }
}

fn fmt_time(s: f64) -> String {
    format!("{s:.3}")
}

pub fn now_s() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[derive(serde::Deserialize)]
struct LabelValues {
    #[serde(default)]
    data: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{JsonData, Secrets};

    fn client(user: Option<&str>, password: &str, token: &str) -> Client {
        let secrets = Secrets {
            basic_auth_password: password.into(),
            bearer_token: token.into(),
            ..Default::default()
        };
        let settings = Settings::new("http://127.0.0.1:9", user, JsonData::default(), secrets);
        Client::new(&settings.unwrap()).unwrap()
    }

    /// The Authorization header a request carries beyond the client's default headers.
    fn authorization(c: &Client) -> Option<HeaderValue> {
        let req = c.authorized(c.http.get(c.url("/"))).build().unwrap();
        req.headers().get(AUTHORIZATION).cloned()
    }

    #[test]
    fn basic_auth_wins_over_the_token_and_stays_sensitive() {
        let both = client(Some("grafana"), "s3cret", "tok-1");
        let basic = authorization(&both).unwrap();
        assert_eq!(basic, "Basic Z3JhZmFuYTpzM2NyZXQ=");
        assert!(basic.is_sensitive());
        assert!(headers(&both.settings)
            .unwrap()
            .get(AUTHORIZATION)
            .is_none());

        let token = client(None, "", "tok-1");
        assert_eq!(authorization(&token), None);
        let defaults = headers(&token.settings).unwrap();
        assert_eq!(defaults[AUTHORIZATION], "Bearer tok-1");
        assert!(defaults[AUTHORIZATION].is_sensitive());
    }
}
