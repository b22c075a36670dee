// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// ES-module-only packages @grafana/ui 13 reaches beyond create-plugin's list.
const moreESModules = ['@react-hookz', '@ver0/deep-equal'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // @grafana/data 13 reaches d3's ES modules as .mjs files: transform them like the .js ones.
  transform: { ...base.transform, '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'] },
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, ...moreESModules])],
};
