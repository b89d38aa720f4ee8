import type { SqlResult } from './SqlResult.js';

/** A cell as text: null as `NULL`, dates as ISO 8601, objects (json, arrays) as JSON. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The result as an aligned text table with a row count, as psql prints it.
 *
 * @example
 * formatTable({ columns: ['n'], rows: [{ n: 6 }], rowCount: 1 });
 * // " n \n---\n 6 \n(1 row)\n"
 */
export function formatTable(result: SqlResult): string {
  const count = `(${result.rowCount} ${result.rowCount === 1 ? 'row' : 'rows'})`;
  if (result.columns.length === 0) return `${count}\n`;
  const cells = result.rows.map((row) => result.columns.map((column) => cellText(row[column]).replace(/\n/g, '\\n')));
  const widths = result.columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values
      .map((value, i) => ` ${value.padEnd(widths[i] ?? 0)} `)
      .join('|')
      .trimEnd();
  return [line(result.columns), widths.map((width) => '-'.repeat(width + 2)).join('+'), ...cells.map(line), count]
    .join('\n')
    .concat('\n');
}

/** The result as one JSON document for scripts: `{ columns, rows, rowCount }`. */
export function formatJson(result: SqlResult): string {
  return `${JSON.stringify({ columns: result.columns, rows: result.rows, rowCount: result.rowCount })}\n`;
}
