// Translates prisma-client-py's GraphQL requests into Prisma's JSON protocol,
// which is the only protocol the wasm query engine speaks.
//
// Structure maps one to one (arguments stay arguments, selection sets become
// `selection` objects); values are converted by the input types the schema
// declares for each position, because GraphQL carries Json, DateTime, BigInt,
// Decimal and Bytes as plain strings/numbers and the JSON protocol needs them
// tagged (an untagged string in a Json field would be stored as a JSON string).

import { parseGraphQL, plainValue, UnsupportedQueryError } from './graphql.mjs';

const RAW_ACTIONS = new Set(['queryRaw', 'executeRaw']);

/**
 * Translates one GraphQL request document.
 * @returns {{ query: object, alias: string, field: string, action: string }}
 *   `query` is the JSON-protocol request; the rest is what the response shaper
 *   needs to turn the engine's answer back into prisma-client-py's format.
 */
export function translateQuery(text, schema) {
  const document = parseGraphQL(text);
  if (document.fields.length !== 1) {
    throw new UnsupportedQueryError(`GraphQL query: expected exactly one root field, got ${document.fields.length}`);
  }
  const [root] = document.fields;
  const rootField = schema.rootFields.get(root.name);
  if (!rootField) throw new UnsupportedQueryError(`GraphQL query: unknown operation "${root.name}"`);
  const isMutation = schema.outputTypes.get('Mutation')?.has(root.name);
  if (isMutation !== (document.operation === 'mutation')) {
    throw new UnsupportedQueryError(`GraphQL query: "${root.name}" cannot run as a ${document.operation}`);
  }

  const query = { action: rootField.action, query: {} };
  if (rootField.model) query.modelName = rootField.model;
  query.query.arguments = RAW_ACTIONS.has(rootField.action)
    ? rawArguments(root.args ?? [])
    : convertArguments(root.args ?? [], rootField.args, schema, [root.name]);
  query.query.selection = root.selection
    ? convertSelection(root.selection, rootField.outputType, schema, [root.name])
    : RAW_ACTIONS.has(rootField.action)
      ? {}
      : { $scalars: true };
  return { query, alias: root.alias ?? root.name, field: root.name, action: rootField.action };
}

// Raw queries take the SQL and a JSON-encoded parameter list as plain strings.
function rawArguments(args) {
  return Object.fromEntries(args.map(([name, value]) => [name, plainValue(value)]));
}

function convertArguments(args, argTypes, schema, path) {
  const converted = {};
  for (const [name, value] of args) {
    const types = argTypes?.get(name);
    converted[name] = types ? convertValue(value, types, schema, [...path, name]) : plainValue(value);
  }
  return converted;
}

function convertSelection(fields, outputTypeName, schema, path) {
  const outputType = schema.outputTypes.get(outputTypeName);
  const selection = {};
  for (const field of fields) {
    if (field.alias) {
      throw new UnsupportedQueryError(`GraphQL query: aliases below the root are not supported (${[...path, field.name].join('.')})`);
    }
    if (!field.args && !field.selection) {
      selection[field.name] = true;
      continue;
    }
    const info = outputType?.get(field.name);
    const nested = {};
    if (field.args) nested.arguments = convertArguments(field.args, info?.args, schema, [...path, field.name]);
    nested.selection = field.selection
      ? convertSelection(field.selection, info?.outputType, schema, [...path, field.name])
      : { $scalars: true };
    selection[field.name] = nested;
  }
  return selection;
}

function scalarNames(types) {
  const names = new Set();
  for (const type of types) if (type.location === 'scalar' && !type.isList) names.add(type.type);
  return names;
}

const tagged = (type, value) => ({ $type: type, value });

function convertValue(node, types, schema, path) {
  switch (node.kind) {
    case 'null':
      return null;
    case 'list':
      return convertList(node, types, schema, path);
    case 'object':
      return convertObject(node, types, schema, path);
    case 'string':
      return convertString(node.value, scalarNames(types));
    case 'number':
      return convertNumber(node.raw, scalarNames(types));
    case 'boolean': {
      const scalars = scalarNames(types);
      if (!scalars.has('Boolean') && scalars.has('Json')) return tagged('Json', String(node.value));
      return node.value;
    }
    case 'enum':
      return node.value;
    default:
      throw new Error(`unknown value node ${node.kind}`);
  }
}

function convertString(value, scalars) {
  if (scalars.has('String')) return value;
  if (scalars.has('Json')) return tagged('Json', value);
  if (scalars.has('DateTime')) return tagged('DateTime', value);
  if (scalars.has('BigInt')) return tagged('BigInt', value);
  if (scalars.has('Decimal')) return tagged('Decimal', value);
  if (scalars.has('Bytes')) return tagged('Bytes', value);
  return value; // enums, UUIDs and type mismatches the engine will report
}

function convertNumber(raw, scalars) {
  const isInteger = /^-?[0-9]+$/.test(raw);
  if (scalars.has('Int') && isInteger) return Number(raw);
  if (scalars.has('Float')) return Number(raw);
  if (scalars.has('BigInt') && isInteger) return tagged('BigInt', raw);
  if (scalars.has('Decimal')) return tagged('Decimal', raw);
  if (scalars.has('Json')) return tagged('Json', raw);
  const number = Number(raw);
  // Keep integers beyond double precision exact; the engine parses strings.
  return isInteger && !Number.isSafeInteger(number) ? tagged('BigInt', raw) : number;
}

function convertList(node, types, schema, path) {
  const listTypes = types.filter((type) => type.isList).map((type) => ({ ...type, isList: false }));
  if (listTypes.length === 0 && scalarNames(types).has('Json')) {
    return tagged('Json', JSON.stringify(plainValue(node)));
  }
  const itemTypes = listTypes.length > 0 ? listTypes : types;
  return node.items.map((item, i) => convertValue(item, itemTypes, schema, [...path, String(i)]));
}

function convertObject(node, types, schema, path) {
  const candidates = types
    .filter((type) => type.location === 'inputObjectTypes' && !type.isList)
    .map((type) => schema.inputTypes.get(type.type))
    .filter(Boolean);
  if (candidates.length === 0) {
    // An object given for a Json field: store it as that JSON document.
    if (scalarNames(types).has('Json')) return tagged('Json', JSON.stringify(plainValue(node)));
    return plainValue(node);
  }
  const keys = node.entries.map(([key]) => key);
  const fields = candidates.find((candidate) => keys.every((key) => candidate.has(key))) ?? candidates[0];
  const converted = {};
  for (const [key, value] of node.entries) {
    const fieldTypes = fields.get(key);
    converted[key] = fieldTypes ? convertValue(value, fieldTypes, schema, [...path, key]) : plainValue(value);
  }
  return converted;
}
