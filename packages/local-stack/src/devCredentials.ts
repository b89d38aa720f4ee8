/** Long-term keys of the local account; the stand-ins accept any. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The credentials every local function runs with; the stand-ins accept any. */
export const DEV_CREDENTIALS: LocalCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The keys of a second (third, …) deployment of one service folder. The gateway knows a presigned
 * URL's policies by the key that signed it: with the first deployment's keys, one stage's URLs would
 * carry the other stage's IoT statements.
 */
export function deploymentCredentials(stage: string): LocalCredentials {
  return { accessKeyId: `local-${stage}`, secretAccessKey: `local-${stage}` };
}
