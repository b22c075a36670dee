//! The protocol edge: every typed error of the data path becomes the HTTP-like status Grafana
//! reads on a query's `DataResponse` or a resource's answer, with its text as the message.
//!
//! The statuses follow Grafana's own Prometheus datasource (`pkg/promlib/querydata`): a
//! store that could not be asked, or whose answer could not be used, is 502 Bad Gateway; a
//! store that answered with an HTTP error passes its status on (Prometheus's 400 `bad_data`,
//! Thanos's 422, a gateway's 503), as Grafana sets `Status` to the answer's status code.
//! Beyond Grafana: no answer within the timeout is 504, a query the plugin cannot make sense
//! of (its JSON, catalog entry, PromQL, min step or time range) 400 before anything is sent.

use super::context::InstanceError;
use crate::client::ClientError;
use crate::execute::QueryError;
use crate::frames::arrow::ArrowError;
use crate::goldmane::GoldmaneError;
use crate::promql::BuildError;
use crate::report::ReportError;

/// Why one query, or one resource call, failed.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The datasource's settings are not usable.
    #[error(transparent)]
    Instance(#[from] InstanceError),
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The answer could not be written as Arrow: a bug here, not in the query.
    #[error("could not encode frames: {0}")]
    Encode(#[from] ArrowError),
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A resource path this plugin does not serve; the text lists the ones it does.
    #[error("{0}")]
    NotFound(String),
    /// A resource parameter that cannot be what it names; the text says what to give.
    #[error("{0}")]
    BadRequest(String),
}

impl From<ClientError> for PluginError {
    fn from(e: ClientError) -> Self {
        PluginError::Query(QueryError::Store(e))
    }
}

impl PluginError {
    /// The status Grafana shows for this error.
    pub fn status(&self) -> u16 {
        match self {
            PluginError::Instance(_) => 400,
            PluginError::Query(e) => query_status(e),
            PluginError::Encode(_) => 500,
            PluginError::NotFound(_) => 404,
            PluginError::BadRequest(_) => 400,
            PluginError::Report(ReportError::Query(e)) => query_status(e),
            PluginError::Report(_) => 400,
        }
    }
}

fn query_status(e: &QueryError) -> u16 {
    match e {
        QueryError::Json(_)
        | QueryError::UnknownEntry(_)
        | QueryError::MinStep(_)
        | QueryError::Promql(_)
        | QueryError::NoTimeRange
        | QueryError::TimeRange { .. } => 400,
        QueryError::Build(b) => match b {
            BuildError::GroupBy { .. } | BuildError::Rewrite(_) => 400,
            // A catalog template that does not parse is our bug.
            BuildError::Template { .. } | BuildError::Printed { .. } => 500,
        },
        QueryError::Store(c) => store_status(c),
        QueryError::Goldmane(g) => goldmane_status(g),
    }
}

fn store_status(e: &ClientError) -> u16 {
    match e {
        ClientError::Unreachable { .. } | ClientError::TooLarge(_) | ClientError::Decode(_) => 502,
        ClientError::Timeout(_) => 504,
        ClientError::Status { status, .. } if (400..=599).contains(status) => *status,
        // A status that is not an HTTP error (a redirect not followed) is still no answer.
        ClientError::Status { .. } => 502,
        ClientError::Config(_) => 400,
    }
}

fn goldmane_status(e: &GoldmaneError) -> u16 {
    match e {
        GoldmaneError::NotConfigured
        | GoldmaneError::Settings(_)
        | GoldmaneError::Unsupported(_) => 400,
        GoldmaneError::Unreachable { .. }
        | GoldmaneError::Refused(_)
        | GoldmaneError::TooLarge(_) => 502,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn statuses_follow_grafanas_prometheus_datasource() {
        let store = |e: ClientError| PluginError::from(e).status();
        let unreachable = ClientError::Unreachable {
            url: "http://127.0.0.1:1".into(),
            cause: "connection refused".into(),
        };
        let http = |status| ClientError::Status {
            status,
            message: "x".into(),
        };
        assert_eq!(store(unreachable), 502);
        assert_eq!(store(ClientError::Decode("truncated".into())), 502);
        assert_eq!(store(ClientError::TooLarge(10)), 502);
        assert_eq!(store(ClientError::Timeout(Duration::from_secs(1))), 504);
        assert_eq!(store(http(422)), 422);
        assert_eq!(store(http(503)), 503);
        assert_eq!(store(http(302)), 502);
        let json = crate::query::model::QueryModel::from_json(b"{").unwrap_err();
        assert_eq!(PluginError::from(QueryError::from(json)).status(), 400);
        assert_eq!(
            PluginError::from(QueryError::UnknownEntry("x".into())).status(),
            400
        );
        assert_eq!(PluginError::from(InstanceError::NoDatasource).status(), 400);
        assert_eq!(PluginError::NotFound("nope".into()).status(), 404);
    }
}
