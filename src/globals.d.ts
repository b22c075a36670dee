// Set by create-plugin's grafana-public-path module from the AMD module's own URL (the folder
// Grafana serves this plugin's module.js from, CDN or nested path included).
declare let __webpack_public_path__: string;
