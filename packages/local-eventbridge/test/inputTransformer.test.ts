import { readJsonPath, renderInputTemplate, targetPayload } from '../src/inputTransformer.js';
import { ec2StateChangeEvent } from './factories.js';

const predefined = {
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/bus/r1',
  ruleName: 'r1',
  ingestionTime: '2026-11-25T01:02:03.000Z',
};

describe('Function: readJsonPath()', () => {
  it.each([
    ['$.detail.state', 'running'],
    ['$.detail.x-limit', 301.8],
    ['$.detail-type', 'EC2 Instance State-change Notification'],
    ['$.resources[0]', 'arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
    ["$['detail']['instance-id']", 'i-000000aaaaaa00000'],
    ['$.detail.missing', undefined],
    ['$.resources[5]', undefined],
  ])('reads %s', (path, expected) => {
    // Act
    const value = readJsonPath(ec2StateChangeEvent(), path);

    // Assess
    expect(value).toEqual(expected);
  });

  it('returns every match of a wildcard as a list', () => {
    // Act
    const value = readJsonPath({ items: [{ id: 1 }, { id: 2 }] }, '$.items[*].id');

    // Assess
    expect(value).toEqual([1, 2]);
  });

  it('rejects a path that does not start with $', () => {
    // Act
    const act = () => readJsonPath({}, 'detail.state');

    // Assess
    expect(act).toThrow(/must start with "\$"/);
  });
});

describe('Function: renderInputTemplate()', () => {
  const inputPathsMap = { instance: '$.detail.instance-id', state: '$.detail.state', count: '$.detail.c-count' };

  it('puts JSON values where a placeholder stands outside quotes (strings keep their quotes)', () => {
    // Act
    const out = renderInputTemplate(
      { inputPathsMap, inputTemplate: '{"instance": <instance>, "state": [9, <state>, true], "n": <count>}' },
      ec2StateChangeEvent(),
      predefined,
    );

    // Assess
    expect(JSON.parse(out)).toEqual({ instance: 'i-000000aaaaaa00000', state: [9, 'running', true], n: 5 });
  });

  it('puts the text of the value inside a quoted string, escaped', () => {
    // Act
    const out = renderInputTemplate(
      {
        inputPathsMap: { ...inputPathsMap, quote: '$.detail.quote' },
        inputTemplate: '"instance <instance> is in <state>: <quote>"',
      },
      ec2StateChangeEvent({ quote: 'say "hi"' }),
      predefined,
    );

    // Assess
    expect(JSON.parse(out)).toBe('instance i-000000aaaaaa00000 is in running: say "hi"');
  });

  it('fills the predefined variables', () => {
    // Act
    const out = renderInputTemplate(
      {
        inputTemplate:
          '{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "at": "<aws.events.event.ingestion-time>", "event": <aws.events.event.json>}',
      },
      ec2StateChangeEvent(),
      predefined,
    );

    // Assess
    expect(JSON.parse(out)).toEqual({
      rule: 'r1',
      arn: predefined.ruleArn,
      at: predefined.ingestionTime,
      event: ec2StateChangeEvent(),
    });
  });

  it('turns "<aws.events.event.json>" plus a newline into one line of newline-delimited JSON', () => {
    // Prepare
    const event = ec2StateChangeEvent({ note: 'two\nlines' });

    // Act
    const out = renderInputTemplate({ inputTemplate: '<aws.events.event.json>\n' }, event, predefined);

    // Assess
    expect(out.split('\n')).toHaveLength(2);
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toEqual(event);
  });

  it('leaves the detail field out of "<aws.events.event>", as AWS documents', () => {
    // Prepare
    const event = ec2StateChangeEvent({ note: 'x' });
    const { detail: _detail, ...withoutDetail } = event;

    // Act
    const out = renderInputTemplate({ inputTemplate: '<aws.events.event>' }, event, predefined);

    // Assess
    expect(JSON.parse(out)).toEqual(withoutDetail);
  });

  it('writes null for a path that does not resolve and keeps unknown placeholders as text', () => {
    // Act
    const out = renderInputTemplate(
      { inputPathsMap: { gone: '$.detail.gone' }, inputTemplate: '{"gone": <gone>, "html": "<b>"}' },
      ec2StateChangeEvent(),
      predefined,
    );

    // Assess
    expect(JSON.parse(out)).toEqual({ gone: null, html: '<b>' });
  });
});

describe('Function: targetPayload()', () => {
  it('sends the whole event when the target has no input settings', () => {
    // Act
    const out = targetPayload({}, ec2StateChangeEvent(), predefined);

    // Assess
    expect(JSON.parse(out)).toEqual(ec2StateChangeEvent());
  });

  it('sends the constant Input as-is', () => {
    // Act
    const out = targetPayload({ input: '{"fixed":1}' }, ec2StateChangeEvent(), predefined);

    // Assess
    expect(out).toBe('{"fixed":1}');
  });

  it('sends only what InputPath selects', () => {
    // Act
    const out = targetPayload({ inputPath: '$.detail' }, ec2StateChangeEvent(), predefined);

    // Assess
    expect(JSON.parse(out)).toEqual(ec2StateChangeEvent().detail);
  });
});
