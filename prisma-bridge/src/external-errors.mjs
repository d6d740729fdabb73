// The wasm engine reports errors thrown by the driver adapter (node-postgres:
// connection refused, pool timeout, ...) as P2036 "Error in external connector
// (id N)" and keeps the JS error in the adapter's registry under N. This puts
// the real cause back into the answer, with the error codes the native engine
// used for the same conditions.

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

function describe(error) {
  if (error && UNREACHABLE.has(error.code)) {
    return { error_code: 'P1001', message: `Can't reach database server: ${error.message}` };
  }
  if (error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) {
    return { error_code: 'P2024', message: `Timed out fetching a new connection from the connection pool (${error.message})` };
  }
  const text = error instanceof Error ? error.message : JSON.stringify(error);
  return { error_code: 'P2036', message: `Error in external connector: ${text}` };
}

function rewrite(userFacing, registry) {
  if (userFacing?.error_code !== 'P2036' || typeof userFacing.meta?.id !== 'number') return false;
  const entry = registry.consumeError(userFacing.meta.id);
  if (!entry) return false;
  registry.registeredErrors[userFacing.meta.id] = undefined; // 5.17's registry never frees its slots
  const { error_code: code, message } = describe(entry.error);
  userFacing.error_code = code;
  userFacing.message = message;
  userFacing.meta = { ...userFacing.meta, cause: message };
  return true;
}

/** Rewrites P2036 errors in an engine answer (JSON text); returns JSON text. */
export function resolveExternalErrors(answer, registry) {
  if (!registry || !answer.includes('P2036')) return answer;
  const parsed = JSON.parse(answer);
  let changed = false;
  for (const entry of parsed.errors ?? []) {
    if (rewrite(entry.user_facing_error, registry)) {
      entry.error = entry.user_facing_error.message;
      changed = true;
    }
  }
  for (const item of parsed.batchResult ?? []) {
    for (const entry of item.errors ?? []) {
      if (rewrite(entry.user_facing_error, registry)) {
        entry.error = entry.user_facing_error.message;
        changed = true;
      }
    }
  }
  if (rewrite(parsed, registry)) changed = true; // transaction API: a bare user-facing error
  return changed ? JSON.stringify(parsed) : answer;
}
