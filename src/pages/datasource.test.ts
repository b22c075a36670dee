import { pickDatasource } from './datasource';
import { fakeDatasources } from './testing';

describe('pickDatasource', () => {
  it('takes the URL, then the app default, then the first Calicoscope datasource', () => {
    fakeDatasources();
    expect(pickDatasource('from-url', 'calico-b')).toBe('from-url');
    expect(pickDatasource(undefined, 'calico-b')).toBe('calico-b');
    expect(pickDatasource(undefined, undefined)).toBe('calico-a');
    fakeDatasources([]);
    expect(pickDatasource(undefined, undefined)).toBeUndefined();
  });
});
