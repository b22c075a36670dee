/**
 * The capacity report's print stylesheet: only the report is printed (Grafana's navigation,
 * toolbars and the page's controls are not), on A4, each pool on a page of its own, dark text
 * on white whatever the theme. Grafana's page containers scroll inside the window, which would
 * cut the printout at one page: every ancestor of the report is un-clipped (`:has`), and every
 * other child of those ancestors hidden, so this does not depend on Grafana's class names.
 */
export const PRINT_CSS = `
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  *:has(.cs-report) {
    display: block !important; position: static !important; overflow: visible !important;
    height: auto !important; min-height: 0 !important; max-height: none !important;
    width: auto !important; min-width: 0 !important; max-width: none !important;
    margin: 0 !important; padding: 0 !important; border: 0 !important; transform: none !important;
    background: #fff !important; box-shadow: none !important;
  }
  *:has(.cs-report) > :not(:has(.cs-report)):not(.cs-report) { display: none !important; }
  .cs-report .cs-noprint { display: none !important; }
  .cs-report { color: #000 !important; background: #fff !important; font-size: 11pt; }
  .cs-report * { color: #000 !important; box-shadow: none !important; }
  .cs-report .cs-pool { break-before: page; border-top: 0 !important; margin-top: 0 !important; }
  .cs-report .cs-pool, .cs-report .cs-action, .cs-report svg { break-inside: avoid; }
  .cs-report .cs-sparkline path { stroke: #1f60c4 !important; }
  .cs-report [data-figure] div:last-child { color: #444 !important; }
}
`;
