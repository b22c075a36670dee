//! The Arrow IPC file of one frame, written directly: a flatbuffer builder fills in the
//! schema, record-batch and footer tables from the frame, and the columns are copied once,
//! straight into the file.
//!
//! Why not arrow2's `FileWriter`: it builds the schema as owned flatbuffer objects (every
//! name, label and config string allocated again) twice per frame, for the message and the
//! footer; with one frame per series that was ~17 µs a frame, most of a 5000-series
//! answer's time in the plugin (see the README's benchmarks). The layout follows Arrow's
//! `Schema.fbs`, `Message.fbs` and `File.fbs` (metadata version V5); `arrow.rs`'s tests read
//! the bytes back with arrow2's reader and `tests/grafana-sdk` with Grafana's Go decoder.

use flatbuffers::{FlatBufferBuilder, Push, PushAlignment, WIPOffset};

use super::frame::{Frame, Values};

/// Metadata version V5 (`MetadataVersion` in Schema.fbs).
const V5: i16 = 4;
/// `Type` union members used here.
const TYPE_FLOATING_POINT: u8 = 3;
const TYPE_UTF8: u8 = 5;
const TYPE_TIMESTAMP: u8 = 10;
const PRECISION_DOUBLE: i16 = 2;
const UNIT_NANOSECOND: i16 = 3;
/// `MessageHeader` union members.
const HEADER_SCHEMA: u8 = 1;
const HEADER_RECORD_BATCH: u8 = 3;
/// Buffers start on 64-byte boundaries in the body, as Arrow recommends.
const ALIGN: usize = 64;

/// The vtable slot of a table's `i`-th field.
const fn slot(i: u16) -> u16 {
    4 + 2 * i
}

/// Key-value metadata of a field or the schema, as Grafana reads it.
pub struct Metadata<'a>(pub Vec<(&'a str, &'a str)>);

/// What the schema says of one field besides its values.
pub struct FieldMeta<'a> {
    pub name: &'a str,
    pub metadata: Metadata<'a>,
}

/// One frame's Arrow IPC file. `schema_metadata` and `fields` carry the strings already
/// serialised (labels and config as JSON), in the frame's field order.
pub fn write(frame: &Frame, schema_metadata: &Metadata, fields: &[FieldMeta]) -> Vec<u8> {
    thread_local! {
        /// One builder per encoding thread, reset per message: its buffers are reused.
        static BUILDER: std::cell::RefCell<FlatBufferBuilder<'static>> =
            std::cell::RefCell::new(FlatBufferBuilder::with_capacity(4096));
    }
    BUILDER.with_borrow_mut(|fbb| write_with(fbb, frame, schema_metadata, fields))
}

fn write_with(
    fbb: &mut FlatBufferBuilder<'static>,
    frame: &Frame,
    schema_metadata: &Metadata,
    fields: &[FieldMeta],
) -> Vec<u8> {
    let (nodes, buffers, body_len) = layout(frame);
    fbb.reset();
    let mut out = Vec::with_capacity(body_len + 2048);
    out.extend_from_slice(b"ARROW1\0\0");

    // The schema message, then the record batch (when there are columns).
    let schema = schema_table(fbb, frame, schema_metadata, fields);
    let schema_message = message(fbb, HEADER_SCHEMA, schema.as_union_value(), 0);
    fbb.finish_minimal(schema_message);
    encapsulate(&mut out, fbb.finished_data());
    let mut blocks = Vec::new();
    if !frame.fields.is_empty() {
        fbb.reset();
        let rows = frame.fields[0].values.len() as i64;
        let nodes = fbb.create_vector(&nodes);
        let buffers = fbb.create_vector(&buffers);
        let start = fbb.start_table();
        fbb.push_slot(slot(0), rows, 0);
        fbb.push_slot_always(slot(1), nodes);
        fbb.push_slot_always(slot(2), buffers);
        let batch = fbb.end_table(start);
        let batch_message = message(fbb, HEADER_RECORD_BATCH, batch, body_len as i64);
        fbb.finish_minimal(batch_message);
        let offset = out.len() as i64;
        let meta_len = encapsulate(&mut out, fbb.finished_data());
        let body_start = out.len();
        write_body(frame, &mut out);
        debug_assert_eq!(
            out.len() - body_start,
            body_len,
            "body differs from its layout"
        );
        blocks.push(Block {
            offset,
            meta_len: meta_len as i32,
            body_len: body_len as i64,
        });
    }

    // The footer repeats the schema and points at the record batch.
    fbb.reset();
    let schema = schema_table(fbb, frame, schema_metadata, fields);
    let dictionaries = fbb.create_vector::<Block>(&[]);
    let batches = fbb.create_vector(&blocks);
    let start = fbb.start_table();
    fbb.push_slot(slot(0), V5, 0);
    fbb.push_slot_always(slot(1), schema);
    fbb.push_slot_always(slot(2), dictionaries);
    fbb.push_slot_always(slot(3), batches);
    let footer = fbb.end_table(start);
    fbb.finish_minimal(footer);
    let footer = fbb.finished_data();
    out.extend_from_slice(footer);
    out.extend_from_slice(&(footer.len() as i32).to_le_bytes());
    out.extend_from_slice(b"ARROW1");
    out
}

/// A message table around a header.
fn message<T>(
    fbb: &mut FlatBufferBuilder,
    header_type: u8,
    header: WIPOffset<T>,
    body_len: i64,
) -> WIPOffset<flatbuffers::TableFinishedWIPOffset> {
    let start = fbb.start_table();
    fbb.push_slot(slot(3), body_len, 0);
    fbb.push_slot_always(slot(2), header);
    fbb.push_slot(slot(0), V5, 0);
    fbb.push_slot(slot(1), header_type, 0);
    fbb.end_table(start)
}

/// Writes a message as the IPC format frames it (continuation marker, metadata length,
/// flatbuffer padded to 8 bytes); returns the length of all that.
fn encapsulate(out: &mut Vec<u8>, flatbuffer: &[u8]) -> usize {
    let padded = (flatbuffer.len() + 8).next_multiple_of(8) - 8;
    out.extend_from_slice(&(-1i32).to_le_bytes());
    out.extend_from_slice(&(padded as i32).to_le_bytes());
    out.extend_from_slice(flatbuffer);
    out.resize(out.len() + padded - flatbuffer.len(), 0);
    8 + padded
}

fn schema_table<'b>(
    fbb: &mut FlatBufferBuilder<'b>,
    frame: &Frame,
    schema_metadata: &Metadata,
    fields: &[FieldMeta],
) -> WIPOffset<flatbuffers::TableFinishedWIPOffset> {
    let field_tables: Vec<_> = frame
        .fields
        .iter()
        .zip(fields)
        .map(|(f, meta)| field_table(fbb, &f.values, meta))
        .collect();
    let field_tables = fbb.create_vector(&field_tables);
    let metadata = key_values(fbb, schema_metadata);
    let start = fbb.start_table();
    fbb.push_slot_always(slot(1), field_tables);
    fbb.push_slot_always(slot(2), metadata);
    fbb.end_table(start)
}

fn field_table<'b>(
    fbb: &mut FlatBufferBuilder<'b>,
    values: &Values,
    meta: &FieldMeta,
) -> WIPOffset<flatbuffers::TableFinishedWIPOffset> {
    let name = fbb.create_string(meta.name);
    let (type_type, type_table) = match values {
        Values::Time(_) => {
            let start = fbb.start_table();
            fbb.push_slot(slot(0), UNIT_NANOSECOND, 0);
            (TYPE_TIMESTAMP, fbb.end_table(start))
        }
        Values::Number(_) => {
            let start = fbb.start_table();
            fbb.push_slot(slot(0), PRECISION_DOUBLE, 0);
            (TYPE_FLOATING_POINT, fbb.end_table(start))
        }
        Values::Text(_) => {
            let start = fbb.start_table();
            (TYPE_UTF8, fbb.end_table(start))
        }
    };
    let children = fbb.create_vector::<WIPOffset<flatbuffers::TableFinishedWIPOffset>>(&[]);
    let metadata = key_values(fbb, &meta.metadata);
    let start = fbb.start_table();
    fbb.push_slot_always(slot(0), name);
    fbb.push_slot_always(slot(3), type_table);
    fbb.push_slot_always(slot(5), children);
    fbb.push_slot_always(slot(6), metadata);
    fbb.push_slot(slot(1), false, false);
    fbb.push_slot(slot(2), type_type, 0);
    fbb.end_table(start)
}

fn key_values<'b>(
    fbb: &mut FlatBufferBuilder<'b>,
    metadata: &Metadata,
) -> WIPOffset<
    flatbuffers::Vector<'b, flatbuffers::ForwardsUOffset<flatbuffers::TableFinishedWIPOffset>>,
> {
    let pairs: Vec<_> = metadata
        .0
        .iter()
        .map(|(k, v)| {
            let k = fbb.create_string(k);
            let v = fbb.create_string(v);
            let start = fbb.start_table();
            fbb.push_slot_always(slot(0), k);
            fbb.push_slot_always(slot(1), v);
            fbb.end_table(start)
        })
        .collect();
    fbb.create_vector(&pairs)
}

/// The record batch's buffers (every column's, each on a 64-byte boundary of the body) and
/// field nodes, and the body's length. No nulls: validity buffers are empty.
fn layout(frame: &Frame) -> (Vec<Pair>, Vec<Pair>, usize) {
    let mut nodes = Vec::with_capacity(frame.fields.len());
    let mut buffers = Vec::with_capacity(3 * frame.fields.len());
    let mut at = 0;
    let mut buffer = |len: usize| {
        buffers.push(Pair(at as i64, len as i64));
        at = (at + len).next_multiple_of(ALIGN);
    };
    for f in &frame.fields {
        nodes.push(Pair(f.values.len() as i64, 0));
        buffer(0); // validity: none, nothing is null
        match &f.values {
            Values::Time(v) => buffer(8 * v.len()),
            Values::Number(v) => buffer(8 * v.len()),
            Values::Text(v) => {
                buffer(4 * (v.len() + 1));
                buffer(v.iter().map(String::len).sum());
            }
        }
    }
    (nodes, buffers, at)
}

/// Writes the body [`layout`] describes.
fn write_body(frame: &Frame, out: &mut Vec<u8>) {
    let start = out.len();
    let pad = |out: &mut Vec<u8>| {
        let len = start + (out.len() - start).next_multiple_of(ALIGN);
        out.resize(len, 0);
    };
    for f in &frame.fields {
        match &f.values {
            Values::Time(ms) => put_le(out, ms, |t| t.saturating_mul(1_000_000).to_le_bytes()),
            Values::Number(v) => put_le(out, v, |x| x.to_le_bytes()),
            Values::Text(v) => {
                let mut end = 0i32;
                out.extend_from_slice(&end.to_le_bytes());
                for s in v {
                    end += s.len() as i32;
                    out.extend_from_slice(&end.to_le_bytes());
                }
                pad(out);
                for s in v {
                    out.extend_from_slice(s.as_bytes());
                }
            }
        }
        pad(out);
    }
}

/// Appends eight little-endian bytes per value, in one pass over a presized slice (the
/// loop the compiler vectorises, unlike a push per value).
fn put_le<T: Copy>(out: &mut Vec<u8>, values: &[T], bytes: impl Fn(T) -> [u8; 8]) {
    let start = out.len();
    out.resize(start + 8 * values.len(), 0);
    for (dst, v) in out[start..].chunks_exact_mut(8).zip(values) {
        dst.copy_from_slice(&bytes(*v));
    }
}

/// Two little-endian i64s: Arrow's `FieldNode` (length, null count) and `Buffer` (offset,
/// length) structs have this layout.
#[derive(Clone, Copy)]
struct Pair(i64, i64);

impl Push for Pair {
    type Output = [i64; 2];
    unsafe fn push(&self, dst: &mut [u8], _written_len: usize) {
        dst[..8].copy_from_slice(&self.0.to_le_bytes());
        dst[8..16].copy_from_slice(&self.1.to_le_bytes());
    }
    fn alignment() -> PushAlignment {
        PushAlignment::new(8)
    }
}

/// File.fbs's `Block`: where a record batch's message starts, its metadata length and its
/// body length (24 bytes, 4 of them padding).
#[derive(Clone, Copy)]
struct Block {
    offset: i64,
    meta_len: i32,
    body_len: i64,
}

impl Push for Block {
    type Output = [i64; 3];
    unsafe fn push(&self, dst: &mut [u8], _written_len: usize) {
        dst[..8].copy_from_slice(&self.offset.to_le_bytes());
        dst[8..12].copy_from_slice(&self.meta_len.to_le_bytes());
        dst[12..16].fill(0);
        dst[16..24].copy_from_slice(&self.body_len.to_le_bytes());
    }
    fn alignment() -> PushAlignment {
        PushAlignment::new(8)
    }
}
