// GraphQL -> JSON protocol translation against the fixture schema's DMMF and
// result shaping; no database needed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { translateQuery } from '../src/graphql-to-json.mjs';
import { UnsupportedQueryError } from '../src/graphql.mjs';
import { normalizeError, rawRows, shapeData } from '../src/results.mjs';
import { buildSchemaIndex, loadDmmf } from '../src/schema-index.mjs';
import { gql, json, rawNumber } from './support/graphql.mjs';
import { SCHEMA_PRISMA } from './support/bridge.mjs';

const schema = buildSchemaIndex(loadDmmf(fs.readFileSync(SCHEMA_PRISMA, 'utf8')));
const translate = (text) => translateQuery(text, schema);

test('maps root fields to model and action, and the selection to field flags', () => {
  const { query, alias, field } = translate(gql('query', 'findUniqueAuthor', { where: { id: 'a' } }, ['id', 'email']));
  assert.deepEqual(query, {
    modelName: 'Author',
    action: 'findUnique',
    query: { arguments: { where: { id: 'a' } }, selection: { id: true, email: true } },
  });
  assert.equal(alias, 'result');
  assert.equal(field, 'findUniqueAuthor');
});

test('tags Json, DateTime, BigInt and Decimal values by the input type at their position', () => {
  const { query } = translate(
    gql('mutation', 'createOneAuthor', {
      data: {
        id: 'a',
        email: 'a@x',
        profile: json({ k: [1, 2] }),
        visits: rawNumber('9007199254740993'),
        price: '12.50',
        created_at: '2024-01-02T03:04:05+00:00',
        age: 7,
        balance: 1.5,
        tags: ['x', 'y'],
        role: 'ADMIN',
      },
    }, ['id']),
  );
  assert.deepEqual(query.query.arguments.data, {
    id: 'a',
    email: 'a@x',
    profile: { $type: 'Json', value: '{"k":[1,2]}' },
    visits: { $type: 'BigInt', value: '9007199254740993' },
    price: { $type: 'Decimal', value: '12.50' },
    created_at: { $type: 'DateTime', value: '2024-01-02T03:04:05+00:00' },
    age: 7,
    balance: 1.5,
    tags: ['x', 'y'],
    role: 'ADMIN',
  });
});

test('converts inside filters, list filters, relation filters and nested writes', () => {
  const { query } = translate(
    gql('query', 'findManyAuthor', {
      where: {
        profile: { equals: json({ a: 1 }) },
        visits: { gte: rawNumber('5') },
        tags: { hasSome: ['x'] },
        created_at: { lt: '2030-01-01T00:00:00+00:00' },
        posts: { some: { views: { gt: 3 } } },
        OR: [{ email: { contains: 'x', mode: 'insensitive' } }, { age: null }],
      },
      orderBy: [{ created_at: 'desc' }],
      take: 2,
      skip: 1,
      cursor: { id: 'a' },
      distinct: ['email'],
    }, ['id']),
  );
  assert.deepEqual(query.query.arguments, {
    where: {
      profile: { equals: { $type: 'Json', value: '{"a":1}' } },
      visits: { gte: { $type: 'BigInt', value: '5' } },
      tags: { hasSome: ['x'] },
      created_at: { lt: { $type: 'DateTime', value: '2030-01-01T00:00:00+00:00' } },
      posts: { some: { views: { gt: { $type: 'BigInt', value: '3' } } } },
      OR: [{ email: { contains: 'x', mode: 'insensitive' } }, { age: null }],
    },
    orderBy: [{ created_at: 'desc' }],
    take: 2,
    skip: 1,
    cursor: { id: 'a' },
    distinct: ['email'],
  });

  const nested = translate(
    gql('mutation', 'createOneAuthor', {
      data: { id: 'b', email: 'b@x', posts: { create: [{ title: 't', views: rawNumber('1') }] } },
    }, ['id']),
  ).query.query.arguments.data.posts;
  assert.deepEqual(nested, { create: [{ title: 't', views: { $type: 'BigInt', value: '1' } }] });
});

test('translates include with arguments into a nested selection with arguments', () => {
  const { query } = translate(
    gql('query', 'findUniqueAuthor', { where: { id: 'a' } }, [
      'id',
      ['posts', { where: { created_at: { gt: '2020-01-01T00:00:00+00:00' } }, take: 1 }, ['id', 'title']],
    ]),
  );
  assert.deepEqual(query.query.selection.posts, {
    arguments: { where: { created_at: { gt: { $type: 'DateTime', value: '2020-01-01T00:00:00+00:00' } } }, take: 1 },
    selection: { id: true, title: true },
  });
});

test('translates aggregates, group by and raw queries', () => {
  const count = translate(gql('query', 'aggregateAuthor', { where: { age: { gt: 1 } } }, [['_count', null, ['_all']]]));
  assert.deepEqual(count.query.query.selection, { _count: { selection: { _all: true } } });

  const groupBy = translate(
    gql('query', 'groupByAuthor', { by: ['role'], having: { balance: { _sum: { gt: 1 } } } }, ['role', ['_sum', null, ['balance']]]),
  );
  assert.equal(groupBy.query.action, 'groupBy');
  assert.deepEqual(groupBy.query.query.arguments, { by: ['role'], having: { balance: { _sum: { gt: 1 } } } });

  const raw = translate(gql('mutation', 'queryRaw', { query: 'SELECT $1', parameters: JSON.stringify([1, 'a']) }));
  assert.deepEqual(raw.query, { action: 'queryRaw', query: { arguments: { query: 'SELECT $1', parameters: '[1,"a"]' }, selection: {} } });
});

test('rejects unknown operations and operation-type mismatches by name', () => {
  assert.throws(() => translate(gql('query', 'findUniqueNobody', { where: { id: 'a' } }, ['id'])), (error) =>
    error instanceof UnsupportedQueryError && /unknown operation "findUniqueNobody"/.test(error.message));
  assert.throws(() => translate(gql('query', 'createOneAuthor', { data: {} }, ['id'])), /cannot run as a query/);
});

test('shapes results: untags values and answers under the alias', () => {
  const shaped = shapeData(
    {
      data: {
        findUniqueAuthor: {
          visits: { $type: 'BigInt', value: '9007199254740993' },
          price: { $type: 'Decimal', value: '12.5' },
          profile: { $type: 'Json', value: '{"a":1}' },
          created_at: { $type: 'DateTime', value: '2024-01-02T03:04:05.000Z' },
          posts: [{ views: { $type: 'BigInt', value: '2' } }],
        },
      },
    },
    { alias: 'result', field: 'findUniqueAuthor', action: 'findUnique' },
  );
  assert.deepEqual(shaped, {
    data: {
      result: {
        visits: '9007199254740993',
        price: 12.5,
        profile: '{"a":1}',
        created_at: '2024-01-02T03:04:05.000Z',
        posts: [{ views: '2' }],
      },
    },
  });
});

test('shapes raw rows into prisma-client-py typed cells, arrays element-wise', () => {
  const rows = rawRows({ columns: ['n', 'a', 'j'], types: ['bigint', 'int-array', 'json'], rows: [['1', [1, null], { x: 1 }], [null, null, null]] });
  assert.deepEqual(rows[0], {
    n: { prisma__type: 'bigint', prisma__value: '1' },
    a: { prisma__type: 'array', prisma__value: [{ prisma__type: 'int', prisma__value: 1 }, { prisma__type: 'null', prisma__value: null }] },
    j: { prisma__type: 'json', prisma__value: { x: 1 } },
  });
  assert.deepEqual(rows[1].a, { prisma__type: 'null', prisma__value: null });
});

test('wraps bare transaction errors in the error envelope with the detail as `error`', () => {
  const wrapped = normalizeError({ is_panic: false, message: 'Transaction API error: Transaction already closed: x', meta: { error: 'Transaction already closed: x' }, error_code: 'P2028' });
  assert.equal(wrapped.error, 'Transaction already closed: x');
  assert.equal(wrapped.user_facing_error.error_code, 'P2028');
});
