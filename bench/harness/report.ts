import { writeFileSync } from 'node:fs';
import type { MachineInfo } from './machine.js';
import type { BenchmarkResult, ResultTable } from './types.js';

export interface RunReport {
  machine: MachineInfo;
  options: { quick: boolean; only: string[] };
  loadAverageAtEnd: number;
  seconds: number;
  benchmarks: BenchmarkResult[];
}

function textTable(table: ResultTable): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');

function markdownTable(table: ResultTable): string {
  return [
    `| ${table.columns.map(escapeCell).join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...table.rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

/**
 * A warning when the machine was busy (1-minute load above its core count at start or end): other
 * processes then compete for the CPU, absolute times inflate and even interleaved ratios get noisier.
 */
function loadWarning(report: RunReport): string[] {
  const { cores, loadAverageAtStart } = report.machine;
  const worst = Math.max(loadAverageAtStart, report.loadAverageAtEnd);
  if (worst <= cores) return [];
  return [
    `> **Warning: the machine was busy** (load average ${loadAverageAtStart} at start, ${report.loadAverageAtEnd} at end, on ${cores} cores): absolute times are inflated and not to be trusted; the ratios compare interleaved runs, which a busy machine affects less, but they are noisier too.`,
    '',
  ];
}

const mark = (met: boolean | null) => (met === null ? '?' : met ? 'met' : 'NOT met');

/** The console summary of one benchmark. */
export function printResult(result: BenchmarkResult): void {
  console.log(`\n== ${result.title} (${result.seconds.toFixed(1)} s)`);
  if (result.status === 'not available') {
    console.log(`not available: ${result.reason}`);
    for (const note of result.notes) console.log(`  - ${note}`);
    return;
  }
  for (const table of result.tables) {
    if (table.title) console.log(`-- ${table.title}`);
    console.log(textTable(table));
  }
  for (const t of result.targets) console.log(`target ${mark(t.met)}: ${t.target}: ${t.detail}`);
  for (const note of result.notes.filter((n) => n.includes('not available'))) console.log(`  - ${note}`);
}

export function writeReports(report: RunReport, jsonFile: string, markdownFile: string): void {
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  const m = report.machine;
  const lines: string[] = [
    '# Benchmark results',
    '',
    `Written by \`pnpm bench${report.options.quick ? ' --quick' : ''}${report.options.only.length ? ` --only ${report.options.only.join(',')}` : ''}\` — method in [README.md](README.md), raw figures in [results.json](results.json).`,
    '',
    '| machine | |',
    '| --- | --- |',
    `| CPU | ${m.cpuModel}, ${m.cores} cores |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| OS | ${m.os} |`,
    `| Node.js | ${m.node} (esbuild ${m.esbuild}) |`,
    `| commit | ${m.commit} |`,
    `| date | ${m.date} |`,
    `| load average (1 min) | ${m.loadAverageAtStart} at start, ${report.loadAverageAtEnd} at end |`,
    `| run time | ${report.seconds.toFixed(0)} s |`,
    '',
    ...loadWarning(report),
    'Times are medians of repeated runs, with the spread in parentheses: p10–p90 for 10 or more runs, min–max below that. Every ratio compares figures taken in the same run, interleaved where possible; absolute times depend on this machine and its load.',
    '',
  ];
  const targets = report.benchmarks.flatMap((b) => b.targets.map((t) => ({ ...t, benchmark: b.title })));
  if (targets.length > 0) {
    lines.push('## Targets', '', '| benchmark | target | result | detail |', '| --- | --- | --- | --- |');
    for (const t of targets) {
      lines.push(`| ${escapeCell(t.benchmark)} | ${escapeCell(t.target)} | ${mark(t.met)} | ${escapeCell(t.detail)} |`);
    }
    lines.push('');
  }
  for (const b of report.benchmarks) {
    lines.push(`## ${b.title}`, '');
    if (b.status === 'not available') lines.push(`**Not available:** ${b.reason}`, '');
    for (const table of b.tables) {
      if (table.title) lines.push(`**${table.title}**`, '');
      lines.push(markdownTable(table), '');
    }
    for (const note of b.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  writeFileSync(markdownFile, lines.join('\n'));
}
