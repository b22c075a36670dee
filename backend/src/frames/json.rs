//! Frames in Grafana's data frame JSON (`DataFrameJSON`: `schema` + `data`, with NaN and
//! ±Inf listed in `entities` because JSON has no such numbers) — the shape `/api/ds/query`
//! answers with and `@grafana/data`'s `dataFrameFromJSON` reads. The browser tests feed the
//! panel the backend's real output through it.

use serde_json::{json, Map, Value};

use super::{Frame, Values};

pub fn to_json(frame: &Frame, ref_id: &str) -> Value {
    let fields: Vec<Value> = frame
        .fields
        .iter()
        .map(|f| {
            let mut field = Map::new();
            field.insert("name".into(), json!(f.name));
            let kind = match f.values {
                Values::Time(_) => "time",
                Values::Number(_) => "number",
                Values::Text(_) => "string",
            };
            field.insert("type".into(), json!(kind));
            if !f.labels.is_empty() {
                field.insert("labels".into(), json!(f.labels));
            }
            if let Some(c) = &f.config {
                field.insert("config".into(), c.clone());
            }
            Value::Object(field)
        })
        .collect();
    let (values, entities): (Vec<Value>, Vec<Value>) =
        frame.fields.iter().map(|f| column(&f.values)).unzip();
    let mut schema = json!({ "name": frame.name, "refId": ref_id, "fields": fields });
    if let Some(meta) = &frame.meta {
        schema["meta"] = json!(meta);
    }
    let mut data = json!({ "values": values });
    if entities.iter().any(|e| !e.is_null()) {
        data["entities"] = Value::Array(entities);
    }
    json!({ "schema": schema, "data": data })
}

/// One column's values, and its entities (`null` when it has no NaN or infinity).
fn column(values: &Values) -> (Value, Value) {
    match values {
        Values::Time(v) => (json!(v), Value::Null),
        Values::Text(v) => (json!(v), Value::Null),
        Values::Number(v) => {
            let mut special: [(&str, Vec<usize>); 3] =
                [("NaN", vec![]), ("Inf", vec![]), ("NegInf", vec![])];
            let out: Vec<Value> = v
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let slot = if x.is_nan() {
                        Some(0)
                    } else if *x == f64::INFINITY {
                        Some(1)
                    } else if *x == f64::NEG_INFINITY {
                        Some(2)
                    } else {
                        None
                    };
                    match slot {
                        Some(s) => {
                            special[s].1.push(i);
                            Value::Null
                        }
                        None => json!(x),
                    }
                })
                .collect();
            let entities: Map<String, Value> = special
                .into_iter()
                .filter(|(_, ix)| !ix.is_empty())
                .map(|(k, ix)| (k.to_string(), json!(ix)))
                .collect();
            (
                Value::Array(out),
                if entities.is_empty() {
                    Value::Null
                } else {
                    Value::Object(entities)
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frames::Field;

    #[test]
    fn special_numbers_go_to_entities() {
        let mut f = Frame::new("pools");
        f.fields
            .push(Field::new("t", Values::Time(vec![1000, 2000, 3000])));
        let mut v = Field::new(
            "Value",
            Values::Number(vec![1.5, f64::NAN, f64::NEG_INFINITY]),
        );
        v.labels.insert("node".into(), "n1".into());
        f.fields.push(v.with_config(json!({ "unit": "short" })));
        let got = to_json(&f, "A");
        assert_eq!(
            got,
            json!({
                "schema": { "name": "pools", "refId": "A", "fields": [
                    { "name": "t", "type": "time" },
                    { "name": "Value", "type": "number", "labels": { "node": "n1" }, "config": { "unit": "short" } }
                ]},
                "data": {
                    "values": [[1000, 2000, 3000], [1.5, null, null]],
                    "entities": [null, { "NaN": [1], "NegInf": [2] }]
                }
            })
        );
    }
}
