import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTablesFromTemplate, type LocalDynamoDb, startLocalDynamoDb } from '@blueprints/local-storage';
import { PresenceTable } from '../src/presence/PresenceTable.js';
import { parsePresenceEvent } from '../src/presence/presenceEvent.js';
import { lifecycleEvent, NAMESPACE, NOW, OTHER_NAMESPACE } from './helpers/factories.js';
import { packagedResolver } from './helpers/packagedService.js';

const T0 = NOW.getTime();
let dynamo: LocalDynamoDb;
let client: DynamoDBClient;
let tableName: string;

beforeAll(async () => {
  const resolver = await packagedResolver();
  dynamo = await startLocalDynamoDb();
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tables = await createTablesFromTemplate(resolver, client);
  const presence = tables.find((t) => t.logicalId === 'PresenceTable');
  if (!presence) throw new Error('The template has no PresenceTable');
  expect(presence.timeToLiveAttribute).toBe('expiresAt');
  tableName = presence.tableName;
}, 200_000);

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

const table = () =>
  new PresenceTable({ client, tableName, connectedTtlSeconds: 90_000, disconnectedTtlSeconds: 3_600 });
const record = (eventType: 'connected' | 'disconnected', at: number, clientId: string) =>
  table().record(parsePresenceEvent(lifecycleEvent(eventType, at, clientId)));

describe('Class: PresenceTable', () => {
  it('stores a connected client with a TTL', async () => {
    // Prepare
    const clientId = 'user-first';

    // Act
    const result = await record('connected', T0, clientId);

    // Assess
    expect(result).toBe('applied');
    expect(await table().get(clientId)).toEqual({
      clientId,
      status: 'connected',
      eventAt: T0,
      expiresAt: T0 / 1000 + 90_000,
      sessionIdentifier: `session-${T0}`,
    });
  });

  it('ignores a duplicate event', async () => {
    // Prepare
    const clientId = 'user-duplicate';
    await record('connected', T0, clientId);

    // Act
    const result = await record('connected', T0, clientId);

    // Assess
    expect(result).toBe('stale');
    expect((await table().get(clientId))?.status).toBe('connected');
  });

  it('keeps the newer event when a disconnect arrives before the connect that preceded it', async () => {
    // Prepare
    const clientId = 'user-reordered';
    await record('disconnected', T0 + 5_000, clientId);

    // Act
    const late = await record('connected', T0, clientId);

    // Assess
    expect(late).toBe('stale');
    expect(await table().get(clientId)).toEqual({
      clientId,
      status: 'disconnected',
      eventAt: T0 + 5_000,
      expiresAt: (T0 + 5_000) / 1000 + 3_600,
      sessionIdentifier: `session-${T0 + 5_000}`,
      disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
    });
  });

  it('reaches the state of the newest event whatever order a burst arrives in', async () => {
    // Prepare
    const clientId = 'user-burst';
    const events: Array<['connected' | 'disconnected', number]> = [
      ['connected', T0 + 1_000],
      ['disconnected', T0 + 2_000],
      ['connected', T0 + 3_000],
      ['disconnected', T0 + 4_000],
      ['connected', T0 + 5_000],
    ];
    const shuffled = [events[3], events[4], events[0], events[4], events[2], events[1], events[0]] as typeof events;

    // Act
    for (const [type, at] of shuffled) await record(type, at, clientId);

    // Assess
    expect(await table().get(clientId)).toMatchObject({ status: 'connected', eventAt: T0 + 5_000 });
  });
});

describe('Function: handler() (presence)', () => {
  it('records valid lifecycle events of its deployment and drops invalid and foreign ones', async () => {
    // Prepare
    Object.assign(process.env, {
      PRESENCE_TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      IOT_NAMESPACE: NAMESPACE.topicPrefix,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const { handler } = await import('../src/handlers/presence.js');
    const own = NAMESPACE.clientId('user-handler');
    const foreign = OTHER_NAMESPACE.clientId('user-handler');

    // Act
    const applied = await handler(lifecycleEvent('connected', T0, own));
    const duplicate = await handler(lifecycleEvent('connected', T0, own));
    const invalid = await handler({ clientId: own, eventType: 'subscribed', timestamp: T0 });
    const other = await handler(lifecycleEvent('connected', T0, foreign));

    // Assess
    expect([applied, duplicate, invalid, other]).toEqual([
      { result: 'applied' },
      { result: 'stale' },
      { result: 'invalid' },
      { result: 'foreign' },
    ]);
    expect((await table().get(own))?.status).toBe('connected');
    expect(await table().get(foreign)).toBeUndefined();
  });
});
