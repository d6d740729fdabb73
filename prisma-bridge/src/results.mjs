// Shapes the wasm engine's JSON-protocol answers into what the query-engine
// binary answered prisma-client-py over GraphQL: results under the request's
// alias, values untagged (Json as JSON text, BigInt as a string, Decimal as a
// number, DateTime as an ISO string), raw query rows as
// {column: {prisma__type, prisma__value}}, and every error in the
// {"errors": [{error, user_facing_error}]} envelope.

function untag(value) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(untag);
  if (typeof value.$type === 'string' && 'value' in value) {
    return value.$type === 'Decimal' ? Number(value.value) : value.value;
  }
  const out = {};
  for (const key of Object.keys(value)) out[key] = untag(value[key]);
  return out;
}

function typedCell(type, value) {
  if (value === null) return { prisma__type: 'null', prisma__value: null };
  if (type.endsWith('-array')) {
    const itemType = type.slice(0, -'-array'.length);
    return { prisma__type: 'array', prisma__value: value.map((item) => typedCell(itemType, item)) };
  }
  return { prisma__type: type, prisma__value: value };
}

/** {columns, types, rows} -> [{column: {prisma__type, prisma__value}}] */
export function rawRows(result) {
  const { columns, types, rows } = result;
  return rows.map((row) => {
    const record = {};
    columns.forEach((column, i) => {
      record[column] = typedCell(types[i], row[i]);
    });
    return record;
  });
}

/** Reshapes one {data: {<field>: ...}} answer for the request's alias. */
export function shapeData(answer, translated) {
  if (answer.errors) return { errors: answer.errors.map(normalizeError) };
  const value = answer.data?.[translated.field];
  const result = translated.action === 'queryRaw' ? rawRows(value) : untag(value);
  return { data: { [translated.alias]: result } };
}

export function shapeBatch(answer, translatedQueries) {
  if (answer.errors) return { errors: answer.errors.map(normalizeError) };
  return { batchResult: answer.batchResult.map((item, i) => shapeData(item, translatedQueries[i])) };
}

// The transaction API answers errors as a bare user-facing error object.
export function normalizeError(error) {
  if (error && typeof error === 'object' && 'user_facing_error' in error) return error;
  const userFacing = error && typeof error === 'object' ? error : { is_panic: false, message: String(error), meta: {} };
  const message = userFacing.meta?.error ?? userFacing.message;
  return { error: message, user_facing_error: userFacing };
}

/** An error prisma-client-py raises as prisma.errors.DataError with this message. */
export function bridgeError(message, { isPanic = false, code = undefined, meta = {} } = {}) {
  const userFacing = { is_panic: isPanic, message, meta };
  if (code) userFacing.error_code = code;
  return { errors: [{ error: message, user_facing_error: userFacing }] };
}
