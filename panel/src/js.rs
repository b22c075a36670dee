//! JavaScript frames → [`Frame`]s. `module.js` hands over each DataFrame as
//! `{ name, refId, fields: [{ name, type, labels, displayName, unit, values }] }` with
//! number and time values already in a `Float64Array` (nulls as NaN), so a 720-point
//! series crosses into wasm as one copy.

use crate::frames::{Field, Frame, Values};
use js_sys::{Array, Float64Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn string(obj: &JsValue, key: &str) -> Option<String> {
    let v = get(obj, key);
    v.as_string()
        .or_else(|| v.as_f64().map(|n| n.to_string()))
        .or_else(|| v.as_bool().map(|b| b.to_string()))
}

/// Frames from `data.series` (as normalised by `module.js`); anything else is an error
/// the panel shows.
pub fn frames(series: &JsValue) -> Result<Vec<Frame>, String> {
    if !Array::is_array(series) {
        return Err("The panel received no frame list (data.series is not an array).".into());
    }
    Array::from(series).iter().map(|f| frame(&f)).collect()
}

fn frame(f: &JsValue) -> Result<Frame, String> {
    if !f.is_object() {
        return Err("A frame in data.series is not an object.".into());
    }
    let fields = get(f, "fields");
    let fields = if Array::is_array(&fields) {
        Array::from(&fields)
    } else {
        Array::new()
    };
    Ok(Frame {
        name: string(f, "name").unwrap_or_default(),
        ref_id: string(f, "refId").unwrap_or_default(),
        fields: fields.iter().map(|x| field(&x)).collect(),
    })
}

fn field(f: &JsValue) -> Field {
    let values = get(f, "values");
    let numbers = || match values.dyn_ref::<Float64Array>() {
        Some(a) => a.to_vec(),
        None if Array::is_array(&values) => Array::from(&values)
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect(),
        None => Vec::new(),
    };
    let values = match string(f, "type").as_deref() {
        Some("time") => Values::Time(numbers()),
        Some("number") => Values::Number(numbers()),
        Some("string") if Array::is_array(&values) => Values::Text(
            Array::from(&values)
                .iter()
                .map(|v| v.as_string().unwrap_or_default())
                .collect(),
        ),
        _ => Values::Other(if Array::is_array(&values) {
            Array::from(&values).length() as usize
        } else {
            0
        }),
    };
    let labels = get(f, "labels");
    let labels = if labels.is_object() {
        Object::entries(labels.unchecked_ref())
            .iter()
            .filter_map(|e| {
                let pair = Array::from(&e);
                Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
            })
            .collect()
    } else {
        Vec::new()
    };
    Field {
        name: string(f, "name").unwrap_or_default(),
        labels,
        display_name: string(f, "displayName"),
        unit: string(f, "unit"),
        values,
    }
}
