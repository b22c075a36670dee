//! One connection to Goldmane: mutual TLS from the datasource's secrets, the API shape
//! asked once (or taken from the settings), and the calls the queries need. Requests are
//! written in the 3.32 shape and crossed to 3.30's when the server is older (`api`); answers
//! read the same in both shapes, so they are always decoded as 3.32's.

use std::time::Duration;

use calicoscope_goldmane::{v3_30 as old, v3_32 as new};
use tonic::codec::ProstCodec;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic::{Code, Status};

use super::api::{self, Api, Unsupported};
use super::listing::{self, Span};
use super::KEPT_SECONDS;
use crate::settings::Settings;

/// Most flows one query shows (an hour of a large cluster holds more; the rest is named in
/// a notice by the caller).
pub const MAX_FLOWS: usize = 100_000;
/// Largest answer accepted per message: 41,930 flows from Goldmane 3.32.1 were 21.2 MB (506
/// bytes a flow), so 100,000 flows fit; a larger answer is asked again in parts.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;
/// Flows of a page that shows where Goldmane's buckets start and end, to cut a range at one.
const PROBE: i64 = 100;

const LIST: &str = "/goldmane.Flows/List";
const HINTS: &str = "/goldmane.Flows/FilterHints";
const STATISTICS: &str = "/goldmane.Statistics/List";

#[derive(Debug, thiserror::Error)]
pub enum GoldmaneError {
    #[error("no Goldmane address is set: add it (goldmane.calico-system.svc:7443) in the datasource settings to query flows")]
    NotConfigured,
    #[error("{0}")]
    Settings(String),
    /// No answer, or a TLS failure, with what to check.
    #[error("Goldmane at {address} did not answer: {detail}")]
    Unreachable { address: String, detail: String },
    #[error("Goldmane refused the request: {0}")]
    Refused(String),
    /// An answer over a message limit (ours, Goldmane's or a proxy's).
    #[error(
        "Goldmane's answer is too large for one message ({0}): narrow the range or the filters"
    )]
    TooLarge(String),
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
}

#[derive(Clone, Debug)]
pub struct Goldmane {
    channel: Channel,
    api: Api,
    address: String,
}

impl Goldmane {
    /// Connects and learns the API shape (from the settings, or by asking: a 3.31 server
    /// refuses filter hints of type 7, which 3.32 added).
    pub async fn connect(settings: &Settings) -> Result<Goldmane, GoldmaneError> {
        let address = settings.json.goldmane_address.trim().to_string();
        if address.is_empty() {
            return Err(GoldmaneError::NotConfigured);
        }
        let configured =
            Api::from_setting(&settings.json.goldmane_api).map_err(GoldmaneError::Settings)?;
        let channel = channel(settings, &address).await?;
        let mut goldmane = Goldmane {
            channel,
            api: Api::V3_32,
            address,
        };
        goldmane.api = match configured {
            Some(api) => api,
            None => goldmane.detect().await?,
        };
        Ok(goldmane)
    }

    pub fn api(&self) -> Api {
        self.api
    }

    async fn detect(&self) -> Result<Api, GoldmaneError> {
        let probe = new::FilterHintsRequest {
            r#type: new::FilterType::PolicyKind as i32,
            page_size: 1,
            ..Default::default()
        };
        match self.unary::<_, new::FilterHintsResult>(HINTS, probe).await {
            Ok(_) => Ok(Api::V3_32),
            Err(GoldmaneError::Refused(m)) if m.contains("unsupported filter type") => {
                Ok(Api::V3_30)
            }
            Err(e) => Err(e),
        }
    }

    /// One small call both shapes answer: that the server is there and takes our certificate.
    pub async fn ping(&self) -> Result<(), GoldmaneError> {
        let hint = new::FilterHintsRequest {
            r#type: new::FilterType::DestNamespace as i32,
            page_size: 1,
            ..Default::default()
        };
        self.unary::<_, new::FilterHintsResult>(HINTS, hint)
            .await
            .map(|_| ())
    }

    /// The values Goldmane has seen for a filter (sorted, distinct): namespaces, names, policy
    /// tiers, names or kinds, as template-variable values. In one answer: pages of a set that
    /// changes as flows come and go would shift under us.
    pub async fn hints(&self, kind: new::FilterType) -> Result<Vec<String>, GoldmaneError> {
        let req = new::FilterHintsRequest {
            r#type: kind as i32,
            page_size: 0,
            ..Default::default()
        };
        let answer: new::FilterHintsResult = self.unary(HINTS, req).await?;
        let mut values: Vec<String> = answer.hints.into_iter().map(|h| h.value).collect();
        values.sort();
        values.dedup();
        Ok(values)
    }

    /// Every flow of the request's range, each once, newest first (up to [`MAX_FLOWS`]);
    /// whether more were left. Never paged: see [`listing`].
    pub async fn list(
        &self,
        req: new::FlowListRequest,
    ) -> Result<(Vec<new::FlowResult>, bool), GoldmaneError> {
        let mut flows = match self.answer(req.clone()).await {
            Err(GoldmaneError::TooLarge(_)) => self.in_parts(req).await?,
            other => other?,
        };
        listing::order(&mut flows);
        let more = flows.len() > MAX_FLOWS;
        flows.truncate(MAX_FLOWS);
        Ok((flows, more))
    }

    /// One page of a listing (`page_size` 0: all of it in one answer).
    async fn page(
        &self,
        mut req: new::FlowListRequest,
        page_size: i64,
    ) -> Result<Vec<new::FlowResult>, GoldmaneError> {
        (req.page, req.page_size) = (0, page_size);
        let answer: new::FlowListResult = match self.api {
            Api::V3_32 => self.unary(LIST, req).await?,
            Api::V3_30 => self.unary(LIST, old_list(req)?).await?,
        };
        Ok(answer.flows)
    }

    async fn answer(
        &self,
        req: new::FlowListRequest,
    ) -> Result<Vec<new::FlowResult>, GoldmaneError> {
        self.page(req, 0).await
    }

    /// The range in disjoint parts cut at bucket boundaries, halved until each fits one answer.
    async fn in_parts(
        &self,
        req: new::FlowListRequest,
    ) -> Result<Vec<new::FlowResult>, GoldmaneError> {
        let (gte, lt) = (req.start_time_gte, req.start_time_lt);
        let whole = Span::of(gte, lt, crate::client::now_s() as i64, KEPT_SECONDS);
        let (mut todo, mut parts) = (vec![whole], Vec::new());
        while let Some(span) = todo.pop() {
            match self.answer(within(&req, span.gte, span.lt)).await {
                Ok(flows) => parts.push(flows),
                Err(GoldmaneError::TooLarge(detail)) => {
                    let halves = self.halve(&req, span).await?;
                    let (left, right) = halves.ok_or_else(|| one_bucket(&detail))?;
                    todo.extend([left, right]);
                }
                Err(e) if span != whole && empty_range(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(listing::merge(parts))
    }

    /// `span` cut at a bucket boundary near its middle, found in a page of the flows on
    /// either side (any page: their order does not matter here).
    async fn halve(
        &self,
        req: &new::FlowListRequest,
        span: Span,
    ) -> Result<Option<(Span, Span)>, GoldmaneError> {
        let middle = span.middle();
        let before = self.probe(within(req, span.gte, middle)).await?;
        if let Some(halves) = listing::cut(span, &before, &[]) {
            return Ok(Some(halves));
        }
        let after = self.probe(within(req, middle, span.lt)).await?;
        Ok(listing::cut(span, &before, &after))
    }

    /// A page of flows; none when the range is empty as Goldmane resolves it.
    async fn probe(
        &self,
        req: new::FlowListRequest,
    ) -> Result<Vec<new::FlowResult>, GoldmaneError> {
        match self.page(req, PROBE).await {
            Err(e) if empty_range(&e) => Ok(Vec::new()),
            other => other,
        }
    }

    /// Statistics results; none (rather than Goldmane's NOT_FOUND) when nothing matches.
    pub async fn statistics(
        &self,
        req: new::StatisticsRequest,
    ) -> Result<Vec<new::StatisticsResult>, GoldmaneError> {
        let results: Result<Vec<new::StatisticsResult>, _> = match self.api {
            Api::V3_32 => self.streaming(STATISTICS, req).await,
            Api::V3_30 => self.streaming(STATISTICS, old_statistics(req)?).await,
        };
        match results {
            Err(GoldmaneError::Refused(m)) if m.starts_with("NotFound") => Ok(Vec::new()),
            other => Ok(other?.into_iter().filter(|r| r.policy.is_some()).collect()),
        }
    }

    async fn unary<Req, Resp>(&self, path: &'static str, req: Req) -> Result<Resp, GoldmaneError>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let mut grpc = self.grpc().await?;
        let codec = ProstCodec::<Req, Resp>::default();
        let path = http::uri::PathAndQuery::from_static(path);
        let answer = grpc.unary(tonic::Request::new(req), path, codec).await;
        answer.map(|r| r.into_inner()).map_err(|s| self.status(s))
    }

    async fn streaming<Req, Resp>(
        &self,
        path: &'static str,
        req: Req,
    ) -> Result<Vec<Resp>, GoldmaneError>
    where
        Req: prost::Message + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + Sync + 'static,
    {
        let mut grpc = self.grpc().await?;
        let codec = ProstCodec::<Req, Resp>::default();
        let path = http::uri::PathAndQuery::from_static(path);
        let mut stream = grpc
            .server_streaming(tonic::Request::new(req), path, codec)
            .await
            .map_err(|s| self.status(s))?
            .into_inner();
        let mut out = Vec::new();
        while let Some(item) = stream.message().await.map_err(|s| self.status(s))? {
            out.push(item);
        }
        Ok(out)
    }

    async fn grpc(&self) -> Result<tonic::client::Grpc<Channel>, GoldmaneError> {
        let mut grpc =
            tonic::client::Grpc::new(self.channel.clone()).max_decoding_message_size(MAX_MESSAGE);
        grpc.ready().await.map_err(|e| self.unreachable(&e))?;
        Ok(grpc)
    }

    /// A gRPC status as the error a person can act on.
    fn status(&self, s: Status) -> GoldmaneError {
        // A transport failure (a refused certificate arrives as one, with code Unknown or
        // Cancelled depending on timing) carries its cause; Goldmane's own errors do not.
        let transport = std::error::Error::source(&s).is_some();
        match s.code() {
            _ if too_large(&s) => GoldmaneError::TooLarge(s.message().to_string()),
            Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => self.transport(&s),
            _ if transport => self.transport(&s),
            code => GoldmaneError::Refused(format!("{code:?}: {}", s.message())),
        }
    }

    /// Status's own text repeats its metadata: its message and causes say what happened.
    fn transport(&self, s: &Status) -> GoldmaneError {
        let causes = std::error::Error::source(s).map(chain);
        let detail = [Some(s.message().to_string()), causes]
            .into_iter()
            .flatten();
        let detail = explain(&detail.collect::<Vec<_>>().join(": "));
        GoldmaneError::Unreachable {
            address: self.address.clone(),
            detail,
        }
    }

    fn unreachable(&self, e: &(dyn std::error::Error + 'static)) -> GoldmaneError {
        GoldmaneError::Unreachable {
            address: self.address.clone(),
            detail: explain(&chain(e)),
        }
    }
}

/// A message over a size limit: tonic says OutOfRange ("message length too large"), grpc-go
/// ResourceExhausted ("larger than max"), on either side of the call.
fn too_large(s: &Status) -> bool {
    let m = s.message();
    match s.code() {
        Code::OutOfRange => m.contains("message length too large"),
        Code::ResourceExhausted => m.contains("larger than max"),
        _ => false,
    }
}

/// The request for [gte, lt).
fn within(req: &new::FlowListRequest, gte: i64, lt: i64) -> new::FlowListRequest {
    new::FlowListRequest {
        start_time_gte: gte,
        start_time_lt: lt,
        ..req.clone()
    }
}

/// Goldmane's refusal of a range that ends before it starts: a part cut where Goldmane's
/// clock (which resolves relative times) puts no time of the request's range.
fn empty_range(e: &GoldmaneError) -> bool {
    matches!(e, GoldmaneError::Refused(m) if m.contains("must be less than"))
}

fn one_bucket(detail: &str) -> GoldmaneError {
    GoldmaneError::TooLarge(format!(
        "{detail}; one of Goldmane's 15 s buckets alone is larger than that"
    ))
}

fn old_list(req: new::FlowListRequest) -> Result<old::FlowListRequest, Unsupported> {
    Ok(old::FlowListRequest {
        start_time_gte: req.start_time_gte,
        start_time_lt: req.start_time_lt,
        page: req.page,
        page_size: req.page_size,
        sort_by: req
            .sort_by
            .into_iter()
            .map(|s| old::SortOption { sort_by: s.sort_by })
            .collect(),
        filter: req.filter.map(api::filter).transpose()?,
        aggregation_interval: req.aggregation_interval,
    })
}

fn old_statistics(req: new::StatisticsRequest) -> Result<old::StatisticsRequest, Unsupported> {
    Ok(old::StatisticsRequest {
        start_time_gte: req.start_time_gte,
        start_time_lt: req.start_time_lt,
        r#type: req.r#type,
        group_by: req.group_by,
        policy_match: req.policy_match.map(api::policy_match).transpose()?,
        time_series: req.time_series,
    })
}

/// The channel, with mutual TLS unless the address says `http://`. Connects lazily: the
/// first call reports what went wrong, with the fix.
async fn channel(settings: &Settings, address: &str) -> Result<Channel, GoldmaneError> {
    let uri = if address.contains("://") {
        address.to_string()
    } else {
        format!("https://{address}")
    };
    let bad = |e: &dyn std::fmt::Display| {
        GoldmaneError::Settings(format!(
            "the Goldmane address {address:?} is not usable: {e}"
        ))
    };
    let timeout = Duration::from_secs(settings.json.timeout_seconds.max(1));
    let mut endpoint = Channel::from_shared(uri.clone())
        .map_err(|e| bad(&e))?
        .connect_timeout(timeout)
        .timeout(timeout);
    if uri.starts_with("https://") {
        endpoint = endpoint.tls_config(tls(settings)?).map_err(|e| bad(&e))?;
    }
    Ok(endpoint.connect_lazy())
}

fn tls(settings: &Settings) -> Result<ClientTlsConfig, GoldmaneError> {
    let s = &settings.secrets;
    let missing = [
        ("CA certificate", &s.goldmane_ca_cert),
        ("client certificate", &s.goldmane_client_cert),
        ("client key", &s.goldmane_client_key),
    ];
    if let Some((what, _)) = missing.iter().find(|(_, v)| v.trim().is_empty()) {
        return Err(GoldmaneError::Settings(format!(
            "the Goldmane {what} is not set: Goldmane accepts only clients with a certificate its CA signed (see the README's Goldmane section)"
        )));
    }
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&s.goldmane_ca_cert))
        .identity(Identity::from_pem(
            &s.goldmane_client_cert,
            &s.goldmane_client_key,
        ));
    let name = settings.json.goldmane_server_name.trim();
    if !name.is_empty() {
        tls = tls.domain_name(name);
    }
    Ok(tls)
}

/// An error and its sources, joined: tonic's own message is only "transport error".
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.dedup();
    parts.join(": ")
}

/// What a transport failure means for the person who configured it. With TLS 1.3 a
/// refused client certificate arrives after the handshake, as a closed, reset or broken
/// connection: whatever is not a connect, name or server-certificate failure is read as that.
fn explain(detail: &str) -> String {
    let has = |words: &[&str]| words.iter().any(|w| detail.contains(w));
    let fix = if has(&["UnknownIssuer", "invalid peer certificate"]) {
        "Goldmane's certificate is not signed by the CA given: use the CA bundle of ConfigMap goldmane-ca-bundle in calico-system"
    } else if has(&["NotValidForName"]) {
        "the certificate does not name this address: set the TLS server name to goldmane.calico-system.svc"
    } else if has(&[
        "Connection refused",
        "tcp connect error",
        "dns error",
        "timed out",
        "deadline",
    ]) {
        "check the address and that Goldmane runs (service goldmane in calico-system, port 7443)"
    } else {
        "Goldmane closes the connection when it refuses the client certificate: use a certificate and key its CA signed, e.g. secret node-certs in calico-system"
    };
    format!("{detail} ({fix})")
}
