import { type IotAction, IotPolicyBuilder, iotPolicyResourceTag, UnsafeIotIdentityError } from '@blueprints/common';
import fc from 'fast-check';
import { evaluateIotPolicy } from '../src/index.js';
import { ACCOUNT, REGION } from './factories.js';

const resource = iotPolicyResourceTag({ alsoForbid: '_' });

/** The policy a custom authorizer would return for one subject. */
function subjectPolicy(sub: string) {
  return new IotPolicyBuilder({ region: REGION, accountId: ACCOUNT })
    .allowConnect([resource`${sub}_*`])
    .allowSubscribe([resource`updates/user/${sub}`])
    .allowReceive([resource`updates/user/${sub}`, resource`updates/user/${sub}/*`])
    .allowPublish([resource`$aws/rules/sensor/updates/sensor/${sub}`])
    .build();
}

/** What the subject owns, defined literally (no pattern matching involved). */
function owns(sub: string, action: IotAction, name: string): boolean {
  switch (action) {
    case 'iot:Connect':
      return name.startsWith(`${sub}_`);
    case 'iot:Subscribe':
      return name === `updates/user/${sub}`;
    case 'iot:Receive':
      return name === `updates/user/${sub}` || name.startsWith(`updates/user/${sub}/`);
    case 'iot:Publish':
      return name === `$aws/rules/sensor/updates/sensor/${sub}`;
    default:
      return false;
  }
}

const KIND: Record<string, string> = {
  'iot:Connect': 'client',
  'iot:Subscribe': 'topicfilter',
  'iot:Receive': 'topic',
  'iot:Publish': 'topic',
  'iot:RetainPublish': 'topic',
};

const hostilePieces = [
  '*',
  '?',
  '/',
  '+',
  '#',
  '${iot:ClientId}',
  '${',
  '}',
  '$(*)',
  '$($)',
  '$',
  '_',
  '\u0000',
  '\n',
  '..',
  ' ',
  'é',
  'e\u0301',
  '😀',
  '\ud800',
  '\u202e',
  'updates/user/',
  'bob',
];

const identity = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(fc.oneof(fc.constantFrom(...hostilePieces), fc.string({ maxLength: 5 })), { maxLength: 8 })
    .map((a) => a.join('')),
  fc.integer({ min: 1, max: 10_240 }).map((n) => 'x'.repeat(n)),
  fc.stringMatching(/^[A-Za-z0-9-]{1,36}$/),
);

/** Two identities, often one extending the other (`alice` and `alice/x`, `alice_x`, `alice+`...). */
const identityPair = fc.oneof(
  fc.tuple(identity, identity),
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.constantFrom(...hostilePieces), fc.stringMatching(/^[a-z]{0,4}$/))
    .map(([a, piece, rest]) => [a, `${a}${piece}${rest}`] as [string, string]),
);

const requestName = (sub: string, other: string) =>
  fc.constantFrom(
    `${sub}_1`,
    `${sub}`,
    `${other}_1`,
    `${sub}_${other}`,
    `updates/user/${sub}`,
    `updates/user/${sub}/x`,
    `updates/user/${other}`,
    'updates/user/+',
    'updates/user/#',
    'updates/user/*',
    '#',
    '+',
    '*',
    `$aws/rules/sensor/updates/sensor/${sub}`,
    `$aws/rules/sensor/updates/sensor/${other}`,
    `$aws/rules/sensor/updates/sensor/+`,
    `updates/user/${sub}${other}`,
  );

describe('Property: untrusted identities never widen a policy', () => {
  it('allows a subject nothing beyond its own client ids and topics, or refuses the identity', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        identity,
        identity,
        fc.constantFrom<IotAction>('iot:Connect', 'iot:Subscribe', 'iot:Receive', 'iot:Publish', 'iot:RetainPublish'),
        fc.string({ maxLength: 20 }),
        (sub, other, action, clientSuffix) => {
          // Prepare
          let policy: ReturnType<typeof subjectPolicy>;
          try {
            policy = subjectPolicy(sub);
          } catch (error) {
            expect(error).toBeInstanceOf(UnsafeIotIdentityError);
            return;
          }
          accepted++;
          const names = fc.sample(requestName(sub, other), 8);

          for (const name of names) {
            // Act
            const decision = evaluateIotPolicy([policy], {
              action,
              resource: `arn:aws:iot:${REGION}:${ACCOUNT}:${KIND[action]}/${name}`,
              clientId: `${sub}_${clientSuffix}`,
            });

            // Assess
            expect(decision === 'allow').toBe(owns(sub, action, name));
            if (decision === 'allow' && action === 'iot:Subscribe') expect(name).not.toMatch(/[+#*]/);
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('never lets two different subjects share a client id or topic', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        identityPair,
        fc.constantFrom<IotAction>('iot:Connect', 'iot:Subscribe', 'iot:Receive', 'iot:Publish'),
        fc.string({ maxLength: 12 }),
        ([a, b], action, tail) => {
          // Prepare
          fc.pre(a !== b);
          let policies: [ReturnType<typeof subjectPolicy>, ReturnType<typeof subjectPolicy>];
          try {
            policies = [subjectPolicy(a), subjectPolicy(b)];
          } catch (error) {
            expect(error).toBeInstanceOf(UnsafeIotIdentityError);
            return;
          }
          compared++;
          const names = [a, b].flatMap((s) => [
            `${s}_${tail}`,
            `updates/user/${s}`,
            `updates/user/${s}/${tail}`,
            `$aws/rules/sensor/updates/sensor/${s}`,
          ]);

          for (const name of names) {
            // Act
            const [forA, forB] = policies.map((policy, i) =>
              evaluateIotPolicy([policy], {
                action,
                resource: `arn:aws:iot:${REGION}:${ACCOUNT}:${KIND[action]}/${name}`,
                clientId: `${i === 0 ? a : b}_${tail}`,
              }),
            );

            // Assess
            expect(forA === 'allow' && forB === 'allow').toBe(false);
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(compared).toBeGreaterThan(100);
  });
});
