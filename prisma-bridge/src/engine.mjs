// Lifecycle of Prisma's wasm query engine on a node-postgres pool.
//
// A Rust panic inside the wasm module traps ("RuntimeError: unreachable") and
// leaves that module instance unusable; when it happens inside an async task
// the trap surfaces as an uncaught exception and the pending calls never
// settle. So every call is tracked per instance: on a trap the instance is
// declared dead, its pending calls are rejected, its connections destroyed,
// and the next call starts a fresh instance (new wasm memory and a fresh copy
// of the JS glue module, whose state is module-global).

import fs from 'node:fs';
import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { bindAdapter } from '@prisma/driver-adapter-utils';
import { PrismaPg } from '@prisma/adapter-pg';
import { BridgePool } from './pg-pool.mjs';
import { resolveExternalErrors } from './external-errors.mjs';

// The engine draws generated ids (uuid(), cuid()) from Web Crypto; Node 18 (Debian
// bookworm's) has it only as node:crypto's webcrypto, not as a global, and panics without.
globalThis.crypto ??= webcrypto;

const require = createRequire(import.meta.url);
const WASM_DIR = new URL('.', pathToFileURL(require.resolve('@prisma/query-engine-wasm/package.json'))).href + 'postgresql/';
const TRACE = '{}';
const MAX_REMEMBERED_TRANSACTIONS = 10_000;

export class EnginePanic extends Error {}

export const TRANSACTION_NOT_FOUND =
  'Transaction not found. Transaction ID is invalid, refers to an old closed transaction Prisma doesn\'t have information about anymore, or was obtained before disconnecting.';

let compiledModule;
function wasmModule() {
  compiledModule ??= new WebAssembly.Module(fs.readFileSync(new URL('query_engine_bg.wasm', WASM_DIR)));
  return compiledModule;
}

export function isWasmTrap(error) {
  return error instanceof WebAssembly.RuntimeError;
}

export class WasmEngine {
  /**
   * @param {object} options
   * @param {string} options.datamodel the Prisma schema text
   * @param {{poolConfig: object, schema?: string}} options.database
   * @param {object} options.log a logger from log.mjs
   * @param {boolean} [options.logQueries]
   */
  constructor({ datamodel, database, log, logQueries = false }) {
    this.datamodel = datamodel;
    this.database = database;
    this.log = log;
    this.logQueries = logQueries;
    this.generation = 0;
    this.instance = null;
    this.starting = null;
    this.stopped = false;
  }

  async start() {
    await this.ensureInstance();
  }

  async ensureInstance() {
    if (this.stopped) throw new Error('query engine is stopped');
    if (this.instance && !this.instance.dead) return this.instance;
    this.starting ??= this.createInstance().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  async createInstance() {
    this.generation += 1;
    const generation = this.generation;
    // A fresh glue module per instance: its wasm handle and object heap are module-level.
    const glue = await import(`${WASM_DIR}query_engine_bg.js?instance=${generation}`);
    glue.__wbg_set_wasm(new WebAssembly.Instance(wasmModule(), { './query_engine_bg.js': glue }).exports);

    const pool = new BridgePool(this.database.poolConfig);
    pool.on('error', (error) => this.log.warn(`idle database connection failed: ${error.message}`));
    const adapter = bindAdapter(new PrismaPg(pool, { schema: this.database.schema }));
    const engine = new glue.QueryEngine(
      { datamodel: this.datamodel, logLevel: this.log.level, logQueries: this.logQueries },
      (line) => this.forwardLog(line),
      adapter,
    );
    // Ids of transactions this instance started, open or closed: the engine
    // answers closed ones itself but can panic on ids it never issued.
    const instance = { generation, glue, engine, pool, adapter, pending: new Set(), transactions: new Set(), dead: false };
    this.instance = instance;
    try {
      await this.track(instance, () => engine.connect(TRACE));
    } catch (error) {
      instance.dead = true;
      await instance.pool.destroy().catch(() => {});
      throw error;
    }
    this.log.info(`wasm query engine instance ${generation} connected`);
    // The engine connects lazily; say early (without delaying start-up) if the database is unreachable.
    pool.query('SELECT 1').catch((error) => this.log.warn(`database not reachable yet: ${error.message}`));
    return instance;
  }

  forwardLog(line) {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      this.log.info(line);
      return;
    }
    if (event.query !== undefined) {
      this.log.info(`query ${event.query} params=${event.params ?? '[]'} duration_ms=${event.duration_ms ?? '?'}`);
      return;
    }
    const level = String(event.level ?? 'info').toLowerCase();
    const message = event.message ?? line;
    (this.log[level] ?? this.log.info)(String(message));
  }

  // Runs one engine call, making sure it settles even if the instance dies.
  track(instance, call) {
    return new Promise((resolve, reject) => {
      const entry = { reject };
      instance.pending.add(entry);
      const settle = (fn) => (value) => {
        instance.pending.delete(entry);
        fn(value);
      };
      let promise;
      try {
        promise = Promise.resolve(call());
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(settle(resolve), (error) => {
        if (isWasmTrap(error)) this.markDead(instance, error);
        settle(reject)(isWasmTrap(error) ? new EnginePanic(`query engine panicked: ${error.message}`) : error);
      });
    });
  }

  /**
   * Called for traps that escape as uncaught exceptions. The glue module's URL
   * in the stack names the instance; a late trap from an instance already
   * replaced must not take the new one down.
   */
  onUncaughtTrap(error) {
    const generation = Number(/query_engine_bg\.js\?instance=(\d+)/.exec(error.stack ?? '')?.[1]);
    const instance = this.instance;
    if (instance && (!generation || generation === instance.generation)) this.markDead(instance, error);
  }

  markDead(instance, error) {
    if (instance.dead) return;
    instance.dead = true;
    this.log.error(`wasm query engine instance ${instance.generation} panicked (${error.message}); the next request starts a new one`);
    const panic = new EnginePanic(`query engine panicked: ${error.message}`);
    for (const entry of instance.pending) entry.reject(panic);
    instance.pending.clear();
    instance.pool.destroy().catch((poolError) => this.log.warn(`closing the dead engine's pool failed: ${poolError.message}`));
  }

  async query(body, txId) {
    const instance = await this.ensureInstance();
    if (txId !== undefined && !instance.transactions.has(txId)) return null; // caller answers "not found"
    return this.answer(instance, () => instance.engine.query(body, TRACE, txId));
  }

  // An engine call whose answer has driver errors put back in.
  async answer(instance, call) {
    return resolveExternalErrors(await this.track(instance, call), instance.adapter.errorRegistry);
  }

  async startTransaction(body) {
    const instance = await this.ensureInstance();
    const answer = await this.answer(instance, () => instance.engine.startTransaction(body, TRACE));
    const id = JSON.parse(answer).id;
    if (id) {
      instance.transactions.add(id);
      if (instance.transactions.size > MAX_REMEMBERED_TRANSACTIONS) {
        instance.transactions.delete(instance.transactions.values().next().value);
      }
    }
    return answer;
  }

  async endTransaction(kind, txId) {
    const instance = await this.ensureInstance();
    if (!instance.transactions.has(txId)) return null;
    const call = kind === 'commit' ? 'commitTransaction' : 'rollbackTransaction';
    return this.answer(instance, () => instance.engine[call](txId, TRACE));
  }

  /**
   * Test hook: a real trap. The engine panics when a model query names a
   * transaction id shorter than its ids (the bridge never lets unknown ids through).
   */
  async panicForTests(modelName) {
    const instance = await this.ensureInstance();
    const body = JSON.stringify({ modelName, action: 'aggregate', query: { arguments: {}, selection: { _count: { selection: { _all: true } } } } });
    return this.track(instance, () => instance.engine.query(body, TRACE, 'x'));
  }

  async stop() {
    this.stopped = true;
    const instance = this.instance;
    this.instance = null;
    if (!instance || instance.dead) return;
    try {
      await instance.engine.disconnect(TRACE);
    } catch (error) {
      this.log.warn(`disconnecting the query engine failed: ${error.message}`);
    }
    await instance.pool.destroy();
  }
}
