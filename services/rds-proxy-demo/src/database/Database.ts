import { Deadline } from '@blueprints/common';
import type { QueryResult, QueryResultRow } from 'pg';
import pg from 'pg';
import { DatabaseConnectionError, DatabaseTimeoutError, describeConnectFailure, isConnectionLost } from './errors.js';
import { type PasswordProvider, passwordProviderFor } from './passwordProviders.js';
import type { DatabaseSettings } from './settings.js';
import { stepBudget, withinStep } from './stepBudget.js';

type Client = pg.Client;

/** Which proxy endpoint a connection goes to. */
export type EndpointRole = 'writer' | 'reader';

/** The subset of a Powertools `Logger` the database uses. */
export interface DatabaseLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface DatabaseOptions {
  /** Issues the password (IAM token) for each new connection; defaults to what `settings.auth` asks for. */
  passwordProvider?: PasswordProvider;
  logger?: DatabaseLogger;
}

export interface ClientOptions {
  /** Use the read-only endpoint (the Aurora reader behind the proxy's READ_ONLY endpoint). */
  readOnly?: boolean;
  /**
   * When the call must have answered by (from the Lambda context). Every step gets the smaller of
   * its own timeout and what is left; without a deadline only the per-step timeouts apply.
   */
  deadline?: Deadline;
}

/** How long the `SELECT 1` before reusing a connection may take: a live connection answers in milliseconds. */
export const LIVENESS_CHECK_TIMEOUT_MS = 1000;

interface Connection {
  client: Client;
  /** Set when the driver reports the socket closed or errored; such a connection is never handed out. */
  lost: boolean;
  openedAt: number;
}

/**
 * One long-lived `pg` connection per endpoint, kept at module scope so warm invocations reuse it.
 * A connection is checked before it is handed out; one the server has closed (the proxy's idle
 * timeout, a failover, `pg_terminate_backend`) is replaced by a new one, opened with a fresh
 * password from the provider. Opening the replacement is the one retry: if it fails too, the
 * caller gets a `DatabaseConnectionError` that says where and why.
 *
 * @example
 * const database = new Database(readDatabaseSettings());
 * export const handler = async () => {
 *   const { rows } = await database.query('SELECT version() AS version');
 *   return rows[0];
 * };
 */
export class Database {
  readonly #settings: DatabaseSettings;
  readonly #passwordProvider: PasswordProvider;
  readonly #logger: DatabaseLogger | undefined;
  readonly #connections = new Map<EndpointRole, Connection>();
  readonly #opening = new Map<EndpointRole, Promise<Connection>>();

  constructor(settings: DatabaseSettings, options: DatabaseOptions = {}) {
    this.#settings = settings;
    this.#passwordProvider = options.passwordProvider ?? passwordProviderFor(settings);
    this.#logger = options.logger;
  }

  /**
   * A connected client, reused across calls and invocations. Do not `end()` it; use `close()`.
   * Run a transaction on it with `BEGIN` … `COMMIT` (the proxy keeps a transaction on one
   * database connection).
   */
  async getClient(options: ClientOptions = {}): Promise<Client> {
    const role: EndpointRole = options.readOnly ? 'reader' : 'writer';
    const deadline = options.deadline ?? Deadline.none();
    const pending = this.#opening.get(role);
    if (pending) {
      return (await withinStep(deadline, 'connect', this.#settings.connectTimeoutMs, () => pending)).client;
    }

    const current = this.#connections.get(role);
    if (!current) return (await this.#open(role, deadline)).client;
    if (!current.lost && (await this.#isAlive(current, deadline))) return current.client;

    this.#logger?.info('Replacing a database connection that is closed or does not answer', {
      role,
      ageMs: Date.now() - current.openedAt,
    });
    this.#discard(role, current);
    return (await this.#open(role, deadline, 'after the previous connection was closed or did not answer')).client;
  }

  /**
   * Runs one parameterised statement. A read-only statement whose connection drops mid-flight is
   * retried once on a new connection; a write is not (it may have been applied), the caller gets
   * a `DatabaseConnectionError` instead.
   *
   * @example
   * const { rows } = await database.query('SELECT * FROM articles WHERE type = $1', ['news'], { readOnly: true });
   */
  async query<Row extends QueryResultRow = QueryResultRow>(
    text: string,
    values: unknown[] = [],
    options: ClientOptions = {},
  ): Promise<QueryResult<Row>> {
    const role: EndpointRole = options.readOnly ? 'reader' : 'writer';
    const deadline = options.deadline ?? Deadline.none();
    const client = await this.getClient(options);
    try {
      return await this.#run<Row>(role, client, text, values, deadline);
    } catch (error) {
      if (error instanceof DatabaseTimeoutError || !isConnectionLost(error)) throw error;
      this.#markLost(role, client);
      if (!options.readOnly) {
        throw new DatabaseConnectionError(
          `The database connection (${this.#describe(role)}) was lost during a write; ` +
            'it was not retried because the write may have been applied',
          { cause: error },
        );
      }
      this.#logger?.warn('Database connection lost during a read; retrying once on a new connection', { role });
      const fresh = await this.getClient(options);
      try {
        return await this.#run<Row>(role, fresh, text, values, deadline);
      } catch (retryError) {
        if (retryError instanceof DatabaseTimeoutError || !isConnectionLost(retryError)) throw retryError;
        this.#markLost(role, fresh);
        throw new DatabaseConnectionError(
          `The database connection (${this.#describe(role)}) was lost twice in a row: ${describeConnectFailure(retryError)}`,
          { cause: retryError },
        );
      }
    }
  }

  /** Closes every open connection (tests, local scripts; a Lambda function never needs to). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#opening.values()]);
    const connections = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.allSettled(connections.map((connection) => endGracefully(connection.client)));
  }

  /**
   * One statement with a client-side timeout of what is left (at most `statementTimeoutMs`).
   * A statement that passes it leaves the connection busy, so the connection is dropped.
   */
  async #run<Row extends QueryResultRow>(
    role: EndpointRole,
    client: Client,
    text: string,
    values: unknown[],
    deadline: Deadline,
  ): Promise<QueryResult<Row>> {
    const cap = this.#settings.statementTimeoutMs > 0 ? this.#settings.statementTimeoutMs : Number.POSITIVE_INFINITY;
    const budgetMs = stepBudget(deadline, 'the query', cap);
    const timeout = Number.isFinite(budgetMs) ? budgetMs : undefined;
    try {
      return await client.query<Row>({ text, values, query_timeout: timeout } as pg.QueryConfig);
    } catch (error) {
      if (timeout !== undefined && isReadTimeout(error)) {
        this.#markLost(role, client);
        throw new DatabaseTimeoutError('the query', timeout, { cause: error });
      }
      throw error;
    }
  }

  /**
   * A round trip on the connection: the check before reuse, cheap next to opening a new connection.
   * Any failure (closed socket, no answer within the check's budget, or a transaction an earlier
   * invocation left aborted) means "replace it".
   */
  async #isAlive(connection: Connection, deadline: Deadline): Promise<boolean> {
    const budgetMs = stepBudget(deadline, 'the liveness check', LIVENESS_CHECK_TIMEOUT_MS);
    try {
      await connection.client.query({ text: 'SELECT 1', query_timeout: budgetMs } as pg.QueryConfig);
      return true;
    } catch {
      return false;
    }
  }

  #open(role: EndpointRole, deadline: Deadline, context?: string): Promise<Connection> {
    const opening = this.#connect(role, deadline, context).finally(() => this.#opening.delete(role));
    this.#opening.set(role, opening);
    return opening;
  }

  async #connect(role: EndpointRole, deadline: Deadline, context?: string): Promise<Connection> {
    const settings = this.#settings;
    const host = role === 'reader' ? settings.readerHost : settings.host;
    const failure = (reason: string, cause: unknown) =>
      new DatabaseConnectionError(
        `Could not connect to PostgreSQL at ${this.#describe(role)}${context ? ` ${context}` : ''}: ${reason}`,
        { cause },
      );

    // Signing is local, but resolving credentials may not be (a metadata endpoint that never
    // answers): the token gets the connect budget, and the connect whatever is left after it.
    let password: string | undefined;
    try {
      password = await withinStep(deadline, 'issuing the IAM token', settings.connectTimeoutMs, () =>
        this.#passwordProvider({ host, port: settings.port, user: settings.user }),
      );
    } catch (error) {
      throw failure(`no password or IAM token could be issued (${(error as Error).message})`, error);
    }
    const connectBudgetMs = stepBudget(deadline, 'connecting', settings.connectTimeoutMs);

    const client = new pg.Client({
      host,
      port: settings.port,
      database: settings.database,
      user: settings.user,
      password,
      ssl: settings.tlsCa === undefined ? false : { ca: settings.tlsCa, rejectUnauthorized: true },
      connectionTimeoutMillis: connectBudgetMs,
      query_timeout: settings.statementTimeoutMs > 0 ? settings.statementTimeoutMs : undefined,
      application_name: settings.applicationName,
      keepAlive: true,
    });
    const connection: Connection = { client, lost: false, openedAt: Date.now() };
    // Without an 'error' listener a connection the server drops while idle would crash the process.
    client.on('error', (error) => {
      connection.lost = true;
      this.#logger?.warn('Database connection closed by the server', { role, error: error.message });
    });
    client.on('end', () => {
      connection.lost = true;
    });

    try {
      // pg's own timer covers TCP, TLS and login; `within` is the backstop if it ever does not.
      await withinStep(deadline, 'connecting', connectBudgetMs + 250, () => client.connect());
    } catch (error) {
      destroySocket(client);
      throw failure(describeConnectFailure(error), error);
    }
    this.#connections.set(role, connection);
    return connection;
  }

  #markLost(role: EndpointRole, client: Client): void {
    const connection = this.#connections.get(role);
    if (connection?.client === client) this.#discard(role, connection);
  }

  #discard(role: EndpointRole, connection: Connection): void {
    connection.lost = true;
    if (this.#connections.get(role) === connection) this.#connections.delete(role);
    // Not end(): it waits for the server to close its side, which a frozen server never does.
    destroySocket(connection.client);
  }

  #describe(role: EndpointRole): string {
    const { host, readerHost, port, database, user } = this.#settings;
    return `${role === 'reader' ? readerHost : host}:${port} (database "${database}", user "${user}")`;
  }
}

function isReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/** Drops the connection without waiting for the server. */
function destroySocket(client: Client): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  client.end().catch(() => undefined);
}

const GRACEFUL_END_MS = 1000;

/** `end()` when the server answers, the socket destroyed when it does not within a second. */
async function endGracefully(client: Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = client.end().catch(() => undefined);
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      destroySocket(client);
      resolve();
    }, GRACEFUL_END_MS);
  });
  await Promise.race([ended, gaveUp]);
  clearTimeout(timer);
}
