// Command line of bin/query-engine: the flags and environment prisma-client-py
// 0.11 gives the query-engine binary (`-p PORT --enable-metrics
// --enable-raw-queries`, PRISMA_DML_PATH, OVERWRITE_DATASOURCES, LOG_QUERIES,
// RUST_LOG). `--version` is answered by bin/query-engine before this loads.

import fs from 'node:fs';
import path from 'node:path';
import { createLogger, levelFromEnv } from './log.mjs';
import { loadSchemaInfo } from './schema-index.mjs';
import { poolConfigFromUrl, resolveDatabaseUrl } from './datasource.mjs';
import { isWasmTrap, WasmEngine } from './engine.mjs';
import { createServer } from './server.mjs';
import { ENGINE_COMMIT } from './version.mjs';

const IGNORED_FLAGS = new Set([
  '--enable-raw-queries',
  '--enable-metrics',
  '--enable-playground',
  '--enable-open-telemetry',
  '--enable-telemetry-in-response',
  '--debug',
  '-r',
  '-m',
  '-g',
]);

export class UsageError extends Error {}

export function parseArgs(argv) {
  const options = { host: '127.0.0.1', port: 4466, datamodelPath: undefined, logQueries: false, version: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      i += 1;
      if (i >= argv.length) throw new UsageError(`${flag} needs a value`);
      return argv[i];
    };
    if (flag === '--version' || flag === '-V') options.version = true;
    else if (flag === '--port' || flag === '-p') options.port = Number(value());
    else if (flag === '--host' || flag === '-H') options.host = value();
    else if (flag === '--datamodel-path') options.datamodelPath = value();
    else if (flag === '--log-queries' || flag === '-o') options.logQueries = true;
    else if (IGNORED_FLAGS.has(flag)) continue;
    else if (flag === 'cli') throw new UsageError('the "cli" subcommands of the native engine are not supported by prisma-bridge');
    else throw new UsageError(`unknown argument "${arg}"`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new UsageError('--port must be an integer between 0 and 65535');
  }
  return options;
}

function readDatamodel(options, env) {
  const file = options.datamodelPath ?? env.PRISMA_DML_PATH;
  if (file) return { datamodel: fs.readFileSync(file, 'utf8'), schemaDir: path.dirname(path.resolve(file)) };
  if (env.PRISMA_DML) return { datamodel: Buffer.from(env.PRISMA_DML, 'base64').toString('utf8'), schemaDir: process.cwd() };
  throw new UsageError('no schema given: set PRISMA_DML_PATH or pass --datamodel-path');
}

export async function main(argv = process.argv.slice(2), env = process.env) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`prisma-bridge query-engine: ${error.message}\n`);
    return 2;
  }
  if (options.version) {
    process.stdout.write(`query-engine ${ENGINE_COMMIT}\n`);
    return 0;
  }

  const log = createLogger(levelFromEnv(env));
  const started = performance.now();
  const { datamodel, schemaDir } = readDatamodel(options, env);
  const { config, schema } = loadSchemaInfo(datamodel, { env, log });
  const database = poolConfigFromUrl(resolveDatabaseUrl(config, env), schemaDir);
  const engine = new WasmEngine({ datamodel, database, log, logQueries: options.logQueries || Boolean(env.LOG_QUERIES) });
  await engine.start();

  // Traps inside the engine's async tasks escape as uncaught exceptions.
  const onTrap = (error) => {
    if (!isWasmTrap(error)) {
      log.error(`fatal: ${error.stack ?? error}`);
      process.exit(1);
    }
    engine.onUncaughtTrap(error);
  };
  process.on('uncaughtException', onTrap);
  process.on('unhandledRejection', onTrap);

  const server = createServer({ engine, schema, log, testHooks: env.PRISMA_BRIDGE_TEST_HOOKS === '1' });
  server.keepAliveTimeout = 0; // like the native engine: clients decide when to drop idle connections
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address();
  log.info(`listening on http://${options.host}:${port} after ${Math.round(performance.now() - started)} ms`);

  const shutdown = () => {
    server.close();
    server.closeAllConnections?.();
    engine.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // prisma-client-py stops the engine with SIGINT; if its process dies first
  // (SIGKILL), do not linger as an orphan holding database connections.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      log.warn('the process that started the engine is gone; exiting');
      shutdown();
    }
  }, 1000).unref();
  return undefined;
}
