// Template variables in raw PromQL. A single value is escaped as a label value (safe inside
// "..."); a multi-value becomes a regex alternation of escaped values (safe inside =~"...").
// A variable used outside a string literal (as a metric name, a duration, a function
// argument) is inserted as it is: quote variables in raw expressions. Catalog filters are
// never spliced into PromQL text: the backend adds them as label matchers on the parsed
// expression.

/** A value escaped for a PromQL double-quoted string: backslash, quote, newline. */
export function labelValue(value: unknown): string {
  return String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A value as a literal inside a regex matcher: regex metacharacters, then string escaping. */
export function regexValue(value: unknown): string {
  return labelValue(String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** Grafana's custom variable format for raw PromQL (`templateSrv.replace(expr, vars, promqlFormat)`). */
export function promqlFormat(value: unknown): string {
  if (Array.isArray(value)) {
    return value.length === 1 ? regexValue(value[0]) : '(' + value.map(regexValue).join('|') + ')';
  }
  return labelValue(value);
}
