//! Arrow IPC encoding of frames, written here rather than through the SDK's `Frame`.
//!
//! grafana-plugin-sdk 0.5.0 drops a field's labels when the field also has a config (the
//! match arms in `Field::to_arrow_field` are swapped) and cannot set frame `type` metadata.
//! Grafana reads exactly these keys: schema metadata `name`, `refId`, `meta` (JSON); field
//! metadata `labels` and `config` (JSON); times as nanosecond timestamps.

use std::collections::BTreeMap;

use grafana_plugin_sdk::arrow2::{
    array::{Array, PrimitiveArray, Utf8Array},
    chunk::Chunk,
    datatypes::{DataType, Field as ArrowField, Schema, TimeUnit},
    io::ipc::write::{FileWriter, WriteOptions},
};

use super::frame::{Field, Frame, Values};

pub fn encode(frame: &Frame, ref_id: &str) -> Result<Vec<u8>, String> {
    let fields = frame.fields.iter().map(schema_field).collect::<Result<Vec<_>, _>>()?;
    let mut metadata = BTreeMap::from([
        ("name".to_string(), frame.name.clone()),
        ("refId".to_string(), ref_id.to_string()),
    ]);
    if let Some(meta) = &frame.meta {
        metadata.insert("meta".into(), meta.to_string());
    }
    let schema = Schema::from(fields).with_metadata(metadata);
    let mut buf = Vec::new();
    let mut writer = FileWriter::try_new(&mut buf, schema, None, WriteOptions { compression: None })
        .map_err(|e| e.to_string())?;
    if !frame.fields.is_empty() {
        let columns: Vec<Box<dyn Array>> = frame.fields.iter().map(|f| column(&f.values)).collect();
        let chunk = Chunk::try_new(columns).map_err(|e| format!("frame {:?}: {e}", frame.name))?;
        writer.write(&chunk, None).map_err(|e| e.to_string())?;
    }
    writer.finish().map_err(|e| e.to_string())?;
    Ok(buf)
}

fn schema_field(f: &Field) -> Result<ArrowField, String> {
    let mut metadata = BTreeMap::new();
    if !f.labels.is_empty() {
        metadata.insert("labels".to_string(), serde_json::to_string(&f.labels).map_err(|e| e.to_string())?);
    }
    if let Some(config) = &f.config {
        metadata.insert("config".to_string(), config.to_string());
    }
    let data_type = match f.values {
        Values::Time(_) => DataType::Timestamp(TimeUnit::Nanosecond, None),
        Values::Number(_) => DataType::Float64,
        Values::Text(_) => DataType::Utf8,
    };
    Ok(ArrowField::new(&f.name, data_type, false).with_metadata(metadata))
}

fn column(values: &Values) -> Box<dyn Array> {
    match values {
        Values::Time(ms) => {
            let ns: Vec<i64> = ms.iter().map(|t| t.saturating_mul(1_000_000)).collect();
            PrimitiveArray::<i64>::from_vec(ns).to(DataType::Timestamp(TimeUnit::Nanosecond, None)).boxed()
        }
        Values::Number(v) => PrimitiveArray::<f64>::from_slice(v).boxed(),
        Values::Text(v) => Utf8Array::<i32>::from_slice(v).boxed(),
    }
}
