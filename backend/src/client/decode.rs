//! Decoding Prometheus's JSON straight into columns.
//!
//! A 5000-series × 720-point matrix is ~100 MB of JSON; going through `serde_json::Value`
//! would allocate a string per sample. These visitors push each sample's time and value
//! into two vectors as they are read, so decoding costs little more than skipping the bytes
//! (see benches/decode.rs).

use std::{collections::BTreeMap, fmt};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// One series: sorted labels and its samples as columns (times in ms since the epoch).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub times_ms: Vec<i64>,
    pub values: Vec<f64>,
}

/// A successful answer of `/api/v1/query` or `/api/v1/query_range`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiResponse {
    /// `matrix`, `vector`, `scalar` or `string`.
    pub result_type: String,
    /// Scalars come back as one series without labels.
    pub series: Vec<Series>,
    pub warnings: Vec<String>,
    pub infos: Vec<String>,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: ResultList,
}

impl ApiResponse {
    pub fn from_slice(body: &[u8]) -> Result<Self, String> {
        let env: Envelope =
            serde_json::from_slice(body).map_err(|e| format!("not Prometheus API JSON ({e})"))?;
        if env.status != "success" {
            return Err(format!("{}: {}", env.error_type, env.error));
        }
        let data = env.data.ok_or("the answer has no data")?;
        Ok(ApiResponse {
            result_type: data.result_type,
            series: data.result.0,
            warnings: env.warnings,
            infos: env.infos,
        })
    }

    /// Prometheus's own error text from an error body, if it is one.
    pub fn error_text(body: &[u8]) -> Option<String> {
        let env: Envelope = serde_json::from_slice(body).ok()?;
        (env.status == "error").then(|| format!("{}: {}", env.error_type, env.error))
    }
}

/// `result`: an array of series (matrix, vector) or a `[time, "value"]` pair (scalar).
struct ResultList(Vec<Series>);

impl<'de> Deserialize<'de> for ResultList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(ResultVisitor)
    }
}

struct ResultVisitor;

impl<'de> Visitor<'de> for ResultVisitor {
    type Value = ResultList;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a result array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ResultList, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(16));
        let mut scalar = Series::default();
        while let Some(item) = seq.next_element::<Item>()? {
            match item {
                Item::Series(s) => out.push(s),
                Item::Time(t) => scalar.times_ms.push((t * 1000.0).round() as i64),
                Item::Value(v) => scalar.values.push(v),
            }
        }
        if !scalar.times_ms.is_empty() && scalar.times_ms.len() == scalar.values.len() {
            out.push(scalar);
        }
        Ok(ResultList(out))
    }
}

enum Item {
    Series(Series),
    Time(f64),
    Value(f64),
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a series object or a scalar")
    }
    fn visit_f64<E>(self, v: f64) -> Result<Item, E> {
        Ok(Item::Time(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Item, E> {
        Ok(Item::Time(v as f64))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Item, E> {
        Ok(Item::Time(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Item, E> {
        parse_value(v).map(Item::Value).map_err(E::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        let mut s = Series::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Metric => s.labels = map.next_value()?,
                Key::Value => map.next_value_seed(Point(&mut s))?,
                Key::Values => map.next_value_seed(Points(&mut s))?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Item::Series(s))
    }
}

enum Key {
    Metric,
    Value,
    Values,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a series key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "metric" => Key::Metric,
                    "value" => Key::Value,
                    "values" => Key::Values,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// `[[t, "v"], ...]` appended to a series' columns.
///
/// The whole array is taken as raw JSON (serde_json only finds its end) and scanned by
/// [`scan_points`]: timestamps become integer milliseconds without a float round trip and
/// integer sample values skip the float parser. Visiting every pair through serde instead
/// cost three to four times the bare skip (see benches/decode.rs).
struct Points<'a>(&'a mut Series);

impl<'de> DeserializeSeed<'de> for Points<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let raw = <&'de serde_json::value::RawValue>::deserialize(d)?;
        scan_points(raw.get(), self.0).map_err(de::Error::custom)
    }
}

/// Scans `[[t,"v"],...]` (JSON whitespace allowed) into the series' columns.
///
/// A single pass over bytes with the common shapes parsed inline (integer or
/// millisecond-precision times, integer values); anything else goes to the general parsers.
fn scan_points(raw: &str, s: &mut Series) -> Result<(), String> {
    let b = raw.as_bytes();
    // One '[' per pair plus the outer one: reserve exactly, no regrowth copies.
    let pairs = b.iter().filter(|&&c| c == b'[').count().saturating_sub(1);
    s.times_ms.reserve_exact(pairs);
    s.values.reserve_exact(pairs);
    let err = |i: usize| format!("malformed [time, \"value\"] pair at byte {i} of a values array");
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return Err(err(i));
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Ok(());
    }
    loop {
        if b.get(i) != Some(&b'[') {
            return Err(err(i));
        }
        let start = skip_ws(b, i + 1);
        let mut end = start;
        while end < b.len() && !matches!(b[end], b',' | b' ' | b'\t' | b'\n' | b'\r') {
            end += 1;
        }
        let time = time_ms(&b[start..end]).ok_or_else(|| err(start))?;
        i = skip_ws(b, end);
        if b.get(i) != Some(&b',') {
            return Err(err(i));
        }
        i = skip_ws(b, i + 1);
        if b.get(i) != Some(&b'"') {
            return Err(err(i));
        }
        let vstart = i + 1;
        let vend = vstart
            + b[vstart..]
                .iter()
                .position(|&c| c == b'"')
                .ok_or_else(|| err(vstart))?;
        let value = sample_value(&b[vstart..vend])?;
        i = skip_ws(b, vend + 1);
        if b.get(i) != Some(&b']') {
            return Err(err(i));
        }
        s.times_ms.push(time);
        s.values.push(value);
        i = skip_ws(b, i + 1);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b']') => return Ok(()),
            _ => return Err(err(i)),
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Seconds as integer milliseconds: `1700000000`, `1700000000.5`, `1700000000.123` inline;
/// exponents and longer fractions through f64.
fn time_ms(t: &[u8]) -> Option<i64> {
    let mut ms: i64 = 0;
    let mut i = 0;
    while i < t.len() && t[i].is_ascii_digit() && i < 15 {
        ms = ms * 10 + (t[i] - b'0') as i64;
        i += 1;
    }
    let mut scale = 1000;
    if i > 0 && t.get(i) == Some(&b'.') {
        i += 1;
        while i < t.len() && t[i].is_ascii_digit() && scale > 1 {
            scale /= 10;
            ms = ms * 10 + (t[i] - b'0') as i64;
            i += 1;
        }
    }
    if i == t.len() && i > 0 {
        return Some(ms * scale);
    }
    let text = std::str::from_utf8(t).ok()?;
    text.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(|x| (x * 1000.0).round() as i64)
}

fn sample_value(v: &[u8]) -> Result<f64, String> {
    if !v.is_empty() && v.len() < 16 && v.iter().all(u8::is_ascii_digit) {
        return Ok(v.iter().fold(0i64, |acc, &c| acc * 10 + (c - b'0') as i64) as f64);
    }
    parse_value(std::str::from_utf8(v).map_err(|e| e.to_string())?)
}

/// `[t, "v"]` appended to a series' columns (an instant vector's `value`).
struct Point<'a>(&'a mut Series);

impl<'de> DeserializeSeed<'de> for Point<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let raw = <&'de serde_json::value::RawValue>::deserialize(d)?;
        scan_points(&format!("[{}]", raw.get()), self.0).map_err(de::Error::custom)
    }
}

fn parse_value(v: &str) -> Result<f64, String> {
    match v {
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => v
            .parse()
            .map_err(|_| format!("sample value {v:?} is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_result_type() {
        let matrix = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"ippool":"p","node":"n1"},"values":[[1700000000,"1"],[1700000015.5,"NaN"],[1700000031,"+Inf"]]}]}}"#;
        let r = ApiResponse::from_slice(matrix).unwrap();
        assert_eq!(r.result_type, "matrix");
        let s = &r.series[0];
        assert_eq!(s.labels["node"], "n1");
        assert_eq!(
            s.times_ms,
            vec![1_700_000_000_000, 1_700_000_015_500, 1_700_000_031_000]
        );
        assert_eq!(s.values[0], 1.0);
        assert!(s.values[1].is_nan() && s.values[2].is_infinite());

        let vector = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.123,"42"]}]},"warnings":["w1"]}"#;
        let r = ApiResponse::from_slice(vector).unwrap();
        assert_eq!(
            (r.series[0].times_ms[0], r.series[0].values[0]),
            (1_700_000_000_123, 42.0)
        );
        assert_eq!(r.warnings, vec!["w1"]);

        let scalar =
            br#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"3"]}}"#;
        let r = ApiResponse::from_slice(scalar).unwrap();
        assert_eq!(r.series.len(), 1);
        assert_eq!(r.series[0].values, vec![3.0]);
    }

    #[test]
    fn errors_are_prometheus_texts() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#;
        assert_eq!(
            ApiResponse::error_text(body).unwrap(),
            "bad_data: parse error at char 5"
        );
        assert!(ApiResponse::from_slice(
            b"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
        )
        .is_err());
        let parse_point = |raw: &str| {
            let mut one = Series::default();
            scan_points(&format!("[{raw}]"), &mut one).map(|_| (one.times_ms[0], one.values[0]))
        };
        for (raw, want) in [
            ("[1700000000.1,\"2.5\"]", (1_700_000_000_100, 2.5)),
            ("[ 1.5e9 , \"-3\" ]", (1_500_000_000_000, -3.0)),
        ] {
            assert_eq!(parse_point(raw).unwrap(), want, "{raw}");
        }
        assert!(parse_point("[1,2]").is_err() && parse_point("[\"a\",\"1\"]").is_err());
        assert!(ApiResponse::from_slice(br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}"#)
            .unwrap_err()
            .contains("not a number"));
    }
}
