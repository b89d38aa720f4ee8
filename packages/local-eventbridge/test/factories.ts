/** The EC2 state-change event the EventBridge docs use in their content-filtering examples. */
export function ec2StateChangeEvent(detail: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '012345679012',
    time: '2017-10-02T16:24:49Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
    detail: {
      'c-count': 5,
      'd-count': 3,
      'x-limit': 301.8,
      'source-ip': '10.0.0.33',
      'instance-id': 'i-000000aaaaaa00000',
      state: 'running',
      ...detail,
    },
  };
}

/** An event with an envelope in `detail`, as the services publish it. */
export function envelopeEvent(
  detailType: string,
  detail: Record<string, unknown>,
  source = 'blueprints.shop-events',
): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: '2026-11-25T01:02:03Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      createdAt: 1764032523000,
      correlationId: 'c0ffee00-0000-4000-8000-000000000001',
      sequenceNr: 1,
      idempotencyKey: 'order-1',
      persist: false,
      context: {},
      ...detail,
    },
  };
}
