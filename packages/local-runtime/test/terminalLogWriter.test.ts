import { formatLogEntry, formatReportLine, prettyLogLine, terminalLogWriter } from '../src/index.js';
import { powertoolsLine } from './helpers/factories.js';

describe('Function: prettyLogLine()', () => {
  it('turns a Powertools JSON line into LEVEL message {extra keys}', () => {
    // Prepare
    const line = powertoolsLine('WARN', 'retrying the publish', { attempt: 2, brand: 'acme' });

    // Act
    const pretty = prettyLogLine(line);

    // Assess
    expect(pretty).toEqual(['WARN retrying the publish {"attempt":2,"brand":"acme"}']);
  });

  it('leaves out the extra keys block when a line has none', () => {
    // Act
    const pretty = prettyLogLine(powertoolsLine('INFO', 'ready', { cold_start: true, function_name: 'x' }));

    // Assess
    expect(pretty).toEqual(['INFO ready']);
  });

  it("puts a logged error's stack on the lines after the message", () => {
    // Prepare
    const error = {
      name: 'PublishFailedError',
      location: 'file:///src/publish.ts:10',
      message: '2 of 3 entries failed',
      stack: 'PublishFailedError: 2 of 3 entries failed\n    at publish (services/x/src/publish.ts:10:11)',
    };

    // Act
    const pretty = prettyLogLine(powertoolsLine('ERROR', 'publish failed', { error, batch: 7 }));

    // Assess
    expect(pretty).toEqual([
      'ERROR publish failed {"batch":7}',
      '  PublishFailedError: 2 of 3 entries failed',
      '    at publish (services/x/src/publish.ts:10:11)',
    ]);
  });

  it('leaves plain text, JSON without a level and broken JSON as written', () => {
    // Prepare
    const lines = ['plain console.log output', '{"count":3}', '{"level":"INFO", "message": "cut off'];

    // Act
    const pretty = lines.map((line) => prettyLogLine(line));

    // Assess
    expect(pretty).toEqual(lines.map((line) => [line]));
  });
});

describe('Function: formatLogEntry()', () => {
  const ids = { functionName: 'app-dev-work', requestId: 'req-1' };

  it('prints START, prefixed handler lines, END and REPORT with the status', () => {
    // Prepare
    const report = { durationMs: 12.345, initDurationMs: 150, memorySizeMb: 1024, status: 'ok' as const };

    // Act
    const lines = [
      formatLogEntry({ kind: 'start', ...ids }),
      formatLogEntry({ kind: 'line', ...ids, text: powertoolsLine('INFO', 'stored', { id: 'a' }) }),
      formatLogEntry({ kind: 'end', ...ids }),
      formatLogEntry({ kind: 'report', ...ids, report }),
    ].flat();

    // Assess
    expect(lines).toEqual([
      'START app-dev-work RequestId: req-1',
      '[app-dev-work] INFO stored {"id":"a"}',
      'END app-dev-work RequestId: req-1',
      'REPORT app-dev-work RequestId: req-1  Duration: 12.35 ms  Init Duration: 150.00 ms  Memory Size: 1024 MB  Status: ok',
    ]);
  });

  it('keeps the raw JSON of a handler line with jsonLogs', () => {
    // Prepare
    const text = powertoolsLine('INFO', 'stored');

    // Act
    const lines = formatLogEntry({ kind: 'line', ...ids, text }, { jsonLogs: true });

    // Assess
    expect(lines).toEqual([`[app-dev-work] ${text}`]);
  });

  it('prints a failure as Invoke Error with the frames of its trace', () => {
    // Prepare
    const trace = ['TypeError: x is undefined', '    at handler (services/x/src/handlers/work.ts:4:9)'];

    // Act
    const lines = formatLogEntry({
      kind: 'error',
      ...ids,
      errorType: 'TypeError',
      errorMessage: 'x is undefined',
      trace,
    });

    // Assess
    expect(lines).toEqual([
      '[app-dev-work] ERROR Invoke Error TypeError: x is undefined',
      '[app-dev-work]     at handler (services/x/src/handlers/work.ts:4:9)',
    ]);
  });
});

describe('Function: formatReportLine()', () => {
  it('names a timeout and leaves out Init Duration on a warm invocation', () => {
    // Act
    const line = formatReportLine('app-dev-work', 'req-2', {
      durationMs: 3000.1,
      memorySizeMb: 128,
      status: 'timeout',
    });

    // Assess
    expect(line).toBe(
      'REPORT app-dev-work RequestId: req-2  Duration: 3000.10 ms  Memory Size: 128 MB  Status: timeout',
    );
  });
});

describe('Function: terminalLogWriter()', () => {
  it('writes each formatted line of an entry', () => {
    // Prepare
    const written: string[] = [];
    const writer = terminalLogWriter({ write: (line) => written.push(line) });

    // Act
    writer({ kind: 'line', functionName: 'f', requestId: 'r', text: 'one' });

    // Assess
    expect(written).toEqual(['[f] one']);
  });
});
