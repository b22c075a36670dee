import type { DataFrame } from '@grafana/data';

import type { JsFrame } from './types';

/**
 * Grafana DataFrames → plain objects the wasm reads in one copy per field: numbers and times
 * as Float64Array (null → NaN), strings as arrays.
 */
export function toFrames(series: DataFrame[] | undefined): JsFrame[] {
  return (series ?? []).map((frame) => ({
    name: frame.name ?? '',
    refId: frame.refId ?? '',
    fields: frame.fields.map((field) => {
      const values = field.values as unknown;
      // Grafana 10.4 hands a Vector (toArray) or an array; from 11 on, an array.
      const raw: ArrayLike<unknown> =
        values && typeof (values as { toArray?: unknown }).toArray === 'function'
          ? (values as { toArray(): unknown[] }).toArray()
          : ((values as ArrayLike<unknown>) ?? []);
      const numeric = field.type === 'number' || field.type === 'time';
      const config = field.config ?? {};
      return {
        name: field.name,
        type: field.type,
        labels: field.labels ?? null,
        displayName: config.displayNameFromDS || config.displayName || undefined,
        unit: config.unit || undefined,
        values: numeric
          ? Float64Array.from(raw, (v) => (v === null || v === undefined ? NaN : Number(v)))
          : Array.from(raw),
      };
    }),
  }));
}
