/** The credentials every local function runs with; the stand-ins accept any. */
export const DEV_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
