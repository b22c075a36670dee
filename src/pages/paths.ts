/** The app's pages, as plugin.json's includes name them. */
export const PAGES = {
  report: '/a/calicoscope-app/report',
  setup: '/a/calicoscope-app/setup',
};
