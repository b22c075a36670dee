//! The flow view's drill-down: the flows of the selected pair, fetched by the panel from the
//! datasource's resource API (`GET …/resources/flows`, which Grafana proxies to the
//! backend) — the URL to ask, and the answer read into lines. The fetch itself is `fetch.rs`
//! (wasm only); this part is plain Rust, tested natively.
//!
//! ```
//! use calicoscope_panel::drill::{read, Drill};
//! use calicoscope_panel::model::flows::Flows;
//! let f = Flows { names: vec!["shop".into(), "payments".into()], namespaces: 2, ..Flows::default() };
//! let answer = r#"{"flows": [], "notices": []}"#;
//! assert_eq!(read(200, answer, &f, (0, 1)), Drill::Listed { lines: vec![], more: 0, notices: vec![] });
//! ```

use calicoscope_model::flows::field;
use serde_json::Value;

use crate::format::count;
use crate::model::flows::{key, Flows};

/// Lines listed at most; the rest are counted (a pane of 100,000 rows helps no one).
pub const MAX_LINES: usize = 200;

/// Where the panel asks: the datasource's resource URL (`…/api/datasources/uid/<uid>/
/// resources/`) and the dashboard's time range, from `module.js`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Source {
    pub base: String,
    pub from_ms: f64,
    pub to_ms: f64,
}

/// What the drill-down pane shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Drill {
    Loading,
    Failed(String),
    /// The pair's flows, busiest first (none: the empty state), `more` past [`MAX_LINES`].
    Listed {
        lines: Vec<Line>,
        more: usize,
        notices: Vec<String>,
    },
}

/// One flow as the pane lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// `namespace/name` (or the name alone outside a namespace).
    pub source: String,
    pub dest: String,
    /// `8443/TCP`, with the service when there is one.
    pub port: String,
    /// The verdict, and what a staged policy would make of it when that differs.
    pub verdict: String,
    /// Which end's Felix reported it: `source` or `destination` (each reports its own verdict).
    pub reporter: String,
    pub policies: String,
    pub packets: f64,
}

/// The URL that lists the flows of the pair; an error the pane shows when the panel does
/// not know its datasource. A group (hosts, networks) is asked without a namespace and
/// picked out of the answer by [`read`].
pub fn url(source: &Source, f: &Flows, (src, dst): (usize, usize)) -> Result<String, String> {
    if source.base.is_empty() {
        return Err(
            "The panel cannot tell which datasource answered its query, so it cannot list \
                    the flows: set the panel's datasource to the Calicoscope datasource (not a \
                    mixed or dashboard datasource)."
                .into(),
        );
    }
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (i, param) in [(src, "source_namespace"), (dst, "dest_namespace")] {
        if f.is_namespace(i) {
            q.append_pair(param, &f.names[i]);
        }
    }
    q.append_pair("from", &format!("{}", source.from_ms as i64));
    q.append_pair("to", &format!("{}", source.to_ms as i64));
    Ok(format!("{}flows?{}", source.base, q.finish()))
}

/// The resource's answer (`status`, `body`) as the pane's state, with the pair's rows only.
pub fn read(status: u16, body: &str, f: &Flows, (src, dst): (usize, usize)) -> Drill {
    let json: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(_) => {
            return Drill::Failed(format!(
                "The datasource answered {status} with no JSON: is its plugin older than the panel?"
            ))
        }
    };
    if !(200..300).contains(&status) {
        // The backend's errors say `error`; Grafana's own (an unknown datasource) `message`.
        let error = json["error"].as_str().or(json["message"].as_str());
        let error = error.unwrap_or("no reason given");
        return Drill::Failed(format!("The datasource answered {status}: {error}"));
    }
    fn end<'a>(row: &'a Value, [ns, kind, name]: [&str; 3]) -> &'a str {
        let text = |field: &str| row[field].as_str().unwrap_or_default();
        key(text(ns), text(kind), text(name))
    }
    let mut lines: Vec<Line> = json["flows"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|row| {
            end(
                row,
                [
                    field::SOURCE_NAMESPACE,
                    field::SOURCE_TYPE,
                    field::SOURCE_NAME,
                ],
            ) == f.names[src]
                && end(
                    row,
                    [field::DEST_NAMESPACE, field::DEST_TYPE, field::DEST_NAME],
                ) == f.names[dst]
        })
        .map(line)
        .collect();
    lines.sort_by(|a, b| b.packets.total_cmp(&a.packets));
    let more = lines.len().saturating_sub(MAX_LINES);
    lines.truncate(MAX_LINES);
    let notices = json["notices"]
        .as_array()
        .map(|n| {
            n.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Drill::Listed {
        lines,
        more,
        notices,
    }
}

fn line(row: &Value) -> Line {
    let text = |name: &str| row[name].as_str().unwrap_or_default();
    let number = |name: &str| row[name].as_f64().unwrap_or(0.0);
    let endpoint = |ns: &str, name: &str| match text(ns) {
        "" => text(name).to_string(),
        ns => format!("{ns}/{}", text(name)),
    };
    let mut port = format!("{}/{}", number(field::DEST_PORT), text(field::PROTOCOL));
    if !text(field::DEST_SERVICE).is_empty() {
        port = format!("{port} ({})", text(field::DEST_SERVICE));
    }
    let (action, pending) = (text(field::ACTION), text(field::PENDING_ACTION));
    let verdict = match pending.is_empty() || pending == action {
        true => action.to_string(),
        false => format!("{action} (staged: {pending})"),
    };
    Line {
        source: endpoint(field::SOURCE_NAMESPACE, field::SOURCE_NAME),
        dest: endpoint(field::DEST_NAMESPACE, field::DEST_NAME),
        port,
        verdict,
        reporter: match text(field::REPORTER) {
            "src" => "source".into(),
            "dst" => "destination".into(),
            other => other.into(),
        },
        policies: text(field::ENFORCED).to_string(),
        packets: number(field::PACKETS_IN) + number(field::PACKETS_OUT),
    }
}

/// The pane's heading: "shop → payments · 12 reports" (each end of a connection reports it,
/// with its own verdict; the matrix counts the connection once).
pub fn heading(f: &Flows, (src, dst): (usize, usize), drill: &Drill) -> String {
    let pair = format!("{} → {}", f.names[src], f.names[dst]);
    match drill {
        Drill::Listed { lines, more, .. } => {
            let n = lines.len() + more;
            let what = if n == 1 { "report" } else { "reports" };
            format!("{pair} · {} {what}", count(n as f64))
        }
        _ => pair,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flows() -> Flows {
        Flows {
            names: vec!["shop".into(), "pay ments&x".into(), "[internet]".into()],
            namespaces: 2,
            ..Flows::default()
        }
    }

    fn source() -> Source {
        Source {
            base: "/grafana/api/datasources/uid/abc/resources/".into(),
            from_ms: 1.7e12,
            to_ms: 1.7e12 + 3.6e6,
        }
    }

    fn row(
        src_ns: &str,
        src_type: &str,
        src: &str,
        dst_ns: &str,
        action: &str,
        packets: f64,
    ) -> Value {
        json!({
            field::SOURCE_NAMESPACE: src_ns, field::SOURCE_TYPE: src_type, field::SOURCE_NAME: src,
            field::DEST_NAMESPACE: dst_ns, field::DEST_TYPE: "workload", field::DEST_NAME: "api-5f-",
            field::DEST_PORT: 8443.0, field::PROTOCOL: "TCP", field::DEST_SERVICE: "",
            field::ACTION: action, field::PENDING_ACTION: "deny", field::REPORTER: "dst",
            field::ENFORCED: "default/knp:shop/allow-api allow",
            field::PACKETS_IN: packets, field::PACKETS_OUT: 1.0,
        })
    }

    #[test]
    fn the_url_asks_the_pair_with_values_encoded_and_leaves_groups_out() {
        let f = flows();
        assert_eq!(
            url(&source(), &f, (0, 1)).unwrap(),
            "/grafana/api/datasources/uid/abc/resources/flows?source_namespace=shop\
             &dest_namespace=pay+ments%26x&from=1700000000000&to=1700003600000"
        );
        let from_internet = url(&source(), &f, (2, 0)).unwrap();
        assert!(
            from_internet.contains("flows?dest_namespace=shop&from="),
            "{from_internet}"
        );
        let err = url(&Source::default(), &f, (0, 1)).unwrap_err();
        assert!(err.contains("set the panel's datasource"), "{err}");
    }

    #[test]
    fn the_answer_is_the_pairs_flows_busiest_first() {
        let f = flows();
        let body = json!({ "flows": [
            row("shop", "workload", "web-1-", "pay ments&x", "allow", 10.0),
            row("shop", "workload", "web-2-", "pay ments&x", "deny", 99.0),
            row("", "network", "pub", "shop", "deny", 5.0),
        ], "notices": ["only the first 100000 flows are shown"] });
        let Drill::Listed {
            lines,
            more,
            notices,
        } = read(200, &body.to_string(), &f, (0, 1))
        else {
            panic!("listed")
        };
        assert_eq!((lines.len(), more), (2, 0));
        assert_eq!(lines[0].source, "shop/web-2-");
        assert_eq!(
            (lines[0].verdict.as_str(), lines[0].packets),
            ("deny", 100.0)
        );
        assert_eq!(lines[1].verdict, "allow (staged: deny)");
        assert_eq!(lines[1].port, "8443/TCP");
        assert_eq!(lines[1].reporter, "destination");
        assert_eq!(notices, ["only the first 100000 flows are shown"]);
        let Drill::Listed { lines, .. } = read(200, &body.to_string(), &f, (2, 0)) else {
            panic!("listed")
        };
        assert_eq!(lines.len(), 1, "the group's own rows");
        assert_eq!(lines[0].source, "pub");
    }

    #[test]
    fn errors_say_what_answered() {
        let f = flows();
        let e = read(
            502,
            r#"{"error":"Goldmane at x did not answer"}"#,
            &f,
            (0, 1),
        );
        assert_eq!(
            e,
            Drill::Failed("The datasource answered 502: Goldmane at x did not answer".into())
        );
        assert!(
            matches!(read(200, "<html>", &f, (0, 1)), Drill::Failed(m) if m.contains("no JSON"))
        );
        let many: Vec<Value> = (0..MAX_LINES + 5)
            .map(|i| row("shop", "workload", "w", "pay ments&x", "allow", i as f64))
            .collect();
        let d = read(200, &json!({ "flows": many }).to_string(), &f, (0, 1));
        assert!(matches!(&d, Drill::Listed { lines, more: 5, .. } if lines.len() == MAX_LINES));
        assert_eq!(
            heading(&f, (0, 1), &d),
            format!("shop → pay ments&x · {} reports", MAX_LINES + 5)
        );
    }
}
