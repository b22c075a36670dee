import type { Glue } from './types';

// The wasm and its wasm-bindgen glue sit in wasm/ beside this plugin's module.js. The folder
// is the module's own URL (webpack's public path, set from the AMD module's uri by
// create-plugin's grafana-public-path), so any plugin path or CDN works.
export function wasmBase(): string {
  return new URL('wasm/', new URL(__webpack_public_path__, document.baseURI)).href;
}

// One wasm instance per page, loaded on first use. After a Rust panic that instance is
// unusable: `discard()` makes the next load import a fresh copy of the glue.
let loading: Promise<Glue> | null = null;
let generation = 0;

export function loadWasm(): Promise<Glue> {
  if (!loading) {
    const base = wasmBase();
    const glueUrl = base + 'calicoscope_panel.js' + (generation ? '?instance=' + generation : '');
    const load = (import(/* webpackIgnore: true */ glueUrl) as Promise<Glue>).then(async (glue) => {
      await glue.default({ module_or_path: base + 'calicoscope_panel_bg.wasm' });
      return glue;
    });
    load.catch(() => {
      if (loading === load) {
        loading = null;
      }
    });
    loading = load;
  }
  return loading;
}

/** Forget the current instance (it panicked); the next panel loads a fresh one. */
export function discard(): void {
  generation += 1;
  loading = null;
}
