import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import { CalicoscopeDatasource } from './datasource';
import type { CalicoOptions, CalicoQuery, CalicoSecureOptions } from './types';

export const plugin = new DataSourcePlugin<CalicoscopeDatasource, CalicoQuery, CalicoOptions, CalicoSecureOptions>(
  CalicoscopeDatasource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor)
  // The variable editor API every Grafana from 10.4 to 13 supports (CustomVariableSupport would
  // route variable queries through QueryData instead of the backend's resources).
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  .setVariableQueryEditor(VariableQueryEditor);
