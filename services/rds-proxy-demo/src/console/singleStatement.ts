/**
 * True when `sql` holds at most one statement: no `;` followed by more SQL, outside quotes
 * ('...', "...", $tag$...$tag$) and comments (-- and /* *\/). Read-only runs need this on every
 * path: a second statement after `COMMIT;` would run outside the read-only transaction, and the
 * console cannot count on each transport to refuse multi-statement text.
 *
 * @example
 * isSingleStatement("SELECT ';' FROM articles;"); // true
 * isSingleStatement('COMMIT; DELETE FROM articles'); // false
 */
export function isSingleStatement(sql: string): boolean {
  let ended = false;
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const char = sql[i] as string;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (rest.startsWith('--')) {
      const newline = sql.indexOf('\n', i);
      i = newline === -1 ? sql.length : newline + 1;
      continue;
    }
    if (rest.startsWith('/*')) {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? sql.length : close + 2;
      continue;
    }
    if (ended && char !== ';') return false;
    if (char === ';') {
      ended = true;
      i++;
    } else if (char === "'" || char === '"') {
      i = endOfQuoted(sql, i, char);
    } else if (char === '$') {
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(rest)?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        i = close === -1 ? sql.length : close + tag.length;
      } else i++;
    } else {
      i++;
    }
  }
  return true;
}

/** The index after a quoted string or identifier starting at `start`; a doubled quote is an escaped one. */
function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}
