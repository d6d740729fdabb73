// Writes GraphQL the way prisma-client-py 0.11's QueryBuilder does: values as
// JSON literals, objects as `{ key: value }` blocks, lists comma-separated,
// Json fields as a JSON string, one aliased root field named `result`.

export class RawNumber {
  constructor(text) {
    this.text = text;
  }
}

/** A number written verbatim, e.g. a BigInt beyond double precision. */
export const rawNumber = (text) => new RawNumber(text);

/** The builder's rendering of a `fields.Json` value: a string holding JSON. */
export const json = (value) => JSON.stringify(value);

function indent(text) {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function value(v) {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[\n${indent(v.map(value).join(',\n'))}\n]`;
  if (v !== null && typeof v === 'object') return `{\n${indent(entries(v))}\n}`;
  return JSON.stringify(v);
}

function entries(object) {
  return Object.entries(object)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${value(v)}`)
    .join('\n');
}

/** Selection list items: 'field' or ['relation', args|null, [fields...]]. */
function selection(fields) {
  const lines = fields.map((field) => {
    if (typeof field === 'string') return field;
    const [name, args, nested] = field;
    const head = args ? `${name}(\n${indent(entries(args))}\n)\n` : `${name} `;
    return `${head}${selection(nested)}`;
  });
  return `{\n${indent(lines.join('\n'))}\n}`;
}

export function gql(operation, field, args = {}, fields = null) {
  const argText = Object.keys(args).length ? `\n(\n${indent(entries(args))}\n)` : '';
  const selText = fields ? `\n${selection(fields)}` : '';
  return `${operation} {\n${indent(`result: ${field}${argText}${selText}`)}\n}`;
}
