// Parser for the GraphQL subset that prisma-client-py's query builder emits:
// one operation, fields with aliases, arguments and selection sets, and
// literal values (JSON strings and numbers, booleans, null, lists, objects).
// Anything else (variables, fragments, directives, block strings) is rejected
// with an error naming the construct, because silently mis-parsing a query
// would run the wrong SQL.

export class UnsupportedQueryError extends Error {}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const NAME = /[_A-Za-z][_0-9A-Za-z]*/y;

// Value nodes keep just enough to convert later with schema types in hand:
// numbers keep their source text so BigInt values never pass through a double.
export const Value = {
  string: (value) => ({ kind: 'string', value }),
  number: (raw) => ({ kind: 'number', raw }),
  boolean: (value) => ({ kind: 'boolean', value }),
  null: () => ({ kind: 'null' }),
  enum: (value) => ({ kind: 'enum', value }),
  list: (items) => ({ kind: 'list', items }),
  object: (entries) => ({ kind: 'object', entries }),
};

class Parser {
  constructor(text) {
    this.text = text;
    this.pos = 0;
  }

  fail(message) {
    const line = this.text.slice(0, this.pos).split('\n').length;
    throw new UnsupportedQueryError(`GraphQL query: ${message} (line ${line})`);
  }

  skipIgnored() {
    const text = this.text;
    while (this.pos < text.length) {
      const ch = text[this.pos];
      if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r' || ch === ',' || ch === '\ufeff') {
        this.pos += 1;
      } else if (ch === '#') {
        const end = text.indexOf('\n', this.pos);
        this.pos = end === -1 ? text.length : end;
      } else {
        return;
      }
    }
  }

  peek() {
    this.skipIgnored();
    return this.text[this.pos];
  }

  expect(ch) {
    if (this.peek() !== ch) this.fail(`expected "${ch}" but found ${this.describeHere()}`);
    this.pos += 1;
  }

  describeHere() {
    if (this.pos >= this.text.length) return 'end of query';
    return JSON.stringify(this.text.slice(this.pos, this.pos + 20));
  }

  name() {
    this.skipIgnored();
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.text);
    if (!match) this.fail(`expected a name but found ${this.describeHere()}`);
    this.pos = NAME.lastIndex;
    return match[0];
  }

  document() {
    let operation = 'query';
    if (this.peek() !== '{') {
      operation = this.name();
      if (operation !== 'query' && operation !== 'mutation') {
        this.fail(`unsupported operation type "${operation}"`);
      }
      if (this.peek() !== '{') this.fail('named operations and variable definitions are not supported');
    }
    const fields = this.selectionSet();
    if (this.peek() !== undefined) this.fail('only one operation per request is supported');
    return { operation, fields };
  }

  selectionSet() {
    this.expect('{');
    const fields = [];
    while (this.peek() !== '}') {
      if (this.pos >= this.text.length) this.fail('unterminated selection set');
      fields.push(this.field());
    }
    this.pos += 1;
    return fields;
  }

  field() {
    const ch = this.peek();
    if (ch === '.') this.fail('fragments are not supported');
    if (ch === '@') this.fail('directives are not supported');
    let alias = null;
    let name = this.name();
    if (this.peek() === ':') {
      this.pos += 1;
      alias = name;
      name = this.name();
    }
    const args = this.peek() === '(' ? this.arguments() : null;
    if (this.peek() === '@') this.fail('directives are not supported');
    const selection = this.peek() === '{' ? this.selectionSet() : null;
    return { alias, name, args, selection };
  }

  arguments() {
    this.expect('(');
    const entries = [];
    while (this.peek() !== ')') {
      if (this.pos >= this.text.length) this.fail('unterminated argument list');
      const key = this.name();
      this.expect(':');
      entries.push([key, this.value()]);
    }
    this.pos += 1;
    return entries;
  }

  value() {
    const ch = this.peek();
    if (ch === '"') return Value.string(this.string());
    if (ch === '[') {
      this.pos += 1;
      const items = [];
      while (this.peek() !== ']') {
        if (this.pos >= this.text.length) this.fail('unterminated list');
        items.push(this.value());
      }
      this.pos += 1;
      return Value.list(items);
    }
    if (ch === '{') {
      this.pos += 1;
      const entries = [];
      while (this.peek() !== '}') {
        if (this.pos >= this.text.length) this.fail('unterminated object');
        const key = this.name();
        this.expect(':');
        entries.push([key, this.value()]);
      }
      this.pos += 1;
      return Value.object(entries);
    }
    if (ch === '$') this.fail('variables are not supported');
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = this.pos;
      const match = NUMBER.exec(this.text);
      if (!match) this.fail(`malformed number at ${this.describeHere()}`);
      this.pos = NUMBER.lastIndex;
      return Value.number(match[0]);
    }
    const word = this.name();
    if (word === 'true' || word === 'false') return Value.boolean(word === 'true');
    if (word === 'null') return Value.null();
    return Value.enum(word);
  }

  string() {
    const text = this.text;
    if (text.startsWith('"""', this.pos)) this.fail('block strings are not supported');
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote === -1) this.fail('unterminated string');
      let backslashes = 0;
      while (text[quote - 1 - backslashes] === '\\') backslashes += 1;
      i = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    this.pos = i;
    try {
      // GraphQL string escapes are a subset of JSON's, and the builder
      // writes strings with Python's json.dumps.
      return JSON.parse(text.slice(start, i));
    } catch {
      return this.fail('malformed string literal');
    }
  }
}

/** Parses one GraphQL request document into { operation, fields }. */
export function parseGraphQL(text) {
  if (typeof text !== 'string') throw new UnsupportedQueryError('GraphQL query: "query" must be a string');
  return new Parser(text).document();
}

/** Converts a value node to plain JSON, for places with no schema type. */
export function plainValue(node) {
  switch (node.kind) {
    case 'string':
    case 'boolean':
    case 'enum':
      return node.value;
    case 'null':
      return null;
    case 'number':
      return Number(node.raw);
    case 'list':
      return node.items.map(plainValue);
    case 'object':
      return Object.fromEntries(node.entries.map(([key, value]) => [key, plainValue(value)]));
    default:
      throw new Error(`unknown value node ${node.kind}`);
  }
}
