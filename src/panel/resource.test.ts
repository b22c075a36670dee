import type { PanelData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import { resourceUrl } from './resource';

const data = (targets: DataQuery[]) => ({ request: { targets } }) as unknown as PanelData;
const same = (s: string) => s;
const q = (type: string | undefined, uid: string): DataQuery => ({ refId: 'A', datasource: { type, uid } });

describe('resourceUrl', () => {
  it.each([
    ['the query\'s datasource', [q('calicoscope-datasource', 'calico-a')], '', '/api/datasources/uid/calico-a/resources/'],
    ['under Grafana\'s sub-path', [q('calicoscope-datasource', 'calico-a')], '/grafana', '/grafana/api/datasources/uid/calico-a/resources/'],
    ['ours in a mixed panel', [q('prometheus', 'prom'), q('calicoscope-datasource', 'c')], '', '/api/datasources/uid/c/resources/'],
    ['a uid that needs escaping', [q('calicoscope-datasource', 'a/b c')], '', '/api/datasources/uid/a%2Fb%20c/resources/'],
    ['an untyped reference (older dashboards)', [q(undefined, 'old')], '', '/api/datasources/uid/old/resources/'],
    ['only another datasource', [q('prometheus', 'prom')], '', ''],
    ['no targets', [], '', ''],
    ['Grafana\'s mixed placeholder', [q(undefined, '-- Mixed --')], '', ''],
  ])('%s', (_, targets, sub, want) => {
    expect(resourceUrl(data(targets), same, sub)).toBe(want);
  });

  it('resolves a datasource variable, and gives up on one left unresolved', () => {
    const targets = [q('calicoscope-datasource', '${ds}')];
    expect(resourceUrl(data(targets), (s) => s.replace('${ds}', 'calico-b'))).toBe('/api/datasources/uid/calico-b/resources/');
    expect(resourceUrl(data(targets), same)).toBe('');
  });
});
