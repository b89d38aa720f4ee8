import { evaluateIotSql, IotSqlSyntaxError, parseIotSql, substituteIotTemplate } from '../src/index.js';

const reading = { temperature: 22.5, humidity: 40, device: { id: 'd-1', tags: ['a', 'b'] }, status: 'ok', on: true };
const ctx = (over: Partial<Parameters<typeof evaluateIotSql>[1]> = {}) => ({
  topic: 'updates/sensor/kitchen',
  payload: JSON.stringify(reading),
  clientId: 'alice_1',
  timestamp: 1_700_000_000_000,
  principal: 'alice',
  ...over,
});

describe('Function: evaluateIotSql()', () => {
  it.each<[string, string, unknown]>([
    ['SELECT * passes the payload', "SELECT * FROM 'updates/sensor/+'", reading],
    ['fields with aliases', "SELECT temperature AS t, status FROM 'updates/sensor/+'", { t: 22.5, status: 'ok' }],
    [
      '* with functions',
      "SELECT *, topic(3) AS room, clientid() AS clientId, timestamp() AS receivedAt FROM 'updates/sensor/+'",
      { ...reading, room: 'kitchen', clientId: 'alice_1', receivedAt: 1_700_000_000_000 },
    ],
    ['nested fields', "SELECT device.id AS id, device.tags[1] AS tag FROM 'updates/sensor/+'", { id: 'd-1', tag: 'b' }],
    ['default names of nested fields', "SELECT device.id FROM 'updates/sensor/+'", { id: 'd-1' }],
    ['missing fields are left out', "SELECT nope, status FROM 'updates/sensor/+'", { status: 'ok' }],
    ['VALUE', "SELECT VALUE temperature FROM 'updates/sensor/+'", 22.5],
    ['VALUE of an object', "SELECT VALUE device FROM 'updates/sensor/+'", reading.device],
    ['topic()', "SELECT topic() AS t FROM 'updates/#'", { t: 'updates/sensor/kitchen' }],
    ['topic(n) out of range', "SELECT topic(9) AS t, topic(1) AS first FROM '#'", { first: 'updates' }],
    ['principal()', "SELECT principal() AS p FROM '#'", { p: 'alice' }],
    [
      'arithmetic',
      "SELECT temperature * 2 + 1 AS a, humidity % 7 AS m, humidity / 8 AS d, -humidity AS n FROM '#'",
      { a: 46, m: 5, d: 5, n: -40 },
    ],
    ['division by zero is undefined', "SELECT humidity / 0 AS d, 1 AS one FROM '#'", { one: 1 }],
    ['string literals and escapes', "SELECT 'it''s' AS s, \"status\" AS quoted FROM '#'", { s: "it's", quoted: 'ok' }],
    ['booleans and null', "SELECT true AS t, false AS f, null AS n FROM '#'", { t: true, f: false, n: null }],
    ['WHERE true', "SELECT status FROM '#' WHERE temperature > 20 AND humidity <= 40", { status: 'ok' }],
    ['WHERE false', "SELECT status FROM '#' WHERE temperature > 30", undefined],
    ['startswith() in WHERE', "SELECT status FROM '#' WHERE startswith(clientid(), 'alice_')", { status: 'ok' }],
    ['startswith() false', "SELECT status FROM '#' WHERE startswith(clientid(), 'bob_')", undefined],
    [
      'startswith() of a non-string is undefined',
      "SELECT startswith(temperature, '2') AS s, 1 AS one FROM '#'",
      { one: 1 },
    ],
    [
      'WHERE OR / NOT / parentheses',
      "SELECT status FROM '#' WHERE NOT (temperature < 0 OR status <> 'ok')",
      { status: 'ok' },
    ],
    ['WHERE on a missing field', "SELECT status FROM '#' WHERE missing = 1", undefined],
    ['WHERE NOT on a missing field', "SELECT status FROM '#' WHERE NOT missing", undefined],
    ['WHERE = on booleans', "SELECT status FROM '#' WHERE on = true", { status: 'ok' }],
    ['WHERE <> on strings', "SELECT status FROM '#' WHERE status <> 'bad'", { status: 'ok' }],
    ['WHERE >= with a numeric string', "SELECT status FROM '#' WHERE '22.5' >= temperature", { status: 'ok' }],
    [
      'WHERE on functions',
      "SELECT status FROM 'updates/sensor/+' WHERE topic(3) = 'kitchen' AND clientid() = 'alice_1'",
      { status: 'ok' },
    ],
    ['case-insensitive keywords', "select status as s from '#' where on = TRUE", { s: 'ok' }],
    ['FROM with + not matching', "SELECT * FROM 'updates/+'", undefined],
    ['FROM with # matching deeper levels', "SELECT status FROM 'updates/#'", { status: 'ok' }],
    ['FROM exact', "SELECT status FROM 'updates/sensor/kitchen'", { status: 'ok' }],
    ['FROM exact not matching', "SELECT status FROM 'updates/sensor/hall'", undefined],
    [
      'concatenation',
      "SELECT concat(status, '-', topic(3)) AS c, status || '!' AS d, upper(status) AS u FROM '#'",
      { c: 'ok-kitchen', d: 'ok!', u: 'OK' },
    ],
  ])('handles %s', (_, sql, expected) => {
    // Act
    const output = evaluateIotSql(parseIotSql(sql), ctx());

    // Assess
    expect(output).toEqual(expected);
  });

  it('does not match $ topics with a leading wildcard', () => {
    // Act
    const output = evaluateIotSql(parseIotSql("SELECT * FROM '#'"), ctx({ topic: '$aws/events/presence/connected/x' }));

    // Assess
    expect(output).toBeUndefined();
  });

  it('matches lifecycle topics named explicitly', () => {
    // Act
    const output = evaluateIotSql(
      parseIotSql("SELECT eventType, topic(4) AS event FROM '$aws/events/presence/+/+'"),
      ctx({ topic: '$aws/events/presence/connected/x', payload: '{"eventType":"connected"}' }),
    );

    // Assess
    expect(output).toEqual({ eventType: 'connected', event: 'connected' });
  });

  it('passes a binary payload through SELECT * as raw bytes', () => {
    // Prepare
    const bytes = Buffer.from([0xff, 0x00, 0x01]);

    // Act
    const output = evaluateIotSql(parseIotSql("SELECT * FROM '#'"), ctx({ payload: bytes }));

    // Assess
    expect(Buffer.isBuffer(output)).toBe(true);
    expect(output).toEqual(bytes);
  });

  it('adds data to a binary payload without crashing and encodes it with encode(*)', () => {
    // Act
    const output = evaluateIotSql(
      parseIotSql("SELECT *, encode(*, 'base64') AS data, topic(3) AS room FROM '#' WHERE status = 'x' OR true"),
      ctx({ payload: Buffer.from('not json') }),
    );

    // Assess
    expect(output).toEqual({ data: Buffer.from('not json').toString('base64'), room: 'kitchen' });
  });

  it('accepts an already-decoded payload', () => {
    // Act
    const output = evaluateIotSql(parseIotSql("SELECT VALUE a.b FROM '#'"), ctx({ payload: { a: { b: 3 } } }));

    // Assess
    expect(output).toBe(3);
  });
});

describe('Function: parseIotSql()', () => {
  it.each([
    ["SELECT FROM 'a'"],
    ['SELECT * FROM a'],
    ["SELECT * 'a'"],
    ["SELECT * FROM 'a' WHERE"],
    ["SELECT * FROM 'a' extra"],
    ["SELECT a AS FROM 'a'"],
    ["SELECT 'unterminated FROM 'a'"],
    ["SELECT a FROM 'x' WHERE a = = 1"],
    ["SELECT a ; FROM 'x'"],
  ])('throws IotSqlSyntaxError for %s', (sql) => {
    // Act / Assess
    expect(() => parseIotSql(sql)).toThrow(IotSqlSyntaxError);
  });

  it('keeps the FROM filter and the select list', () => {
    // Act
    const parsed = parseIotSql("SELECT *, topic(3) AS room FROM 'updates/sensor/+'");

    // Assess
    expect(parsed.from).toBe('updates/sensor/+');
    expect(parsed.select).toMatchObject({ kind: 'fields', items: [{ kind: 'star' }, { kind: 'expr', alias: 'room' }] });
  });
});

describe('Function: substituteIotTemplate()', () => {
  it('expands ${...} expressions against the message', () => {
    // Act
    const topic = substituteIotTemplate('out/${topic(3)}/${clientid()}/${device.id}/${missing}', ctx());

    // Assess
    expect(topic).toBe('out/kitchen/alice_1/d-1/');
  });
});
