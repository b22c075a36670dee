// Panel benchmarks in Debian's headless chromium, all figures from one browser run:
//  - heatmap 5000 rows × 720 columns into a 900×400 canvas: wasm vs a plain-JavaScript
//    baseline writing the same downsampled cells into an ImageData (target ≤ 50 ms, ratio ≤ 1);
//  - the same drawing by Apache ECharts' heatmap (canvas, no animation or progressive
//    rendering) at 500 × 720 cells against wasm at the same size (target ≥ 100× faster);
//  - topology of 5000 nodes in 4 pools, layout + draw (target ≤ 100 ms);
//  - the topology of a fleet: 50 clusters × 200 nodes (10,000 nodes, 100 pools), cluster →
//    pool → node, layout + draw (target ≤ 50 ms);
//  - the flow matrix of 500 namespaces (10,000 flows): read + layout + draw (target ≤ 50 ms);
//  - the optimised wasm's gzipped size (target ≤ 250 KB), of the product build.
// The benchmarks are exported only by the panel's test build (`build-panel.sh --test-hooks`,
// served as /plugin/panel/); the size is the product's (target/plugin/panel).
// Prints the figures and writes them to target/browser/bench.json. No pass/fail on timing.
//   node tests/browser/bench.mjs   (after bash scripts/test-browser.sh has built everything)
import fs from 'node:fs';
import zlib from 'node:zlib';
import { start } from './harness.mjs';

const h = await start();
const page = h.page;
await page.goto(h.base + '/host/bench.html');
const figures = await page.evaluate(async (base) => {
  const glue = await import(base + '/plugin/panel/wasm/calicoscope_panel.js');
  await glue.default({ module_or_path: base + '/plugin/panel/wasm/calicoscope_panel_bg.wasm' });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  // Deterministic utilization-like data: slow drift per row plus noise, some gaps.
  function data(rows, cols) {
    const v = new Float64Array(rows * cols);
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
    for (let r = 0; r < rows; r++) {
      const base = rand() * 0.8;
      for (let c = 0; c < cols; c++) v[r * cols + c] = rand() < 0.01 ? NaN : Math.min(1, base + c / cols * 0.2 + rand() * 0.05);
    }
    return v;
  }

  // The JavaScript baseline: the same algorithm as panel/src/draw/raster.rs (max per
  // pixel band, 256-colour LUT, NaN as no-data), then one putImageData.
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    lut[i * 3] = i; lut[i * 3 + 1] = 255 - i; lut[i * 3 + 2] = 128;
  }
  function band(i, pixels, items) {
    const s = Math.floor((i * items) / pixels);
    return [Math.min(s, items - 1), Math.min(Math.max(Math.floor(((i + 1) * items) / pixels), s + 1), items)];
  }
  function jsHeatmap(canvas, rowsArr, cols) {
    const w = canvas.width, hgt = canvas.height;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(w, hgt);
    const px = img.data;
    const colBands = [];
    for (let x = 0; x < w; x++) colBands.push(band(x, w, cols));
    let prev = -1, prevEnd = -1;
    const line = new Uint8ClampedArray(w * 4);
    for (let y = 0; y < hgt; y++) {
      const [r0, r1] = band(y, hgt, rowsArr.length);
      if (r0 !== prev || r1 !== prevEnd) {
        for (let x = 0; x < w; x++) {
          const [c0, c1] = colBands[x];
          let peak = NaN;
          for (let r = r0; r < r1; r++) {
            const row = rowsArr[r];
            for (let c = c0; c < c1; c++) {
              const v = row[c];
              if (v > peak || Number.isNaN(peak)) peak = v;
            }
          }
          if (Number.isNaN(peak)) {
            line[x * 4] = 44; line[x * 4 + 1] = 48; line[x * 4 + 2] = 55;
          } else {
            const k = Math.round(Math.min(1, Math.max(0, peak)) * 255) * 3;
            line[x * 4] = lut[k]; line[x * 4 + 1] = lut[k + 1]; line[x * 4 + 2] = lut[k + 2];
          }
          line[x * 4 + 3] = 255;
        }
        prev = r0; prevEnd = r1;
      }
      px.set(line, y * w * 4);
    }
    ctx.putImageData(img, 0, 0);
  }
  function timeJs(canvas, values, rows, cols, runs) {
    const rowsArr = [];
    for (let r = 0; r < rows; r++) rowsArr.push(values.subarray(r * cols, (r + 1) * cols));
    const out = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      jsHeatmap(canvas, rowsArr, cols);
      out.push(performance.now() - t0);
    }
    return out;
  }

  const wasmCanvas = document.getElementById('wasm');
  const jsCanvas = document.getElementById('js');
  const big = data(5000, 720);
  const runs = 15;
  // Interleave so both see the same machine state.
  const wasmTimes = [], jsTimes = [];
  for (let i = 0; i < 3; i++) {
    wasmTimes.push(...glue.bench_heatmap(wasmCanvas, big, 5000, 720, runs));
    jsTimes.push(...timeJs(jsCanvas, big, 5000, 720, runs));
  }

  // ECharts at 500 × 720 (it takes seconds), against wasm at the same size.
  const small = data(500, 720);
  const wasmSmall = median(glue.bench_heatmap(wasmCanvas, small, 500, 720, 15));
  const cells = [];
  for (let r = 0; r < 500; r++) for (let c = 0; c < 720; c++) cells.push([c, r, small[r * 720 + c]]);
  const chart = echarts.init(document.getElementById('echarts'), null, { renderer: 'canvas' });
  const echartsTimes = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    chart.setOption(
      {
        animation: false,
        xAxis: { type: 'category', data: [...Array(720).keys()] },
        yAxis: { type: 'category', data: [...Array(500).keys()] },
        visualMap: { min: 0, max: 1, show: false, inRange: { color: ['#440154', '#21918c', '#fde725'] } },
        series: [{ type: 'heatmap', data: cells, progressive: 0, animation: false }],
      },
      true
    );
    chart.getZr().refreshImmediately();
    echartsTimes.push(performance.now() - t0);
  }

  const topo = glue.bench_topology(wasmCanvas, 5000, 4, 1, 15);
  const fleet = glue.bench_topology(wasmCanvas, 10000, 100, 50, 15);
  const flows = glue.bench_flows(wasmCanvas, 500, 20, 15);
  return {
    heatmap_5000x720_wasm_ms: median(wasmTimes),
    heatmap_5000x720_js_ms: median(jsTimes),
    heatmap_500x720_wasm_ms: wasmSmall,
    heatmap_500x720_echarts_ms: median(echartsTimes),
    topology_5000_nodes_4_pools_ms: median(topo),
    topology_fleet_50_clusters_10000_nodes_ms: median(fleet),
    flows_500_namespaces_ms: median(flows),
  };
}, h.base);
await h.close();

const wasmFile = 'target/plugin/panel/wasm/calicoscope_panel_bg.wasm';
if (!fs.existsSync(wasmFile)) throw new Error(`${wasmFile} is missing: build the product panel with \`bash scripts/build-panel.sh\``);
const raw = fs.readFileSync(wasmFile);
figures.wasm_bytes = raw.length;
figures.wasm_gzip_bytes = zlib.gzipSync(raw, { level: 9 }).length;
figures.ratio_wasm_over_js = figures.heatmap_5000x720_wasm_ms / figures.heatmap_5000x720_js_ms;
figures.echarts_over_wasm = figures.heatmap_500x720_echarts_ms / figures.heatmap_500x720_wasm_ms;
fs.mkdirSync('target/browser', { recursive: true });
fs.writeFileSync('target/browser/bench.json', JSON.stringify(figures, null, 2));
const f = (x) => x.toFixed(1);
console.log(`heatmap 5000×720 → 900×400 canvas: wasm ${f(figures.heatmap_5000x720_wasm_ms)} ms (target ≤ 50), JS baseline ${f(figures.heatmap_5000x720_js_ms)} ms, ratio wasm/JS ${figures.ratio_wasm_over_js.toFixed(2)} (target ≤ 1.0)`);
console.log(`heatmap 500×720: wasm ${f(figures.heatmap_500x720_wasm_ms)} ms, ECharts ${f(figures.heatmap_500x720_echarts_ms)} ms: wasm ${f(figures.echarts_over_wasm)}× faster (target ≥ 100×)`);
console.log(`topology 5000 nodes, 4 pools: layout + draw ${f(figures.topology_5000_nodes_4_pools_ms)} ms (target ≤ 100)`);
console.log(`topology of a fleet, 50 clusters × 200 nodes (100 pools): layout + draw ${f(figures.topology_fleet_50_clusters_10000_nodes_ms)} ms (target ≤ 50)`);
console.log(`flow matrix 500 namespaces, 10,000 flows: read + layout + draw ${f(figures.flows_500_namespaces_ms)} ms (target ≤ 50)`);
console.log(`wasm ${(figures.wasm_bytes / 1024).toFixed(0)} KB, gzipped ${(figures.wasm_gzip_bytes / 1024).toFixed(0)} KB (target ≤ 250 KB)`);
