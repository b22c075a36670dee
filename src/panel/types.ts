/** The panel's options (module.ts builds their editor; the wasm reads them as they are). */
export interface PanelOptions {
  view: 'auto' | 'topology' | 'heatmap' | 'flows';
  poolVariable: string;
  filterVariable: string;
  sourceVariable: string;
  destVariable: string;
  rowLabel: string;
  sort: 'peak' | 'name' | 'pool';
  maxCells: number;
  colorMode: 'continuous' | 'thresholds';
  palette: 'viridis' | 'magma' | 'cividis';
  warn?: number;
  critical?: number;
  min?: number;
  max?: number;
}

/** A Grafana field as the wasm reads it (panel/src/js.rs): numbers and times as Float64Array. */
export interface JsField {
  name: string;
  type: string;
  labels: Record<string, string> | null;
  displayName?: string;
  unit?: string;
  values: Float64Array | unknown[];
}

export interface JsFrame {
  name: string;
  refId: string;
  fields: JsField[];
}

/** The wasm `Panel` (panel/src/handle.rs). */
export interface PanelHandle {
  set_theme(dark: boolean): void;
  set_options(options: object): void;
  set_size(width: number, height: number): void;
  set_source(resourceUrl: string, fromMs: number, toMs: number): void;
  set_data(frames: JsFrame[]): void;
  unmount(): void;
  free(): void;
}

/** The wasm-bindgen glue (`wasm/calicoscope_panel.js`, built with `--target web`). */
export interface Glue {
  default(init: { module_or_path: string }): Promise<unknown>;
  Panel: new (container: HTMLElement, setVariables: (variables: Record<string, string>) => void) => PanelHandle;
  last_panic(): string | undefined;
}
