//! Arrow IPC encoding of frames, written here (`ipc.rs`) rather than through the SDK's
//! `Frame`; read back with arrow2 for the tests and the panel's fixtures.
//!
//! grafana-plugin-sdk 0.5.0 drops a field's labels when the field also has a config (the
//! match arms in `Field::to_arrow_field` are swapped) and cannot set frame `type` metadata.
//! Grafana reads exactly these keys: schema metadata `name`, `refId`, `meta` (JSON); field
//! metadata `labels` and `config` (JSON); times as nanosecond timestamps.

use grafana_plugin_sdk::arrow2::{
    array::{Array, PrimitiveArray, Utf8Array},
    datatypes::DataType,
    io::ipc::read::{read_file_metadata, FileReader},
};

use super::frame::{Field, Frame, Values};
use super::ipc;

/// Why a frame could not be written as, or read from, Arrow IPC.
#[derive(Debug, thiserror::Error)]
pub enum ArrowError {
    #[error("frame {frame:?}: {source}")]
    Arrow {
        frame: String,
        source: grafana_plugin_sdk::arrow2::error::Error,
    },
    #[error("frame {frame:?}: field {field:?}'s labels: {source}")]
    Labels {
        frame: String,
        field: String,
        source: serde_json::Error,
    },
    #[error("unsupported column type {0:?}")]
    UnsupportedColumn(DataType),
}

/// Encodes one query's frames. Many frames (a 5000-series answer is 5000 frames) are split
/// over the cores: encoding is pure CPU and the frames are independent. The encoders only
/// read the frames; they are freed here, on the thread that allocated them.
pub fn encode_all(frames: Vec<Frame>, ref_id: &str) -> Result<Vec<Vec<u8>>, ArrowError> {
    /// Below this many frames per thread, starting a thread costs more than it saves.
    const FRAMES_PER_THREAD: usize = 64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(frames.len() / FRAMES_PER_THREAD).max(1);
    if threads == 1 {
        return frames.iter().map(|f| encode(f, ref_id)).collect();
    }
    let per_thread = frames.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let encoders: Vec<_> = frames
            .chunks(per_thread)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|f| encode(f, ref_id))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(frames.len());
        for encoder in encoders {
            out.extend(encoder.join().expect("an Arrow encoder thread panicked")?);
        }
        Ok(out)
    })
}

/// Encodes one frame (see `ipc.rs` for the bytes).
pub fn encode(frame: &Frame, ref_id: &str) -> Result<Vec<u8>, ArrowError> {
    let json_error = |field: &str, source| ArrowError::Labels {
        frame: frame.name.clone(),
        field: field.to_string(),
        source,
    };
    let meta = match &frame.meta {
        Some(meta) => Some(serde_json::to_string(meta).map_err(|e| json_error("meta", e))?),
        None => None,
    };
    let mut field_strings = Vec::with_capacity(frame.fields.len());
    for f in &frame.fields {
        let labels = if f.labels.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&f.labels).map_err(|e| json_error(&f.name, e))?)
        };
        field_strings.push((labels, f.config.as_ref().map(|c| c.to_string())));
    }
    let fields: Vec<ipc::FieldMeta> = frame
        .fields
        .iter()
        .zip(&field_strings)
        .map(|(f, (labels, config))| {
            let mut pairs = Vec::new();
            if let Some(labels) = labels {
                pairs.push(("labels", labels.as_str()));
            }
            if let Some(config) = config {
                pairs.push(("config", config.as_str()));
            }
            ipc::FieldMeta {
                name: &f.name,
                metadata: ipc::Metadata(pairs),
            }
        })
        .collect();
    let mut schema = vec![("name", frame.name.as_str()), ("refId", ref_id)];
    if let Some(meta) = &meta {
        schema.push(("meta", meta.as_str()));
    }
    Ok(ipc::write(frame, &ipc::Metadata(schema), &fields))
}

/// Reads an encoded frame back, as Grafana does: name, refId, meta, fields with labels and
/// config. Used by the protocol tests and the panel's fixtures.
pub fn decode(bytes: &[u8]) -> Result<(Frame, String), ArrowError> {
    let mut cursor = std::io::Cursor::new(bytes);
    let arrow = |source| ArrowError::Arrow {
        frame: String::new(),
        source,
    };
    let metadata = read_file_metadata(&mut cursor).map_err(arrow)?;
    let schema = metadata.schema.clone();
    let mut columns: Vec<Box<dyn Array>> = Vec::new();
    for chunk in FileReader::new(cursor, metadata, None, None) {
        let chunk = chunk.map_err(arrow)?;
        columns = chunk.into_arrays(); // frames are written as one record batch
    }
    let fields = schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let values = columns
                .get(i)
                .map_or(Ok(empty_values(&f.data_type)), |c| values_of(c.as_ref()))?;
            Ok(Field {
                name: f.name.clone(),
                values,
                labels: json(f.metadata.get("labels")).unwrap_or_default(),
                config: json(f.metadata.get("config")),
            })
        })
        .collect::<Result<Vec<_>, ArrowError>>()?;
    let frame = Frame {
        name: schema.metadata.get("name").cloned().unwrap_or_default(),
        fields,
        meta: json(schema.metadata.get("meta")),
    };
    Ok((
        frame,
        schema.metadata.get("refId").cloned().unwrap_or_default(),
    ))
}

fn json<T: serde::de::DeserializeOwned>(text: Option<&String>) -> Option<T> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

fn empty_values(t: &DataType) -> Values {
    match t {
        DataType::Timestamp(..) => Values::Time(vec![]),
        DataType::Utf8 => Values::Text(vec![]),
        _ => Values::Number(vec![]),
    }
}

fn values_of(column: &dyn Array) -> Result<Values, ArrowError> {
    let any = column.as_any();
    if let Some(a) = any.downcast_ref::<PrimitiveArray<i64>>() {
        return Ok(Values::Time(
            a.values().iter().map(|ns| ns / 1_000_000).collect(),
        ));
    }
    if let Some(a) = any.downcast_ref::<PrimitiveArray<f64>>() {
        return Ok(Values::Number(a.values().to_vec()));
    }
    if let Some(a) = any.downcast_ref::<Utf8Array<i32>>() {
        return Ok(Values::Text(a.values_iter().map(str::to_string).collect()));
    }
    Err(ArrowError::UnsupportedColumn(column.data_type().clone()))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::time::Duration;

    use grafana_plugin_sdk::arrow2::{
        array::{Float64Array, Int64Array},
        datatypes::{Schema, TimeUnit},
        io::ipc::read::{read_file_metadata, FileReader},
    };
    use serde_json::Value;

    use super::*;
    use crate::client::ApiResponse;
    use crate::frames::convert::{to_frames, Shape};

    /// Decodes what Grafana would read from one encoded frame.
    fn decode(bytes: &[u8]) -> (Schema, Vec<Box<dyn Array>>) {
        let mut cursor = Cursor::new(bytes);
        let meta = read_file_metadata(&mut cursor).unwrap();
        let schema = meta.schema.clone();
        let chunks: Vec<_> = FileReader::new(cursor, meta, None, None)
            .map(|c| c.unwrap())
            .collect();
        let columns = chunks
            .into_iter()
            .next()
            .map(|c| c.into_arrays())
            .unwrap_or_default();
        (schema, columns)
    }

    #[test]
    fn grafana_reads_labels_config_and_frame_type() {
        let body = br#"{"status":"success","warnings":["partial answer"],"data":{"resultType":"matrix","result":[
            {"metric":{"ippool":"default-ipv4-ippool"},"values":[[1700000000,"87.5"],[1700000015,"88"]]}]}}"#;
        let resp = ApiResponse::from_slice(body).unwrap();
        let shape = Shape {
            expr: "x",
            step: Some(Duration::from_secs(15)),
            unit: Some("percent"),
            legend: "{{ippool}}",
            cluster: "",
        };
        let frames = to_frames(resp, &shape);
        let (schema, columns) = decode(&encode(&frames[0], "A").unwrap());

        assert_eq!(schema.metadata["refId"], "A");
        let meta: Value = serde_json::from_str(&schema.metadata["meta"]).unwrap();
        assert_eq!(meta["type"], "timeseries-multi");
        assert_eq!(meta["typeVersion"], serde_json::json!([0, 1]));
        assert_eq!(meta["executedQueryString"], "Expr: x\nStep: 15s");
        assert_eq!(meta["notices"][0]["text"], "partial answer");

        let time = &schema.fields[0];
        assert_eq!(
            time.data_type,
            DataType::Timestamp(TimeUnit::Nanosecond, None)
        );
        let time_config: Value = serde_json::from_str(&time.metadata["config"]).unwrap();
        assert_eq!(time_config["interval"], 15000);

        // The SDK's bug: with a config present the labels vanished. Both must be there.
        let value = &schema.fields[1];
        let labels: Value = serde_json::from_str(&value.metadata["labels"]).unwrap();
        let config: Value = serde_json::from_str(&value.metadata["config"]).unwrap();
        assert_eq!(labels["ippool"], "default-ipv4-ippool");
        assert_eq!(config["unit"], "percent");
        assert_eq!(config["displayNameFromDS"], "default-ipv4-ippool");

        let times = columns[0].as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(times.value(1), 1_700_000_015_000_000_000);
        let values = columns[1].as_any().downcast_ref::<Float64Array>().unwrap();
        assert_eq!(values.values().as_slice(), &[87.5, 88.0]);
    }

    #[test]
    fn decode_round_trips() {
        let mut value = Field::new("Value", Values::Number(vec![1.5, f64::INFINITY]));
        value.labels.insert("node".into(), "n\"1".into());
        let frame = Frame {
            name: "pools".into(),
            fields: vec![
                Field::new(
                    "Time",
                    Values::Time(vec![1_700_000_000_000, 1_700_000_001_000]),
                ),
                value.with_config(serde_json::json!({"unit": "short"})),
                Field::new("pool", Values::Text(vec!["a".into(), "b".into()])),
            ],
            meta: Some(crate::frames::frame::FrameMeta {
                executed_query_string: Some("Expr: up".into()),
                ..Default::default()
            }),
        };
        let (back, ref_id) = super::decode(&encode(&frame, "Z").unwrap()).unwrap();
        assert_eq!((back, ref_id.as_str()), (frame, "Z"));
    }

    #[test]
    fn empty_result_is_one_empty_frame() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        let shape = Shape {
            expr: "x",
            step: None,
            unit: None,
            legend: "",
            cluster: "",
        };
        let frames = to_frames(ApiResponse::from_slice(body).unwrap(), &shape);
        assert_eq!(frames.len(), 1);
        let (schema, columns) = decode(&encode(&frames[0], "B").unwrap());
        assert!(schema.fields.is_empty() && columns.is_empty());
        let meta: Value = serde_json::from_str(&schema.metadata["meta"]).unwrap();
        assert_eq!(meta["type"], "numeric-multi");
        assert_eq!(meta["executedQueryString"], "Expr: x");
    }

    /// Enough frames for several encoder threads: each comes back, in order, intact.
    #[test]
    fn many_frames_come_back_in_order() {
        let frames: Vec<Frame> = (0..300)
            .map(|i| Frame {
                name: format!("node-{i}"),
                fields: vec![Field::new("Value", Values::Number(vec![i as f64; 3]))],
                meta: None,
            })
            .collect();
        let encoded = encode_all(frames.clone(), "A").unwrap();
        assert_eq!(encoded.len(), frames.len());
        for (bytes, want) in encoded.iter().zip(&frames) {
            let (got, ref_id) = super::decode(bytes).unwrap();
            assert_eq!((&got, ref_id.as_str()), (want, "A"));
        }
    }
}
