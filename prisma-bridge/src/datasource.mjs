// Finds the database URL the way the query-engine binary does and turns a
// Prisma-style PostgreSQL URL into a node-postgres pool configuration.
//
// Precedence: OVERWRITE_DATASOURCES (prisma-client-py's `datasource=` option)
// over the schema datasource's url, which is either a literal or env("VAR").

import fs from 'node:fs';
import path from 'node:path';

export class DatasourceError extends Error {}

export function resolveDatabaseUrl(config, env) {
  const datasource = config.datasources?.[0];
  if (!datasource) throw new DatasourceError('the schema has no datasource block');
  if (!['postgresql', 'postgres'].includes(datasource.activeProvider ?? datasource.provider)) {
    throw new DatasourceError(`datasource provider "${datasource.provider}" is not supported; only postgresql is`);
  }

  if (env.OVERWRITE_DATASOURCES) {
    let overrides;
    try {
      overrides = JSON.parse(env.OVERWRITE_DATASOURCES);
    } catch (error) {
      throw new DatasourceError(`OVERWRITE_DATASOURCES is not valid JSON: ${error.message}`);
    }
    const override = overrides.find((entry) => entry.name === datasource.name) ?? overrides[0];
    if (override?.url) return override.url;
  }

  const { fromEnvVar, value } = datasource.url ?? {};
  if (fromEnvVar) {
    const url = env[fromEnvVar];
    if (!url) throw new DatasourceError(`environment variable ${fromEnvVar} (the schema's datasource url) is not set`);
    return url;
  }
  if (!value) throw new DatasourceError('the schema datasource has no url');
  return value;
}

// Query parameters Prisma understands that libpq/node-postgres do not.
const PRISMA_ONLY_PARAMS = [
  'schema',
  'connection_limit',
  'pool_timeout',
  'connect_timeout',
  'socket_timeout',
  'pgbouncer',
  'statement_cache_size',
  'sslmode',
  'sslaccept',
  'sslcert',
  'sslidentity',
  'sslpassword',
];

function seconds(value, name) {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new DatasourceError(`${name} must be a number of seconds, got "${value}"`);
  return number;
}

function sslOptions(params, baseDir) {
  const mode = params.get('sslmode') ?? 'prefer';
  if (mode === 'disable') return false;
  // "prefer" falls back to plain connections when the server has no TLS;
  // node-postgres cannot fall back, so it connects in plain text.
  if (mode === 'prefer') return undefined;
  // Prisma only encrypts for prefer/require unless sslaccept=strict; libpq's
  // verify-* modes always verify.
  const verify = mode.startsWith('verify') || params.get('sslaccept') === 'strict';
  const ssl = { rejectUnauthorized: verify };
  const readFile = (file) => fs.readFileSync(path.resolve(baseDir, file));
  if (params.get('sslcert')) ssl.ca = readFile(params.get('sslcert'));
  if (params.get('sslidentity')) {
    ssl.pfx = readFile(params.get('sslidentity'));
    if (params.get('sslpassword')) ssl.passphrase = params.get('sslpassword');
  }
  return ssl;
}

/**
 * @param {string} url a postgresql:// URL as Prisma accepts it
 * @param {string} baseDir directory relative certificate paths resolve against
 * @returns {{ poolConfig: object, schema: string | undefined }}
 */
export function poolConfigFromUrl(url, baseDir = process.cwd()) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatasourceError('the database URL is not a valid URL');
  }
  if (!['postgresql:', 'postgres:'].includes(parsed.protocol)) {
    throw new DatasourceError(`the database URL must start with postgresql:// (got ${parsed.protocol}//)`);
  }
  const params = parsed.searchParams;
  const poolConfig = {};
  if (params.has('connection_limit')) poolConfig.max = Math.max(1, Math.floor(seconds(params.get('connection_limit'), 'connection_limit')));
  const waitSeconds = params.get('pool_timeout') ?? params.get('connect_timeout');
  // Prisma waits 10 s for a pool connection by default; 0 means forever.
  poolConfig.connectionTimeoutMillis = waitSeconds === null ? 10_000 : seconds(waitSeconds, 'pool_timeout') * 1000;
  if (params.has('socket_timeout')) poolConfig.query_timeout = seconds(params.get('socket_timeout'), 'socket_timeout') * 1000;
  const ssl = sslOptions(params, baseDir);
  if (ssl !== undefined) poolConfig.ssl = ssl;
  const schema = params.get('schema') ?? undefined;
  if (schema) {
    // Like the native engine, make the schema the search_path so raw SQL with
    // unqualified table names finds the same tables the models use.
    const quoted = `"${schema.replaceAll('"', '""')}"`.replaceAll(' ', '\\ ');
    const searchPath = `-c search_path=${quoted}`;
    params.set('options', [params.get('options'), searchPath].filter(Boolean).join(' '));
  }

  for (const name of PRISMA_ONLY_PARAMS) params.delete(name);
  poolConfig.connectionString = parsed.toString();
  return { poolConfig, schema };
}
