import { FieldType, toDataFrame } from '@grafana/data';

import { toFrames } from './frames';

describe('toFrames', () => {
  it('hands the wasm numbers and times as Float64Array (null as NaN) and strings as arrays', () => {
    const frame = toDataFrame({
      name: 'nodes',
      refId: 'A',
      fields: [
        { name: 'Time', type: FieldType.time, values: [1000, 2000] },
        { name: 'node', type: FieldType.string, values: ['a', 'b'] },
        { name: 'Value', type: FieldType.number, values: [0.5, null], labels: { ippool: 'p' }, config: { unit: 'percentunit', displayNameFromDS: 'p on a' } },
      ],
    });
    const [out] = toFrames([frame]);
    expect(out.name).toBe('nodes');
    expect(out.refId).toBe('A');
    expect(out.fields[0].values).toEqual(new Float64Array([1000, 2000]));
    expect(out.fields[1].values).toEqual(['a', 'b']);
    const value = out.fields[2];
    expect(value.values).toBeInstanceOf(Float64Array);
    expect(Array.from(value.values as Float64Array)).toEqual([0.5, NaN]);
    expect(value.labels).toEqual({ ippool: 'p' });
    expect(value.unit).toBe('percentunit');
    expect(value.displayName).toBe('p on a');
    expect(toFrames(undefined)).toEqual([]);
  });
});
