import fs from 'fs';
import path from 'path';

import { DASHBOARDS } from './DashboardLinks';

describe('DASHBOARDS', () => {
  it('lists every provisioned dashboard by its uid and title', () => {
    const dir = path.join(__dirname, '../../../provisioning/dashboards');
    const provisioned = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
      .map((d) => ({ uid: d.uid, title: d.title }));
    const byUid = (a: { uid: string }, b: { uid: string }) => a.uid.localeCompare(b.uid);
    expect([...DASHBOARDS].sort(byUid)).toEqual(provisioned.sort(byUid));
  });
});
