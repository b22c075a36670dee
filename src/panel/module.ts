import { PanelPlugin } from '@grafana/data';

import { CalicoscopePanel } from './components/CalicoscopePanel';
import type { PanelOptions } from './types';

const thresholds = (o: PanelOptions) => o.colorMode === 'thresholds';
const flows = (o: PanelOptions) => o.view === 'flows' || o.view === 'auto';

export const plugin = new PanelPlugin<PanelOptions>(CalicoscopePanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'view',
      name: 'View',
      description: 'Auto picks the topology for the IPAM topology query, the flow matrix for a Goldmane flows query, else the heatmap.',
      defaultValue: 'auto',
      settings: {
        options: [
          { value: 'auto', label: 'Auto' },
          { value: 'topology', label: 'Topology' },
          { value: 'heatmap', label: 'Heatmap' },
          { value: 'flows', label: 'Flows' },
        ],
      },
    })
    .addTextInput({
      path: 'poolVariable',
      name: 'Pool variable',
      description: 'Dashboard variable that selects pools (summary and topology).',
      defaultValue: 'pool',
    })
    .addTextInput({
      path: 'filterVariable',
      name: 'Click sets variable',
      description: 'Clicking a node sets var-<name>; empty to disable.',
      defaultValue: 'node',
    })
    .addTextInput({
      path: 'sourceVariable',
      name: 'Flow click sets source variable',
      description: 'Clicking a matrix cell sets var-<name> to its source namespace; empty to disable.',
      defaultValue: 'source_namespace',
      showIf: flows,
    })
    .addTextInput({
      path: 'destVariable',
      name: 'Flow click sets destination variable',
      description: 'The same for the destination namespace.',
      defaultValue: 'dest_namespace',
      showIf: flows,
    })
    .addTextInput({
      path: 'rowLabel',
      name: 'Heatmap rows by label',
      description: 'node, ippool, ...; empty uses the legend.',
      defaultValue: '',
    })
    .addRadio({
      path: 'sort',
      name: 'Heatmap row order',
      defaultValue: 'peak',
      settings: {
        options: [
          { value: 'peak', label: 'Peak' },
          { value: 'name', label: 'Name' },
          { value: 'pool', label: 'Pool' },
        ],
      },
    })
    .addNumberInput({
      path: 'maxCells',
      name: 'Max cells',
      description: 'Heatmap rows past this many cells are dropped, with a warning.',
      defaultValue: 4000000,
    })
    .addRadio({
      path: 'colorMode',
      name: 'Colour',
      defaultValue: 'continuous',
      settings: {
        options: [
          { value: 'continuous', label: 'Palette' },
          { value: 'thresholds', label: 'Thresholds' },
        ],
      },
    })
    .addSelect({
      path: 'palette',
      name: 'Palette',
      defaultValue: 'viridis',
      settings: {
        options: [
          { value: 'viridis', label: 'Viridis' },
          { value: 'magma', label: 'Magma' },
          { value: 'cividis', label: 'Cividis' },
        ],
      },
      showIf: (o) => !thresholds(o),
    })
    .addNumberInput({ path: 'warn', name: 'Warn at', defaultValue: 0.8, showIf: thresholds })
    .addNumberInput({ path: 'critical', name: 'Critical at', defaultValue: 0.95, showIf: thresholds })
    .addNumberInput({ path: 'min', name: 'Scale min', description: 'Empty: from the unit (utilization 0–1) or the data.' })
    .addNumberInput({ path: 'max', name: 'Scale max' })
);
