// ESLint (flat config). The plugin's TypeScript (src/) is linted with Grafana's config as
// create-plugin scaffolds it (.config/eslint.config.mjs: @grafana/eslint-config, type-aware
// rules on src/); the test and benchmark scripts (ES modules, Node globals; the host pages'
// modules run in the browser) with ESLint's recommended rules. `eslint .` is a stage of
// scripts/test.sh fast.
import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';

import grafanaConfig from './.config/eslint.config.mjs';

export default defineConfig([
  { ignores: ['node_modules/', '**/node_modules/', 'target/', 'dist/', 'fuzz/', '**/wasm/', '.config/', 'coverage/'] },
  ...grafanaConfig.map((c) => ({ ...c, files: c.files ?? ['src/**/*.{ts,tsx}', '*.ts'] })),
  {
    files: ['tests/**/*.mjs', 'eslint.config.mjs', 'jest.config.js', 'jest-setup.js', '.prettierrc.js'],
    ...js.configs.recommended,
  },
  {
    files: ['tests/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    files: ['jest.config.js', '.prettierrc.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['jest-setup.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node, ...globals.jest } },
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
    files: ['tests/**/*.mjs'],
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
]);
