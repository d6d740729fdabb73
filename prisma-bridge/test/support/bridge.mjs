// Starts bin/query-engine against a throwaway PostgreSQL schema created from
// fixtures/schema.sql, the way prisma-client-py spawns the native engine.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { after, before } from 'node:test';

const BRIDGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const QUERY_ENGINE = `${BRIDGE_DIR}bin/query-engine`;
export const SCHEMA_PRISMA = fileURLToPath(new URL('../fixtures/schema.prisma', import.meta.url));
const SCHEMA_SQL = fileURLToPath(new URL('../fixtures/schema.sql', import.meta.url));

export function databaseUrl() {
  const url = process.env.BRIDGE_TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'BRIDGE_TEST_DATABASE_URL is not set: point it at a PostgreSQL database these tests may create ' +
        'and drop schemas in, e.g. BRIDGE_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/postgres',
    );
  }
  return url;
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

/** A fresh schema holding the fixture tables; `url` selects it Prisma-style. */
export async function createTestSchema() {
  const base = databaseUrl();
  const name = `bridge_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${name}"`);
    await client.query(`SET search_path TO "${name}"`);
    await client.query(fs.readFileSync(SCHEMA_SQL, 'utf8'));
  } finally {
    await client.end();
  }
  const url = new URL(base);
  url.searchParams.set('schema', name);
  return {
    name,
    url: url.toString(),
    async sql(text, values) {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`SET search_path TO "${name}"`);
        return (await c.query(text, values)).rows;
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA "${name}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A port nothing listens on right now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns the bridge like prisma-client-py does and waits for /status. */
export async function startBridge({ databaseUrl: url, env = {} } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [QUERY_ENGINE, '-p', String(port), '--enable-metrics', '--enable-raw-queries'], {
    env: {
      ...process.env,
      PRISMA_DML_PATH: SCHEMA_PRISMA,
      DATABASE_URL: url,
      RUST_LOG: 'error',
      RUST_LOG_FORMAT: 'json',
      PRISMA_CLIENT_ENGINE_TYPE: 'binary',
      PRISMA_ENGINE_PROTOCOL: 'graphql',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const baseUrl = `http://127.0.0.1:${port}`;

  const request = async (path, { method = 'POST', body, headers = {} } = {}) => {
    const response = await fetch(baseUrl + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  };

  await Promise.race([
    waitFor(async () => (await request('/status', { method: 'GET' })).json?.status === 'ok', 20_000, 'the bridge to answer /status'),
    exited.then(({ code }) => {
      throw new Error(`the bridge exited with code ${code} before answering /status:\n${stderr}`);
    }),
  ]);

  return {
    baseUrl,
    child,
    stderr: () => stderr,
    request,
    /** POST / with one GraphQL query, optionally inside a transaction. */
    async query(text, { txId } = {}) {
      const headers = txId ? { 'X-transaction-id': txId } : {};
      return (await request('/', { body: { query: text, variables: {}, operation_name: text.split(' ')[0] }, headers })).json;
    },
    async stop() {
      if (child.exitCode !== null) return exited;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

// A bridge on a fresh test schema for the whole test file: `ctx.bridge`, `ctx.db`;
// `setup(ctx)` runs once both are up.
export function useBridgeOnTestSchema({ env = {}, setup } = {}) {
  const ctx = {};
  before(async () => {
    ctx.db = await createTestSchema();
    ctx.bridge = await startBridge({ databaseUrl: ctx.db.url, env });
    await setup?.(ctx);
  });
  after(async () => {
    await ctx.bridge?.stop();
    await ctx.db?.drop();
  });
  return ctx;
}
