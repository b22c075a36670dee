//! Decoding Prometheus's JSON straight into columns, in one pass over the bytes.
//!
//! A 5000-series × 720-point matrix is ~80 MB of JSON. Going through `serde_json::Value`
//! would allocate a string per sample, and even serde visitors made the bytes be read twice
//! (once to find a `values` array's end, once to parse it). This decoder reads the answer
//! once: the envelope and labels with a small hand-written JSON reader, samples straight
//! into two vectors (see benches/decode.rs). Strings with escapes go through serde_json.

use std::collections::BTreeMap;

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

/// The envelope's fields, success or error.
#[derive(Default)]
struct Envelope {
    status: String,
    error_type: String,
    error: String,
    data: Option<ApiResponse>,
    warnings: Vec<String>,
    infos: Vec<String>,
}

/// Why an answer is not a usable Prometheus API answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not the API's JSON: what was wrong, and the byte offset where reading stopped.
    #[error("not Prometheus API JSON ({what} at byte {at})")]
    Syntax { what: String, at: usize },
    /// A well-formed error answer (`"status":"error"`).
    #[error("{error_type}: {error}")]
    Api { error_type: String, error: String },
    #[error("the answer has no data")]
    NoData,
}

impl ApiResponse {
    pub fn from_slice(body: &[u8]) -> Result<Self, DecodeError> {
        let env = Reader::new(body).envelope()?;
        if env.status != "success" {
            return Err(DecodeError::Api {
                error_type: env.error_type,
                error: env.error,
            });
        }
        let mut data = env.data.ok_or(DecodeError::NoData)?;
        data.warnings = env.warnings;
        data.infos = env.infos;
        Ok(data)
    }

    /// Prometheus's own error text from an error body, if it is one.
    pub fn error_text(body: &[u8]) -> Option<String> {
        let env = Reader::new(body).envelope().ok()?;
        (env.status == "error").then(|| format!("{}: {}", env.error_type, env.error))
    }
}

/// A cursor over JSON bytes.
struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

type Res<T> = Result<T, DecodeError>;

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Self {
        Reader { b, i: 0 }
    }

    fn envelope(&mut self) -> Res<Envelope> {
        let mut env = Envelope::default();
        self.object(|r, key| {
            match key {
                "status" => env.status = r.string()?,
                "errorType" => env.error_type = r.string()?,
                "error" => env.error = r.string()?,
                "warnings" => env.warnings = r.strings()?,
                "infos" => env.infos = r.strings()?,
                "data" => env.data = Some(r.data()?),
                _ => r.skip_value()?,
            }
            Ok(())
        })?;
        self.ws();
        if self.i != self.b.len() {
            return Err(self.err("trailing bytes after the answer"));
        }
        Ok(env)
    }

    fn data(&mut self) -> Res<ApiResponse> {
        let mut out = ApiResponse::default();
        self.object(|r, key| {
            match key {
                "resultType" => out.result_type = r.string()?,
                "result" => out.series = r.result()?,
                _ => r.skip_value()?,
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// `result`: an array of series (matrix, vector) or a `[time, "value"]` pair (scalar).
    fn result(&mut self) -> Res<Vec<Series>> {
        self.ws();
        let scalar = self.b.get(self.i) == Some(&b'[') && {
            let mut peek = Reader {
                b: self.b,
                i: self.i + 1,
            };
            peek.ws();
            !matches!(peek.b.get(peek.i), Some(b'{' | b']'))
        };
        if scalar {
            let mut s = Series::default();
            self.point(&mut s)?;
            return Ok(vec![s]);
        }
        let mut out = Vec::new();
        let mut hint = 0;
        self.array(|r| {
            out.push(r.series(&mut hint)?);
            Ok(())
        })?;
        Ok(out)
    }

    fn series(&mut self, hint: &mut usize) -> Res<Series> {
        let mut s = Series::default();
        self.object(|r, key| {
            match key {
                "metric" => {
                    r.object(|r, name| {
                        let value = r.string()?;
                        s.labels.insert(name.to_string(), value);
                        Ok(())
                    })?;
                }
                "value" => r.point(&mut s)?,
                "values" => r.points(&mut s, *hint)?,
                _ => r.skip_value()?,
            }
            Ok(())
        })?;
        *hint = s.values.len();
        Ok(s)
    }

    /// `[[t,"v"],...]` into the series' columns, each pair parsed where it stands. The
    /// columns are reserved for `hint` points (the previous series' length: the series of one
    /// answer share its range and step), so they rarely grow and nothing is read twice.
    fn points(&mut self, s: &mut Series, hint: usize) -> Res<()> {
        s.times_ms.reserve_exact(hint);
        s.values.reserve_exact(hint);
        self.expect(b'[')?;
        if self.eat(b']') {
            return Ok(());
        }
        loop {
            self.point(s)?;
            // Prometheus writes compact JSON: the separator is the very next byte.
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ if self.eat(b']') => return Ok(()),
                _ => self.expect(b',')?,
            }
        }
    }

    /// `[t, "v"]` appended to the series' columns: Prometheus's compact form inline, anything
    /// else (whitespace, exponents, long fractions) through the general reader.
    fn point(&mut self, s: &mut Series) -> Res<()> {
        let (time, value) = match compact_point(self.b, self.i) {
            Some((time, value, end)) => {
                self.i = end;
                (time, value)
            }
            None => self.general_point()?,
        };
        s.times_ms.push(time);
        s.values.push(value);
        Ok(())
    }

    fn general_point(&mut self) -> Res<(i64, f64)> {
        self.expect(b'[')?;
        self.ws();
        let start = self.i;
        while self.i < self.b.len()
            && !matches!(self.b[self.i], b',' | b' ' | b'\t' | b'\n' | b'\r')
        {
            self.i += 1;
        }
        let time = time_ms(&self.b[start..self.i])
            .ok_or_else(|| self.err("a sample time is not a number"))?;
        self.expect(b',')?;
        self.expect(b'"')?;
        let vstart = self.i;
        let len = self.b[vstart..]
            .iter()
            .position(|&c| c == b'"')
            .ok_or_else(|| self.err("unterminated value"))?;
        let raw = &self.b[vstart..vstart + len];
        let value = sample_value(raw).ok_or_else(|| {
            self.err(&format!(
                "sample value {:?} is not a number",
                String::from_utf8_lossy(raw)
            ))
        })?;
        self.i = vstart + len + 1;
        self.expect(b']')?;
        Ok((time, value))
    }

    /// Calls `each(reader, key)` for every member; `each` must consume the value.
    fn object(&mut self, mut each: impl FnMut(&mut Self, &str) -> Res<()>) -> Res<()> {
        self.expect(b'{')?;
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            each(self, &key)?;
            if self.eat(b'}') {
                return Ok(());
            }
            self.expect(b',')?;
        }
    }

    /// Calls `each(reader)` for every element; `each` must consume it.
    fn array(&mut self, mut each: impl FnMut(&mut Self) -> Res<()>) -> Res<()> {
        self.expect(b'[')?;
        if self.eat(b']') {
            return Ok(());
        }
        loop {
            each(self)?;
            if self.eat(b']') {
                return Ok(());
            }
            self.expect(b',')?;
        }
    }

    fn strings(&mut self) -> Res<Vec<String>> {
        let mut out = Vec::new();
        self.array(|r| {
            out.push(r.string()?);
            Ok(())
        })?;
        Ok(out)
    }

    /// A JSON string; escapes are decoded by serde_json.
    fn string(&mut self) -> Res<String> {
        self.expect(b'"')?;
        let start = self.i;
        let mut escaped = false;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' => {
                    let raw = &self.b[start..self.i];
                    self.i += 1;
                    return if escaped {
                        serde_json::from_slice(&self.b[start - 1..self.i])
                            .map_err(|e| self.err(&e.to_string()))
                    } else {
                        String::from_utf8(raw.to_vec())
                            .map_err(|_| self.err("a string is not UTF-8"))
                    };
                }
                b'\\' => {
                    escaped = true;
                    self.i += 2;
                }
                _ => self.i += 1,
            }
        }
        Err(self.err("unterminated string"))
    }

    /// Skips any JSON value (unknown keys, native histograms).
    fn skip_value(&mut self) -> Res<()> {
        self.ws();
        match self.b.get(self.i) {
            Some(b'{') => self.object(|r, _| r.skip_value()),
            Some(b'[') => self.array(|r| r.skip_value()),
            Some(b'"') => self.string().map(|_| ()),
            Some(_) => {
                let start = self.i;
                while self.i < self.b.len()
                    && !matches!(
                        self.b[self.i],
                        b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'
                    )
                {
                    self.i += 1;
                }
                let token = &self.b[start..self.i];
                let ok = matches!(token, b"true" | b"false" | b"null")
                    || std::str::from_utf8(token).is_ok_and(|t| t.parse::<f64>().is_ok());
                if ok {
                    Ok(())
                } else {
                    Err(self.err("unexpected token"))
                }
            }
            None => Err(self.err("unexpected end of the answer")),
        }
    }

    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    #[inline]
    fn eat(&mut self, want: u8) -> bool {
        // Prometheus writes compact JSON: look before skipping whitespace.
        if self.b.get(self.i) != Some(&want) {
            self.ws();
        }
        let hit = self.b.get(self.i) == Some(&want);
        self.i += hit as usize;
        hit
    }

    #[inline]
    fn expect(&mut self, want: u8) -> Res<()> {
        if self.eat(want) {
            return Ok(());
        }
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of the answer (truncated?)")),
            Some(_) => Err(self.err(&format!("expected '{}'", want as char))),
        }
    }

    fn err(&self, what: &str) -> DecodeError {
        DecodeError::Syntax {
            what: what.to_string(),
            at: self.i,
        }
    }
}

/// `[1700000000.123,"42"]` at `at`, exactly as Prometheus writes it: (time in ms, value,
/// the index after `]`), or `None` for any other spelling (the general reader takes it).
/// Times and plain decimal values are accumulated while they are scanned ([`decimal`]);
/// other values go to [`sample_value`].
#[inline]
fn compact_point(b: &[u8], at: usize) -> Option<(i64, f64, usize)> {
    let mut i = at;
    if *b.get(i)? != b'[' {
        return None;
    }
    i += 1;
    let (mut ms, n) = digits(b, &mut i);
    if n == 0 || n > 12 {
        return None;
    }
    let mut scale = 1000;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let (fraction, n) = digits(b, &mut i);
        scale = match n {
            1 => 100,
            2 => 10,
            3 => 1,
            _ => return None,
        };
        ms = ms * 10i64.pow(n as u32) + fraction;
    }
    if b.get(i..i + 2)? != b",\"" {
        return None;
    }
    i += 2;
    let vstart = i;
    let value = match decimal(b, &mut i) {
        Some(v) if b.get(i) == Some(&b'"') => v,
        // Seventeen significant digits and more: the float parser, from where the value starts.
        _ => match fast_float2::parse_partial::<f64, _>(&b[vstart..]) {
            Ok((v, n)) if b.get(vstart + n) == Some(&b'"') => {
                i = vstart + n;
                v
            }
            _ => {
                i = vstart + b.get(vstart..)?.iter().position(|&c| c == b'"')?;
                sample_value(&b[vstart..i])?
            }
        },
    };
    if b.get(i + 1) != Some(&b']') {
        return None;
    }
    Some((ms * scale, value, i + 2))
}

/// A plain decimal (`42`, `-3`, `0.4666666666666667`) at `*i`, advancing it, when it is
/// exactly representable the simple way: at most 2^53 as an integer mantissa and at most 22
/// fraction digits, so `mantissa / 10^k` is one correctly rounded division (Clinger's fast
/// path, as float parsers take it too). Anything else is `None`, for the full parser.
#[inline]
fn decimal(b: &[u8], i: &mut usize) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let negative = b.get(*i) == Some(&b'-');
    *i += negative as usize;
    let (int, n) = digits(b, i);
    if n == 0 {
        return None;
    }
    let mut mantissa = int;
    let mut k = 0;
    if b.get(*i) == Some(&b'.') {
        *i += 1;
        let (fraction, m) = digits(b, i);
        if m == 0 || n + m > 18 {
            return None;
        }
        mantissa = int * 10i64.pow(m as u32) + fraction;
        k = m;
    }
    if mantissa > 1 << 53 || k >= POW10.len() {
        return None;
    }
    let v = mantissa as f64 / POW10[k];
    Some(if negative { -v } else { v })
}

/// Reads ASCII digits at `*i` (advancing it) into an integer; also returns how many. Stops
/// at 18 digits, before an i64 can overflow. Eight digits at a time where eight are there
/// (a sample time has ten, a rate's fraction sixteen), then byte by byte.
#[inline]
fn digits(b: &[u8], i: &mut usize) -> (i64, usize) {
    let start = *i;
    let mut n: u64 = 0;
    while *i - start <= 10 {
        let Some(eight) = b.get(*i..*i + 8) else {
            break;
        };
        let word = u64::from_le_bytes(eight.try_into().unwrap_or_default());
        if !eight_digits(word) {
            break;
        }
        n = n * 100_000_000 + parse_eight(word);
        *i += 8;
    }
    while let Some(&c) = b.get(*i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 || *i - start == 18 {
            break;
        }
        n = n * 10 + d as u64;
        *i += 1;
    }
    (n as i64, *i - start)
}

/// Whether all eight bytes of a little-endian word are ASCII digits: no byte below '0'
/// (subtracting 0x30 borrows) and none above '9' (adding 0x46 carries into the top bit).
#[inline]
fn eight_digits(word: u64) -> bool {
    let below = word.wrapping_sub(0x3030_3030_3030_3030);
    let above = word.wrapping_add(0x4646_4646_4646_4646);
    (below | above) & 0x8080_8080_8080_8080 == 0
}

/// The value of eight ASCII digits in a little-endian word, by pairing neighbours three
/// times (1+1 → 2 digits, 2+2 → 4, 4+4 → 8) instead of eight multiply-adds.
#[inline]
fn parse_eight(word: u64) -> u64 {
    let d = word - 0x3030_3030_3030_3030;
    let pairs = (d * 10 + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let quads = (pairs * 100 + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    (quads * 10_000 + (quads >> 32)) & 0xFFFF_FFFF
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

/// A sample value: Prometheus sends it as a string ("1.5", "NaN", "+Inf").
fn sample_value(v: &[u8]) -> Option<f64> {
    // Most Calico values are small integers: skip the float parser for them.
    if !v.is_empty() && v.len() < 16 && v.iter().all(u8::is_ascii_digit) {
        return Some(v.iter().fold(0i64, |acc, &c| acc * 10 + (c - b'0') as i64) as f64);
    }
    match v {
        b"+Inf" | b"Inf" => Some(f64::INFINITY),
        b"-Inf" => Some(f64::NEG_INFINITY),
        b"NaN" => Some(f64::NAN),
        _ => fast_float2::parse(v).ok(),
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
    fn any_key_order_escapes_and_unknown_keys() {
        let body = br#" {"data":{"result":[{"values":[ [ 1 , "2" ] ],"histograms":[[1,{"count":"3"}]],
            "metric":{"a\"b":"c\u00e9\n"}}],"resultType":"matrix","extra":[true,null,-1.5e3]},"status":"success"} "#;
        let r = ApiResponse::from_slice(body).unwrap();
        assert_eq!(r.series[0].labels["a\"b"], "c\u{e9}\n");
        assert_eq!(
            (r.series[0].times_ms[0], r.series[0].values[0]),
            (1000, 2.0)
        );
        for truncated in [&body[..40], &body[..body.len() - 3]] {
            let e = ApiResponse::from_slice(truncated).unwrap_err();
            assert!(matches!(e, DecodeError::Syntax { .. }), "{e}");
            assert!(e.to_string().contains("at byte"), "{e}");
        }
        assert!(ApiResponse::from_slice(b"{\"status\":\"success\"} x")
            .unwrap_err()
            .to_string()
            .contains("trailing"));
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
            Reader::new(raw.as_bytes())
                .point(&mut one)
                .map(|_| (one.times_ms[0], one.values[0]))
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
            .to_string()
            .contains("not a number"));
    }

    /// The compact fast path and the general reader agree on every spelling; what the fast
    /// path declines (whitespace, long fractions, exponents, big values) the general one reads.
    #[test]
    fn compact_and_general_points_agree() {
        for raw in [
            r#"[1700000000,"1"]"#,
            r#"[1700000000.5,"0.25"]"#,
            r#"[1700000000.12,"7"]"#,
            r#"[1700000000.123,"-3"]"#,
            r#"[1700000000.1234,"1"]"#,
            r#"[1700000000,"1e3"]"#,
            r#"[1700000000,"NaN"]"#,
            r#"[1700000000,"-Inf"]"#,
            r#"[1700000000,"123456789012345678901"]"#,
            r#"[1700000000,"0.06666666666666667"]"#,
            r#"[ 1700000000 , "2" ]"#,
            r#"[1.7e9,"2"]"#,
            r#"[1700000000,"-0.5"]"#,
            r#"[1700000000,"-0"]"#,
            r#"[1700000000,"9007199254740993"]"#,
            r#"[1700000000,"0.00000000000000000000001"]"#,
            r#"[1700000000,"1234567890.12345678"]"#,
        ] {
            let general = Reader::new(raw.as_bytes()).general_point().unwrap();
            let bits = |(t, v): (i64, f64)| (t, v.to_bits());
            if let Some((t, v, end)) = compact_point(raw.as_bytes(), 0) {
                assert_eq!(bits((t, v)), bits(general), "{raw}");
                assert_eq!(end, raw.len(), "{raw}");
            }
            let mut s = Series::default();
            let mut r = Reader::new(raw.as_bytes());
            r.point(&mut s).unwrap();
            assert_eq!(bits((s.times_ms[0], s.values[0])), bits(general), "{raw}");
            assert_eq!(r.i, raw.len(), "{raw}");
        }
        for bad in [r#"[1700000000,""]"#, r#"[1700000000,"1"}"#, r#"[-,"1"]"#] {
            let mut s = Series::default();
            assert!(Reader::new(bad.as_bytes()).point(&mut s).is_err(), "{bad}");
        }
    }

    /// The inline decimal reader rounds exactly as a full float parser does, on values
    /// spelled as Prometheus prints floats (shortest round-trip digits, no exponent).
    #[test]
    fn inline_decimals_round_like_the_float_parser() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Magnitudes Calico reports: latencies, rates, counts.
            let v = f64::from_bits(x) % 1e9;
            let v = if v.is_finite() { v } else { 0.0 };
            let ratio = (x % 1_000_000_000_007) as f64 / 10f64.powi((x % 19) as i32);
            for text in [
                format!("{v}"),
                format!("{v:.3}"),
                format!("{}", v.trunc()),
                format!("{ratio}"),
                format!("-{ratio}"),
            ] {
                let raw = format!(r#"[1700000000,"{text}"]"#);
                let (_, got, _) = compact_point(raw.as_bytes(), 0).unwrap();
                let want: f64 = text.parse().unwrap();
                assert_eq!(got.to_bits(), want.to_bits(), "{text}");
            }
        }
    }

    #[test]
    fn eight_digits_at_a_time() {
        for (text, want, n) in [
            ("12345678", 12_345_678, 8),
            ("1700000000.5", 1_700_000_000, 10),
            ("0466666666666666", 466_666_666_666_666, 16),
            ("99999999999999999999", 999_999_999_999_999_999, 18),
            ("1234567/", 1_234_567, 7),
            ("12:45678", 12, 2),
        ] {
            let mut i = 0;
            assert_eq!(digits(text.as_bytes(), &mut i), (want, n), "{text}");
            assert_eq!(i, n);
        }
        assert!(!eight_digits(u64::from_le_bytes(*b"1234567a")));
        assert!(!eight_digits(u64::from_le_bytes(*b"/2345678")));
    }
}
