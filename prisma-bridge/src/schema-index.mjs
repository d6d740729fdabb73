// Lookup tables built from the schema's DMMF: which GraphQL root field maps to
// which model and JSON-protocol action, and what input types every argument
// and input-object field accepts. The translator needs the types because the
// GraphQL protocol sends Json, DateTime and BigInt values as plain literals
// while the JSON protocol wants them tagged.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const SCHEMA_WASM_VERSION = require('@prisma/prisma-schema-wasm/package.json').version;

export function loadDmmf(datamodel) {
  const schemaWasm = require('@prisma/prisma-schema-wasm');
  return JSON.parse(schemaWasm.get_dmmf(JSON.stringify({ prismaSchema: datamodel })));
}

export function loadConfig(datamodel) {
  const schemaWasm = require('@prisma/prisma-schema-wasm');
  return JSON.parse(
    schemaWasm.get_config(JSON.stringify({ prismaSchema: datamodel, datasourceOverrides: {}, ignoreEnvVarErrors: true, env: {} })),
  );
}

// Only what buildSchemaIndex reads, so the cached copy stays small.
function compactDmmf(dmmf) {
  const inputType = (type) => ({ type: type.type, location: type.location, isList: type.isList });
  const compactFields = (fields, extra) => fields.map((field) => ({ name: field.name, ...extra(field) }));
  return {
    schema: {
      inputObjectTypes: {
        prisma: (dmmf.schema.inputObjectTypes.prisma ?? []).map((type) => ({
          name: type.name,
          fields: compactFields(type.fields, (field) => ({ inputTypes: field.inputTypes.map(inputType) })),
        })),
      },
      outputObjectTypes: Object.fromEntries(
        Object.entries(dmmf.schema.outputObjectTypes).map(([namespace, types]) => [
          namespace,
          types.map((type) => ({
            name: type.name,
            fields: compactFields(type.fields, (field) => ({
              args: (field.args ?? []).map((arg) => ({ name: arg.name, inputTypes: arg.inputTypes.map(inputType) })),
              outputType: { type: field.outputType.type },
            })),
          })),
        ]),
      ),
    },
    mappings: { modelOperations: dmmf.mappings.modelOperations },
  };
}

function defaultCacheDir(env) {
  if (env.PRISMA_BRIDGE_CACHE_DIR) return env.PRISMA_BRIDGE_CACHE_DIR;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(os.tmpdir(), `prisma-bridge-${uid}`);
}

/**
 * The datasource config and schema index for a datamodel. Computing the DMMF
 * takes most of a second for LiteLLM's schema, so the compact result is cached
 * on disk under a hash of the schema text and the schema-wasm version.
 */
export function loadSchemaInfo(datamodel, { env = process.env, log } = {}) {
  const key = crypto.createHash('sha256').update(SCHEMA_WASM_VERSION).update('\0').update(datamodel).digest('hex');
  const cacheDir = defaultCacheDir(env);
  const file = path.join(cacheDir, `schema-${key.slice(0, 32)}.json`);
  let cached;
  try {
    cached = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    cached = undefined;
  }
  if (!cached) {
    cached = { config: loadConfig(datamodel).config, dmmf: compactDmmf(loadDmmf(datamodel)) };
    try {
      fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, JSON.stringify(cached));
      fs.renameSync(temporary, file); // atomic, so concurrent engines never read half a file
    } catch (error) {
      log?.warn(`cannot cache the schema index in ${cacheDir}: ${error.message}`);
    }
  }
  return { config: cached.config, schema: buildSchemaIndex(cached.dmmf) };
}

function fieldsByName(fields, describe) {
  return new Map(fields.map((field) => [field.name, describe(field)]));
}

/**
 * @returns {{
 *   rootFields: Map<string, {model: string|null, action: string, args: Map<string, object[]>, outputType: string}>,
 *   inputTypes: Map<string, Map<string, object[]>>,
 *   outputTypes: Map<string, Map<string, {args: Map<string, object[]>, outputType: string}>>,
 * }}
 */
export function buildSchemaIndex(dmmf) {
  const inputTypes = new Map();
  for (const type of dmmf.schema.inputObjectTypes.prisma ?? []) {
    inputTypes.set(type.name, fieldsByName(type.fields, (field) => field.inputTypes));
  }

  const outputTypes = new Map();
  for (const namespace of Object.values(dmmf.schema.outputObjectTypes)) {
    for (const type of namespace) {
      outputTypes.set(
        type.name,
        fieldsByName(type.fields, (field) => ({
          args: fieldsByName(field.args ?? [], (arg) => arg.inputTypes),
          outputType: field.outputType.type,
        })),
      );
    }
  }

  // GraphQL root field name -> (model, action), e.g.
  // findUniqueLiteLLM_UserTable -> (LiteLLM_UserTable, findUnique).
  const actionOf = new Map();
  for (const operations of dmmf.mappings.modelOperations) {
    for (const [action, fieldName] of Object.entries(operations)) {
      if (action !== 'model' && typeof fieldName === 'string') {
        actionOf.set(fieldName, { model: operations.model, action });
      }
    }
  }

  const rootFields = new Map();
  for (const root of ['Query', 'Mutation']) {
    for (const [name, field] of outputTypes.get(root) ?? []) {
      const mapped = actionOf.get(name) ?? { model: null, action: name };
      rootFields.set(name, { ...mapped, args: field.args, outputType: field.outputType });
    }
  }

  return { rootFields, inputTypes, outputTypes };
}
