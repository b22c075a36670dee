// ESLint (flat config) for our JavaScript: the plugin modules Grafana loads (AMD, browser
// globals) and the test and benchmark scripts (ES modules, Node globals; the host pages'
// modules run in the browser). `npx eslint .` is a stage of scripts/test.sh.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'target/', 'dist/', 'fuzz/', '**/wasm/'] },
  js.configs.recommended,
  {
    // Grafana's plugin module format: AMD `define`, run in the browser.
    files: ['app/**/*.js', 'panel/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals.browser, define: 'readonly' },
    },
  },
  {
    files: ['tests/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // The test host pages' modules, and code evaluated inside the page by playwright.
    files: ['tests/browser/**/*.mjs'],
    languageOptions: { globals: { ...globals.browser, System: 'readonly' } },
  },
  {
    // The benchmark page loads Apache ECharts as a browser global.
    files: ['tests/browser/bench.mjs'],
    languageOptions: { globals: { echarts: 'readonly' } },
  },
  {
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
];
