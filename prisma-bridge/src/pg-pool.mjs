// node-postgres pool for @prisma/adapter-pg 5.17 with three additions:
//
// * Result columns of types the adapter rejects (`name` from the catalogs and
//   information_schema, `"char"`, `regclass`, `interval`, ...) are reported as
//   text, which is what the native engine did for raw queries, instead of
//   failing the whole query with "Unsupported column type".
// * Checked-out clients are tracked so a dead engine's connections can be
//   destroyed instead of leaking out of the pool.
// * A checked-out client the server ends (a PostgreSQL restart) fails its own
//   transaction instead of the whole engine.

import pg from 'pg';
import { parse as parseArray } from 'postgres-array';

const TEXT = 25;
const TEXT_ARRAY = 1009;

// Column type OIDs @prisma/adapter-pg 5.17 maps itself (see its conversion.ts).
const ADAPTER_SCALARS = new Set([
  16, 17, 20, 21, 23, 25, 26, 114, 142, 650, 700, 701, 790, 869, 1042, 1043, 1082, 1083, 1114, 1184, 1266, 1560,
  1562, 1700, 2950, 3802,
]);
const ADAPTER_ARRAYS = new Set([
  143, 199, 651, 791, 1000, 1001, 1002, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1028, 1041, 1115, 1182,
  1183, 1231, 1561, 1563, 2951, 3807,
]);
// Array types of catalog scalars the adapter does not know, e.g. name[].
const UNKNOWN_ARRAYS = new Set([1003, 1008, 1010, 1011, 1012, 1013, 1017, 1018, 1019, 1020, 1027, 1034, 1040, 1187, 2201, 2210, 2211]);

const isUserDefined = (oid) => oid >= 10000; // enums and domains; the adapter reads them as text

function textifyColumn(fields, rows, index) {
  const field = fields[index];
  const oid = field.dataTypeID;
  if (ADAPTER_SCALARS.has(oid) || ADAPTER_ARRAYS.has(oid) || isUserDefined(oid)) return;
  const isArray = UNKNOWN_ARRAYS.has(oid);
  field.dataTypeID = isArray ? TEXT_ARRAY : TEXT;
  for (const row of rows) {
    const cell = row[index];
    if (cell === null || cell === undefined) continue;
    if (isArray) {
      row[index] = (typeof cell === 'string' ? parseArray(cell) : cell).map((item) => (item === null ? null : String(item)));
    } else if (typeof cell !== 'string') {
      row[index] = typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
    }
  }
}

function textifyUnsupportedColumns(result) {
  // Multi-statement queries answer an array of results.
  for (const one of Array.isArray(result) ? result : [result]) {
    if (!one?.fields || !Array.isArray(one.rows) || one.rows.some((row) => !Array.isArray(row))) continue;
    for (let i = 0; i < one.fields.length; i += 1) textifyColumn(one.fields, one.rows, i);
  }
  return result;
}

function withTextFallback(client) {
  if (client.__bridgeWrapped) return client;
  const query = client.query.bind(client);
  client.query = (...args) => {
    const pending = query(...args);
    return typeof pending?.then === 'function' ? pending.then(textifyUnsupportedColumns) : pending;
  };
  client.__bridgeWrapped = true;
  return client;
}

export class BridgePool extends pg.Pool {
  constructor(config) {
    super(config);
    this.checkedOut = new Set();
  }

  async query(...args) {
    return textifyUnsupportedColumns(await super.query(...args));
  }

  async connect(...args) {
    if (args.length > 0) return super.connect(...args); // callback style is not used by the adapter
    const client = withTextFallback(await super.connect());
    this.checkedOut.add(client);
    // The pool listens for errors of idle clients only. A checked-out one the server ends
    // between statements (a PostgreSQL restart, inside a transaction) emits 'error' with
    // no listener, which would end the engine: report it as the pool's and drop the client.
    let ended;
    const onError = (error) => {
      ended = error;
      this.emit('error', error, client);
    };
    client.on('error', onError);
    const release = client.release;
    client.release = (err) => {
      this.checkedOut.delete(client);
      client.removeListener('error', onError);
      client.release = release;
      return release.call(client, err ?? ended);
    };
    return client;
  }

  /** Ends the pool, destroying connections still held by abandoned transactions. */
  async destroy() {
    for (const client of this.checkedOut) client.release(new Error('query engine restarted'));
    this.checkedOut.clear();
    await this.end();
  }
}
