// Leveled logging to stderr. prisma-client-py passes the engine's stderr
// through to its host process and sets RUST_LOG (error, or info with DEBUG),
// so the same variable picks the level here.

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

export function levelFromEnv(env) {
  const wanted = (env.PRISMA_BRIDGE_LOG ?? env.RUST_LOG ?? 'error').toLowerCase();
  // RUST_LOG may be a directive list such as "info,quaint=debug".
  const level = wanted.split(',').map((part) => part.trim()).find((part) => part in LEVELS);
  return level ?? 'error';
}

export function createLogger(level = 'error', write = (line) => process.stderr.write(line)) {
  const threshold = LEVELS[level] ?? 0;
  const log = {};
  for (const [name, rank] of Object.entries(LEVELS)) {
    log[name] = (message) => {
      if (rank <= threshold) write(`prisma-bridge ${name}: ${message}\n`);
    };
  }
  log.level = level;
  return log;
}
