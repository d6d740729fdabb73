// The query-engine binary's HTTP API as prisma-client-py 0.11 uses it:
//   GET  /status                         readiness probe
//   POST /                               one GraphQL request, or {"batch": [...], "transaction": ...}
//   POST /transaction/start              {"timeout": ms, "max_wait": ms} -> {"id": ...}
//   POST /transaction/{id}/commit|rollback
//   GET  /metrics?format=json|prometheus
// Requests carrying an X-transaction-id header run inside that transaction.
// Query-level failures answer 200 with {"errors": [...]}, like the binary,
// because prisma-client-py maps only those to its exception classes.

import http from 'node:http';
import { translateQuery } from './graphql-to-json.mjs';
import { UnsupportedQueryError } from './graphql.mjs';
import { bridgeError, normalizeError, shapeBatch, shapeData } from './results.mjs';
import { EnginePanic, TRANSACTION_NOT_FOUND } from './engine.mjs';

const transactionNotFound = () => bridgeError(`Transaction API error: ${TRANSACTION_NOT_FOUND}`, { code: 'P2028', meta: { error: TRANSACTION_NOT_FOUND } });

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response, status, body, contentType = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

// Turns any failure of a request into the error envelope prisma-client-py reads.
function errorAnswer(error, log) {
  if (error instanceof UnsupportedQueryError) {
    log.error(`unsupported query: ${error.message}`);
    return bridgeError(`prisma-bridge cannot run this query: ${error.message}`, { meta: { bridge: 'unsupported' } });
  }
  if (error instanceof EnginePanic) return bridgeError(error.message, { isPanic: true });
  // The engine rejects with a JSON user-facing error for some failures.
  try {
    const parsed = JSON.parse(error.message);
    if (parsed && typeof parsed === 'object' && 'message' in parsed) return { errors: [normalizeError(parsed)] };
  } catch {
    // not JSON: fall through
  }
  log.error(`request failed: ${error.stack ?? error.message}`);
  return bridgeError(`prisma-bridge: ${error.message}`);
}

export function createServer({ engine, schema, log, testHooks = false }) {
  async function runQuery(bodyText, txId) {
    const request = JSON.parse(bodyText);
    if (Array.isArray(request.batch)) {
      const translated = request.batch.map((item) => translateQuery(item.query, schema));
      const batch = { batch: translated.map((item) => item.query) };
      // Inside an interactive transaction the batch already runs atomically.
      if (request.transaction && txId === undefined) {
        batch.transaction = typeof request.transaction === 'object' ? request.transaction : {};
      }
      const answer = await engine.query(JSON.stringify(batch), txId);
      return answer === null ? transactionNotFound() : shapeBatch(JSON.parse(answer), translated);
    }
    const translated = translateQuery(request.query, schema);
    const answer = await engine.query(JSON.stringify(translated.query), txId);
    return answer === null ? transactionNotFound() : shapeData(JSON.parse(answer), translated);
  }

  async function endTransaction(kind, txId) {
    const answer = await engine.endTransaction(kind, txId);
    if (answer === null) return transactionNotFound();
    const parsed = JSON.parse(answer);
    if (parsed.errors) return { errors: parsed.errors.map(normalizeError) };
    if (parsed.error_code || parsed.is_panic !== undefined) return { errors: [normalizeError(parsed)] };
    return parsed;
  }

  async function route(request) {
    const url = new URL(request.url, 'http://localhost');
    const method = request.method;
    const body = method === 'POST' ? await readBody(request) : '';
    const txHeader = request.headers['x-transaction-id'];
    const txId = typeof txHeader === 'string' && txHeader !== '' ? txHeader : undefined;

    if (method === 'GET' && url.pathname === '/status') return [200, { status: 'ok' }];
    if (method === 'POST' && url.pathname === '/') return [200, await runQuery(body, txId)];
    if (method === 'POST' && url.pathname === '/transaction/start') {
      const parsed = JSON.parse(await engine.startTransaction(body || '{}'));
      return [200, parsed.id ? { id: parsed.id } : { errors: (parsed.errors ?? [parsed]).map(normalizeError) }];
    }
    const txMatch = /^\/transaction\/([^/]+)\/(commit|rollback)$/.exec(url.pathname);
    if (method === 'POST' && txMatch) return [200, await endTransaction(txMatch[2], decodeURIComponent(txMatch[1]))];
    if (method === 'GET' && url.pathname === '/metrics') {
      // The wasm engine keeps no metrics; answer the documented empty shapes.
      if (url.searchParams.get('format') === 'prometheus') return [200, '', 'text/plain'];
      return [200, { counters: [], gauges: [], histograms: [] }];
    }
    if (testHooks && method === 'POST' && url.pathname === '/_bridge/panic') {
      const model = [...schema.rootFields.values()].find((field) => field.model)?.model;
      return [200, await engine.panicForTests(model)];
    }
    return [404, { error: `prisma-bridge: no route for ${method} ${url.pathname}` }];
  }

  return http.createServer((request, response) => {
    route(request)
      .then(([status, body, contentType]) => send(response, status, body, contentType))
      .catch((error) => {
        if (error instanceof SyntaxError) return send(response, 400, { error: `prisma-bridge: malformed JSON body: ${error.message}` });
        return send(response, 200, errorAnswer(error, log));
      });
  });
}
