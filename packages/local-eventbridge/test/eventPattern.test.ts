import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../src/eventPattern.js';
import { ec2StateChangeEvent, envelopeEvent } from './factories.js';

type Case = [description: string, pattern: unknown, event: unknown, expected: boolean];

const ec2 = ec2StateChangeEvent;

/** Behaviours the EventBridge docs (content filtering, comparison operators, arrays) describe. */
const cases: Case[] = [
  // Exact values, AND across fields, OR within a list
  ['exact string matches', { source: ['aws.ec2'] }, ec2(), true],
  ['exact string is case-sensitive', { source: ['AWS.EC2'] }, ec2(), false],
  ['any value of the list matches', { detail: { state: ['initializing', 'running'] } }, ec2(), true],
  ['no value of the list matches', { detail: { state: ['stopped', 'pending'] } }, ec2(), false],
  ['all fields must match (AND)', { source: ['aws.ec2'], detail: { state: ['stopped'] } }, ec2(), false],
  ['a field missing from the event does not match', { detail: { missing: ['x'] } }, ec2(), false],
  ['exact number matches', { detail: { 'c-count': [5] } }, ec2(), true],
  ['numbers are compared numerically (300 vs 3.0e2)', { detail: { n: [3.0e2] } }, ec2({ n: 300 }), true],
  ['a number does not match the same digits as a string', { detail: { n: ['300'] } }, ec2({ n: 300 }), false],
  ['a string does not match the same digits as a number', { detail: { n: [300] } }, ec2({ n: '300' }), false],
  ['boolean true matches', { detail: { persist: [true] } }, ec2({ persist: true }), true],
  ['boolean true does not match false', { detail: { persist: [true] } }, ec2({ persist: false }), false],
  ['boolean true does not match the string "true"', { detail: { persist: [true] } }, ec2({ persist: 'true' }), false],
  ['null matches a null value', { detail: { UserID: [null] } }, ec2({ UserID: null }), true],
  ['null does not match a missing field', { detail: { UserID: [null] } }, ec2(), false],
  ['null does not match an empty string', { detail: { UserID: [null] } }, ec2({ UserID: '' }), false],
  ['empty string matches an empty string', { detail: { LastName: [''] } }, ec2({ LastName: '' }), true],
  ['empty string does not match null', { detail: { LastName: [''] } }, ec2({ LastName: null }), false],
  [
    'a leaf value does not match an object',
    { detail: { state: ['running'] } },
    ec2({ state: { a: 'running' } }),
    false,
  ],
  // Arrays in the event
  [
    'array in the event: any element matching is enough',
    { resources: ['arn:b'] },
    { resources: ['arn:a', 'arn:b'] },
    true,
  ],
  ['array in the event: no element matching', { resources: ['arn:c'] }, { resources: ['arn:a', 'arn:b'] }, false],
  ['nested arrays are flattened', { detail: { tags: ['x'] } }, ec2({ tags: [['a'], ['b', ['x']]] }), true],
  [
    'objects inside an array are matched element by element',
    { detail: { employees: { firstName: ['Anna'] } } },
    ec2({ employees: [{ firstName: 'John' }, { firstName: 'Anna' }] }),
    true,
  ],
  [
    'array-consistent: two fields must come from the same element',
    { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    ec2({
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    }),
    false,
  ],
  [
    'array-consistent: both fields of one element match',
    { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } },
    ec2({
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    }),
    true,
  ],
  // prefix
  ['prefix matches the start of a string', { time: [{ prefix: '2017-10-02' }] }, ec2(), true],
  ['prefix does not match elsewhere', { time: [{ prefix: '10-02' }] }, ec2(), false],
  ['prefix only works on strings', { detail: { n: [{ prefix: '30' }] } }, ec2({ n: 300 }), false],
  ['prefix is case-sensitive', { detail: { state: [{ prefix: 'RUN' }] } }, ec2(), false],
  [
    'prefix equals-ignore-case',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    ec2({ service: 'eventbridge' }),
    true,
  ],
  [
    'prefix equals-ignore-case, no match',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    ec2({ service: 'sqs' }),
    false,
  ],
  // suffix
  [
    'suffix matches the end of a string',
    { detail: { FileName: [{ suffix: '.png' }] } },
    ec2({ FileName: 'a.png' }),
    true,
  ],
  [
    'suffix does not match another ending',
    { detail: { FileName: [{ suffix: '.png' }] } },
    ec2({ FileName: 'a.jpg' }),
    false,
  ],
  ['suffix is case-sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, ec2({ FileName: 'a.PNG' }), false],
  [
    'suffix equals-ignore-case',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    ec2({ FileName: 'A.PNG' }),
    true,
  ],
  [
    'suffix equals-ignore-case, no match',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    ec2({ FileName: 'a.gif' }),
    false,
  ],
  // equals-ignore-case
  ['equals-ignore-case matches any casing', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, ec2(), true],
  ['equals-ignore-case still needs equal text', { source: [{ 'equals-ignore-case': 'aws.ec' }] }, ec2(), false],
  // anything-but
  [
    'anything-but string: another value matches',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    ec2(),
    true,
  ],
  [
    'anything-but string: the value itself does not',
    { detail: { state: [{ 'anything-but': 'running' }] } },
    ec2(),
    false,
  ],
  ['anything-but number: another number matches', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2(), true],
  ['anything-but number: equal number does not', { detail: { 'x-limit': [{ 'anything-but': 301.8 }] } }, ec2(), false],
  ['anything-but list of strings', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, ec2(), true],
  [
    'anything-but list containing the value',
    { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } },
    ec2(),
    false,
  ],
  ['anything-but list of numbers', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, ec2(), true],
  [
    'anything-but list of numbers, numeric equality',
    { detail: { n: [{ 'anything-but': [100, 3e2] }] } },
    ec2({ n: 300 }),
    false,
  ],
  ['anything-but does not match a missing field', { detail: { nope: [{ 'anything-but': 'x' }] } }, ec2(), false],
  [
    'anything-but prefix: other prefix matches',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    ec2(),
    true,
  ],
  [
    'anything-but prefix: same prefix does not',
    { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } },
    ec2(),
    false,
  ],
  [
    'anything-but suffix: other ending matches',
    { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    ec2({ FileName: 'a.txt' }),
    true,
  ],
  [
    'anything-but suffix: same ending does not',
    { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    ec2({ FileName: 'a.png' }),
    false,
  ],
  [
    'anything-but equals-ignore-case: any casing of the value does not match',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] } },
    ec2(),
    false,
  ],
  [
    'anything-but equals-ignore-case list: other value matches',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['STOPPED', 'Pending'] } }] } },
    ec2(),
    true,
  ],
  [
    'anything-but wildcard: a path without /lib/ matches',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    ec2({ FilePath: '/usr/bin/node' }),
    true,
  ],
  [
    'anything-but wildcard list: a path under /lib/ does not',
    { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
    ec2({ FilePath: '/usr/lib/node' }),
    false,
  ],
  [
    'anything-but on an array: matches when one element differs',
    { detail: { tags: [{ 'anything-but': 'blue' }] } },
    ec2({ tags: ['blue', 'green'] }),
    true,
  ],
  // wildcard
  [
    'wildcard * matches any run of characters',
    { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
    ec2({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myBus' }),
    true,
  ],
  [
    'wildcard needs the literal parts',
    { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
    ec2({ EventBusArn: 'arn:aws:events:eu-west-1:1:event-bus/b' }),
    false,
  ],
  [
    'wildcard * matches the empty string',
    { detail: { file: [{ wildcard: 'dir/*.png' }] } },
    ec2({ file: 'dir/.png' }),
    true,
  ],
  ['wildcard escaped \\* is a literal star', { detail: { v: [{ wildcard: 'a\\*b' }] } }, ec2({ v: 'a*b' }), true],
  [
    'wildcard escaped \\* does not match other text',
    { detail: { v: [{ wildcard: 'a\\*b' }] } },
    ec2({ v: 'axb' }),
    false,
  ],
  ['wildcard treats regex characters literally', { detail: { v: [{ wildcard: 'a.b*' }] } }, ec2({ v: 'axb' }), false],
  ['wildcard only works on strings', { detail: { n: [{ wildcard: '3*' }] } }, ec2({ n: 300 }), false],
  // numeric
  ['numeric range > 0 <= 5 matches 5', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, ec2(), true],
  ['numeric range > 0 < 5 excludes 5', { detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, ec2(), false],
  ['numeric < 10', { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, ec2(), true],
  ['numeric >= 4', { detail: { 'd-count': [{ numeric: ['>=', 4] }] } }, ec2(), false],
  ['numeric = 3.018e2 matches 301.8', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, ec2(), true],
  ['numeric = does not match another number', { detail: { 'x-limit': [{ numeric: ['=', 301.9] }] } }, ec2(), false],
  ['numeric only works on JSON numbers', { detail: { n: [{ numeric: ['>', 0] }] } }, ec2({ n: '5' }), false],
  [
    'numeric applies to any element of an array',
    { detail: { n: [{ numeric: ['>', 10] }] } },
    ec2({ n: [1, 2, 30] }),
    true,
  ],
  // cidr
  ['cidr IPv4 inside the block', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ec2(), true],
  ['cidr IPv4 outside the block', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, ec2(), false],
  ['cidr IPv4 /8', { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, ec2({ 'source-ip': '10.255.3.4' }), true],
  ['cidr IPv6 inside the block', { detail: { ip: [{ cidr: '2001:db8::/64' }] } }, ec2({ ip: '2001:db8::1:2' }), true],
  ['cidr IPv6 outside the block', { detail: { ip: [{ cidr: '2001:db8::/64' }] } }, ec2({ ip: '2001:db9::1' }), false],
  [
    'cidr IPv6 with an embedded IPv4 tail',
    { detail: { ip: [{ cidr: '::ffff:10.0.0.0/120' }] } },
    ec2({ ip: '::ffff:10.0.0.7' }),
    true,
  ],
  ['cidr does not match a non-address', { detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, ec2({ ip: 'localhost' }), false],
  [
    'cidr IPv4 block does not match an IPv6 address',
    { detail: { ip: [{ cidr: '0.0.0.0/0' }] } },
    ec2({ ip: '::1' }),
    false,
  ],
  // exists
  ['exists true on a present field', { detail: { 'c-count': [{ exists: true }] } }, ec2(), true],
  ['exists true on a missing field', { detail: { nope: [{ exists: true }] } }, ec2(), false],
  ['exists false on a missing field', { detail: { nope: [{ exists: false }] } }, ec2(), true],
  ['exists false on a present field', { detail: { 'c-count': [{ exists: false }] } }, ec2(), false],
  ['exists true on a null value (null is a value)', { detail: { v: [{ exists: true }] } }, ec2({ v: null }), true],
  [
    'exists only works on leaves: exists false matches an object',
    { detail: { 'c-count': [{ exists: false }] } },
    ec2({ 'c-count': { c1: 100 } }),
    true,
  ],
  [
    'exists true does not match an object (not a leaf)',
    { detail: { 'c-count': [{ exists: true }] } },
    ec2({ 'c-count': { c1: 100 } }),
    false,
  ],
  ['exists false under a missing parent', { detail: { deep: { x: [{ exists: false }] } } }, ec2(), true],
  // $or
  [
    '$or: the second branch matches',
    { source: ['aws.ec2'], $or: [{ detail: { state: ['stopped'] } }, { detail: { 'c-count': [5] } }] },
    ec2(),
    true,
  ],
  [
    '$or: no branch matches',
    { $or: [{ detail: { state: ['stopped'] } }, { detail: { 'c-count': [6] } }] },
    ec2(),
    false,
  ],
  [
    '$or nested with AND inside a branch',
    {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { state: ['running'], 'd-count': [{ numeric: ['<', 5] }] }],
      },
    },
    ec2(),
    true,
  ],
  [
    'parallel $or groups must each match',
    {
      $or: [{ source: ['aws.ec2'] }, { source: ['aws.s3'] }],
      detail: { $or: [{ state: ['stopped'] }, { 'd-count': [99] }] },
    },
    ec2(),
    false,
  ],
  // Mixed lists (OR across operators)
  ['a list mixes exact values and operators', { detail: { state: ['stopped', { prefix: 'run' }] } }, ec2(), true],
  ['exists false OR a value', { detail: { color: [{ exists: false }, 'red'] } }, ec2({ color: 'red' }), true],
  // The patterns the services here deploy
  [
    'event log: persist true is archived',
    { detail: { persist: [true] } },
    envelopeEvent('order.placed', { persist: true }),
    true,
  ],
  [
    'event log: persist false is not archived',
    { detail: { persist: [true] } },
    envelopeEvent('order.placed', { persist: false }),
    false,
  ],
  [
    'event log: an envelope without persist is not archived',
    { detail: { persist: [true] } },
    envelopeEvent('order.placed', { persist: undefined }),
    false,
  ],
  [
    'event log: the fair queue rule by detail-type',
    { 'detail-type': ['order.placed'] },
    envelopeEvent('order.placed', { brand: 'A' }),
    true,
  ],
  [
    'event log: the fair queue rule ignores other detail-types',
    { 'detail-type': ['order.placed'] },
    envelopeEvent('order.cancelled', { brand: 'A' }),
    false,
  ],
  [
    'event log: fair queue only for events with a brand',
    { 'detail-type': ['order.placed'], detail: { brand: [{ exists: true }] } },
    envelopeEvent('order.placed', {}),
    false,
  ],
  [
    'journal log: every event of source qldb',
    { source: ['qldb'] },
    envelopeEvent('REVISION_DETAILS', {}, 'qldb'),
    true,
  ],
  [
    'journal log: other sources are not logged',
    { source: ['qldb'] },
    envelopeEvent('REVISION_DETAILS', {}, 'qldb.other'),
    false,
  ],
  [
    'journal log: revisions of one table by prefix',
    {
      source: [{ prefix: 'qldb' }],
      'detail-type': ['REVISION_DETAILS'],
      detail: { tableInfo: { tableName: ['Person'] } },
    },
    envelopeEvent('REVISION_DETAILS', { tableInfo: { tableName: 'Person' } }, 'qldb'),
    true,
  ],
];

describe('Function: matchesEventPattern()', () => {
  it('has a table of at least 60 documented cases, with matches and non-matches', () => {
    // Assess
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(cases.filter(([, , , expected]) => expected).length).toBeGreaterThan(20);
    expect(cases.filter(([, , , expected]) => !expected).length).toBeGreaterThan(20);
  });

  it.each(cases)('%s', (_description, pattern, event, expected) => {
    // Act
    const result = matchesEventPattern(pattern, event);

    // Assess
    expect(result).toBe(expected);
  });

  it('accepts the pattern as JSON text, as CloudFormation may hold it', () => {
    // Prepare
    const pattern = JSON.stringify({ detail: { persist: [true] } });

    // Act
    const result = matchesEventPattern(pattern, envelopeEvent('x', { persist: true }));

    // Assess
    expect(result).toBe(true);
  });

  it('returns a reusable predicate from compileEventPattern()', () => {
    // Prepare
    const matches = compileEventPattern({ detail: { 'c-count': [{ numeric: ['>', 4] }] } });

    // Act
    const results = [matches(ec2()), matches(ec2({ 'c-count': 1 }))];

    // Assess
    expect(results).toEqual([true, false]);
  });
});

describe('Function: validateEventPattern()', () => {
  const invalid: Array<[description: string, pattern: unknown, message: RegExp]> = [
    ['a non-array leaf', { detail: { persist: true } }, /detail\.persist: a leaf must be an array/],
    ['a pattern that is not an object', ['aws.ec2'], /must be a JSON object/],
    ['JSON text that does not parse', '{"source": [', /not valid JSON/],
    ['an empty value list', { source: [] }, /must not be empty/],
    ['an empty object', { detail: {} }, /must not be empty/],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }, /unrecognized match type "contains"/],
    ['two operators in one filter', { source: [{ prefix: 'a', suffix: 'b' }] }, /exactly one operator/],
    ['a prefix that is not a string', { source: [{ prefix: 1 }] }, /prefix takes a string/],
    ['consecutive wildcards', { source: [{ wildcard: 'a**b' }] }, /consecutive wildcard/],
    ['a backslash escaping another character', { source: [{ wildcard: 'a\\b' }] }, /may only escape/],
    ['a mixed anything-but list', { source: [{ 'anything-but': ['a', 1] }] }, /only strings or only numbers/],
    [
      'anything-but with an unsupported operator',
      { source: [{ 'anything-but': { numeric: ['>', 1] } }] },
      /does not support "numeric"/,
    ],
    ['an unknown numeric operator', { detail: { n: [{ numeric: ['!=', 1] }] } }, /unrecognized numeric operator/],
    ['a numeric bound that is not a number', { detail: { n: [{ numeric: ['>', '1'] }] } }, /needs a number/],
    ['two lower bounds', { detail: { n: [{ numeric: ['>', 1, '>=', 2] }] } }, /one lower bound/],
    ['an empty numeric range', { detail: { n: [{ numeric: ['>', 5, '<', 1] }] } }, /lower bound must be below/],
    ['a malformed CIDR block', { detail: { ip: [{ cidr: '10.0.0.0/33' }] } }, /invalid prefix length/],
    ['a CIDR that is not an address', { detail: { ip: [{ cidr: 'ten/8' }] } }, /is not a CIDR block/],
    ['exists that is not a boolean', { detail: { x: [{ exists: 'yes' }] } }, /exists takes true or false/],
  ];

  it.each(invalid)('rejects %s with a clear message', (_description, pattern, message) => {
    // Act
    const act = () => validateEventPattern(pattern);

    // Assess
    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow(message);
  });

  it('accepts every pattern of the match table', () => {
    // Act
    const act = () => {
      for (const [, pattern] of cases) validateEventPattern(pattern);
    };

    // Assess
    expect(act).not.toThrow();
  });

  it('treats "$or" holding a single object as a normal field name, as Ruler does', () => {
    // Prepare
    const pattern = { $or: { a: ['x'] } };

    // Act
    const result = matchesEventPattern(pattern, { $or: { a: 'x' } });

    // Assess
    expect(result).toBe(true);
  });
});
