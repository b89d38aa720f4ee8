import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';

/** What the stand-in was asked, in order: the operations and SQL the console sent. */
export interface DataApiCall {
  operation: string;
  sql?: string;
  transactionId?: string;
  secretArn?: string;
}

export interface LocalDataApi {
  endpoint: string;
  calls: DataApiCall[];
  close(): Promise<void>;
}

/**
 * A loopback stand-in for the RDS Data API (restJson1: POST /BeginTransaction, /Execute,
 * /CommitTransaction, /RollbackTransaction) that runs the statements on a real PostgreSQL, one
 * connection per transaction, and reports database errors the way the Data API does
 * (`DatabaseErrorException`, "SQLState: NNNNN" in the message). Only what the console uses.
 */
export async function startLocalDataApi(connection: pg.ClientConfig): Promise<LocalDataApi> {
  const transactions = new Map<string, pg.Client>();
  const calls: DataApiCall[] = [];

  const open = async () => {
    const client = new pg.Client(connection);
    await client.connect();
    return client;
  };
  const finish = async (id: string, sql: 'COMMIT' | 'ROLLBACK') => {
    const client = transactions.get(id);
    if (!client) throw Object.assign(new Error(`Transaction ${id} is not found`), { type: 'NotFoundException' });
    transactions.delete(id);
    await client.query(sql);
    await client.end();
  };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    '/BeginTransaction': async () => {
      const transactionId = randomUUID();
      const client = await open();
      await client.query('BEGIN');
      transactions.set(transactionId, client);
      return { transactionId };
    },
    '/Execute': async (body) => {
      const id = body.transactionId as string | undefined;
      const client = id ? transactions.get(id) : await open();
      if (!client) throw Object.assign(new Error(`Transaction ${id} is not found`), { type: 'NotFoundException' });
      try {
        const result = await client.query(body.sql as string);
        const fields = result.fields ?? [];
        return {
          columnMetadata: body.includeResultMetadata ? fields.map((f) => ({ name: f.name, label: f.name })) : undefined,
          formattedRecords: fields.length > 0 ? JSON.stringify(result.rows) : undefined,
          numberOfRecordsUpdated: fields.length > 0 ? 0 : (result.rowCount ?? 0),
        };
      } catch (error) {
        const { message, code } = error as { message: string; code?: string };
        throw Object.assign(new Error(`ERROR: ${message}; SQLState: ${code}`), { type: 'DatabaseErrorException' });
      } finally {
        if (!id) await client.end();
      }
    },
    '/CommitTransaction': async (body) => {
      await finish(body.transactionId as string, 'COMMIT');
      return { transactionStatus: 'Transaction Committed' };
    },
    '/RollbackTransaction': async (body) => {
      await finish(body.transactionId as string, 'ROLLBACK');
      return { transactionStatus: 'Rollback Complete' };
    },
  };

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const operation = operations[request.url ?? ''];
    calls.push({
      operation: (request.url ?? '').slice(1),
      sql: body.sql as string | undefined,
      transactionId: body.transactionId as string | undefined,
      secretArn: body.secretArn as string | undefined,
    });
    try {
      if (!operation) throw Object.assign(new Error(`No operation ${request.url}`), { type: 'BadRequestException' });
      const result = await operation(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (error) {
      const { message, type } = error as { message: string; type?: string };
      response
        .writeHead(400, {
          'content-type': 'application/json',
          'x-amzn-errortype': type ?? 'InternalServerErrorException',
        })
        .end(JSON.stringify({ message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: async () => {
      await Promise.all([...transactions.values()].map((client) => client.end().catch(() => undefined)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
