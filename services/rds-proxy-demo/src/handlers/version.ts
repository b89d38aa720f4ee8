import { database } from './database.js';

/** `osls invoke -f version`: the PostgreSQL version behind the proxy, proving auth, TLS and routing. */
export const handler = async (): Promise<{ version: string }> => {
  const { rows } = await database.query<{ version: string }>('SELECT version() AS version');
  return { version: rows[0]?.version ?? 'unknown' };
};
