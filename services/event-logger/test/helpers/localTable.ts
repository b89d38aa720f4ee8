import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTablesFromTemplate, startLocalDynamoDb } from '@blueprints/local-storage';
import { packagedServiceResolver, type TemplateResolver } from '@blueprints/packaging';
import { ACCOUNT_ID, REGION } from './factories.js';

export const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The service's packaged template, resolved as stack `event-logger-dev` (packages it first when stale). */
export async function packagedResolver(): Promise<TemplateResolver> {
  return packagedServiceResolver(SERVICE_DIR, { region: REGION, accountId: ACCOUNT_ID });
}

/** dynalite with the template's events table. */
export async function startEventsTable() {
  const resolver = await packagedResolver();
  const ddb = await startLocalDynamoDb();
  const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
  const [table] = await createTablesFromTemplate(resolver, client);
  if (!table) throw new Error('the template declares no table');
  return {
    endpoint: ddb.endpoint,
    client,
    tableName: table.tableName,
    close: async () => {
      client.destroy();
      await ddb.close();
    },
  };
}
