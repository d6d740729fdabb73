// Command line, environment and datasource handling; no database needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parseArgs } from '../src/cli.mjs';
import { poolConfigFromUrl, resolveDatabaseUrl } from '../src/datasource.mjs';
import { ENGINE_COMMIT } from '../src/version.mjs';
import { QUERY_ENGINE, SCHEMA_PRISMA } from './support/bridge.mjs';

const run = (args, env = {}) =>
  spawnSync(process.execPath, [QUERY_ENGINE, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 20_000 });

test('--version prints the engine commit prisma-client-py 0.11.0 expects', () => {
  const result = run(['--version']);
  assert.equal(result.status, 0);
  assert.equal(result.stdout.trim(), 'query-engine ac9d7041ed77bcc8a8dbd2ab6616b39013829574');
  assert.equal(ENGINE_COMMIT, 'ac9d7041ed77bcc8a8dbd2ab6616b39013829574');
});

test('accepts the flags prisma-client-py passes and rejects unknown ones', () => {
  assert.deepEqual(parseArgs(['-p', '4466', '--enable-metrics', '--enable-raw-queries']).port, 4466);
  assert.equal(parseArgs(['--port=1234']).port, 1234);
  assert.equal(parseArgs([]).host, '127.0.0.1');
  assert.throws(() => parseArgs(['--frobnicate']), /unknown argument "--frobnicate"/);
  assert.throws(() => parseArgs(['-p', 'x']), /--port must be an integer/);
});

test('fails with a clear message when no schema or no database URL is given', () => {
  const noSchema = run(['-p', '0']);
  assert.equal(noSchema.status, 1);
  assert.match(noSchema.stderr, /no schema given: set PRISMA_DML_PATH/);
  const noUrl = run(['-p', '0'], { PRISMA_DML_PATH: SCHEMA_PRISMA });
  assert.equal(noUrl.status, 1);
  assert.match(noUrl.stderr, /DATABASE_URL .* is not set/);
});

const config = (url) => ({ datasources: [{ name: 'db', provider: 'postgresql', activeProvider: 'postgresql', url }] });

test('database URL: OVERWRITE_DATASOURCES beats env(), env() beats nothing', () => {
  const fromEnv = config({ fromEnvVar: 'DATABASE_URL', value: null });
  assert.equal(resolveDatabaseUrl(fromEnv, { DATABASE_URL: 'postgresql://a/b' }), 'postgresql://a/b');
  const overridden = { DATABASE_URL: 'postgresql://a/b', OVERWRITE_DATASOURCES: JSON.stringify([{ name: 'db', url: 'postgresql://c/d' }]) };
  assert.equal(resolveDatabaseUrl(fromEnv, overridden), 'postgresql://c/d');
  assert.equal(resolveDatabaseUrl(config({ fromEnvVar: null, value: 'postgresql://e/f' }), {}), 'postgresql://e/f');
  assert.throws(() => resolveDatabaseUrl(fromEnv, {}), /DATABASE_URL \(the schema's datasource url\) is not set/);
  assert.throws(
    () => resolveDatabaseUrl({ datasources: [{ name: 'db', provider: 'mysql', activeProvider: 'mysql', url: {} }] }, {}),
    /only postgresql is/,
  );
});

test('Prisma URL parameters become pool options and leave the connection string', () => {
  const { poolConfig, schema } = poolConfigFromUrl('postgresql://u:p@h:5432/db?schema=s1&connection_limit=7&pool_timeout=3&sslmode=require&application_name=x');
  assert.equal(schema, 's1');
  assert.equal(poolConfig.max, 7);
  assert.equal(poolConfig.connectionTimeoutMillis, 3000);
  assert.deepEqual(poolConfig.ssl, { rejectUnauthorized: false });
  const params = new URL(poolConfig.connectionString).searchParams;
  assert.equal(params.get('application_name'), 'x');
  assert.equal(params.get('options'), '-c search_path="s1"');
  for (const gone of ['schema', 'connection_limit', 'pool_timeout', 'sslmode']) assert.equal(params.has(gone), false, gone);

  assert.equal(poolConfigFromUrl('postgresql://h/db?sslmode=disable').poolConfig.ssl, false);
  assert.equal(poolConfigFromUrl('postgresql://h/db?sslmode=verify-full').poolConfig.ssl.rejectUnauthorized, true);
  assert.throws(() => poolConfigFromUrl('mysql://h/db'), /must start with postgresql:\/\//);
});

test('the engine has Web Crypto for generated ids also where Node has no global one (Node 18)', () => {
  const engine = new URL('../src/engine.mjs', import.meta.url).href;
  const script = `delete globalThis.crypto; await import(${JSON.stringify(engine)});
    console.log(typeof globalThis.crypto.getRandomValues, globalThis.crypto.randomUUID().length);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'function 36');
});
