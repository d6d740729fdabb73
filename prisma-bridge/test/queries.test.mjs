// Query shapes prisma-client-py sends, end to end through bin/query-engine on
// PostgreSQL (BRIDGE_TEST_DATABASE_URL).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBridgeOnTestSchema } from './support/bridge.mjs';
import { gql, json, rawNumber } from './support/graphql.mjs';

const ctx = useBridgeOnTestSchema();
const AUTHOR_FIELDS = ['id', 'email', 'name', 'age', 'balance', 'visits', 'price', 'profile', 'settings', 'tags', 'role', 'created_at'];

const result = (answer) => {
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data.result;
};

async function createAuthor(id, data = {}) {
  return result(await ctx.bridge.query(gql('mutation', 'createOneAuthor', { data: { id, email: `${id}@example.com`, ...data } }, AUTHOR_FIELDS)));
}

test('GET /status and GET /metrics answer like the native engine', async () => {
  assert.deepEqual((await ctx.bridge.request('/status', { method: 'GET' })).json, { status: 'ok' });
  const metrics = await ctx.bridge.request('/metrics?format=json', { method: 'GET' });
  assert.deepEqual(Object.keys(metrics.json).sort(), ['counters', 'gauges', 'histograms']);
});

test('create stores Json as a document and answers values in the GraphQL protocol format', async () => {
  const author = await createAuthor('types', {
    profile: json({ nested: { list: [1, 'two'] } }),
    visits: rawNumber('9007199254740993'),
    price: '12.50',
    tags: ['a', 'b'],
    role: 'ADMIN',
    created_at: '2024-01-02T03:04:05.678+00:00',
  });
  assert.equal(author.profile, '{"nested":{"list":[1,"two"]}}');
  assert.equal(author.settings, '{}');
  assert.equal(author.visits, '9007199254740993');
  assert.equal(author.price, 12.5);
  assert.deepEqual(author.tags, ['a', 'b']);
  assert.equal(author.role, 'ADMIN');
  assert.equal(author.created_at, '2024-01-02T03:04:05.678Z');
  const [row] = await ctx.db.sql(`SELECT jsonb_typeof(profile) AS kind, visits::text AS visits FROM "Author" WHERE id = 'types'`);
  assert.deepEqual(row, { kind: 'object', visits: '9007199254740993' });
});

test('find unique / first / many with filters, order, pagination, cursor and distinct', async () => {
  for (const [i, id] of ['f1', 'f2', 'f3', 'f4'].entries()) {
    await createAuthor(id, { age: 20 + i, tags: i % 2 ? ['even'] : ['odd', 'x'], profile: json({ i }), name: i < 2 ? 'same' : `n${i}` });
  }
  const unique = result(await ctx.bridge.query(gql('query', 'findUniqueAuthor', { where: { email: 'f2@example.com' } }, ['id'])));
  assert.equal(unique.id, 'f2');
  assert.equal(result(await ctx.bridge.query(gql('query', 'findUniqueAuthor', { where: { id: 'missing' } }, ['id']))), null);

  const first = result(await ctx.bridge.query(gql('query', 'findFirstAuthor', { where: { age: { gte: 22 } }, orderBy: [{ age: 'asc' }] }, ['id'])));
  assert.equal(first.id, 'f3');

  const page = result(await ctx.bridge.query(gql('query', 'findManyAuthor', {
    where: { id: { startsWith: 'f' } }, orderBy: [{ id: 'desc' }], take: 2, skip: 1,
  }, ['id'])));
  assert.deepEqual(page.map((a) => a.id), ['f3', 'f2']);

  const afterCursor = result(await ctx.bridge.query(gql('query', 'findManyAuthor', {
    where: { id: { startsWith: 'f' } }, orderBy: [{ id: 'asc' }], cursor: { id: 'f2' }, skip: 1,
  }, ['id'])));
  assert.deepEqual(afterCursor.map((a) => a.id), ['f3', 'f4']);

  const distinct = result(await ctx.bridge.query(gql('query', 'findManyAuthor', {
    where: { id: { startsWith: 'f' } }, distinct: ['name'], orderBy: [{ id: 'asc' }],
  }, ['name'])));
  assert.deepEqual(distinct.map((a) => a.name), ['same', 'n2', 'n3']);

  const has = result(await ctx.bridge.query(gql('query', 'findManyAuthor', { where: { tags: { has: 'even' } }, orderBy: [{ id: 'asc' }] }, ['id'])));
  assert.deepEqual(has.map((a) => a.id), ['f2', 'f4']);
  const hasSome = result(await ctx.bridge.query(gql('query', 'findManyAuthor', { where: { tags: { hasSome: ['x', 'nope'] } }, orderBy: [{ id: 'asc' }] }, ['id'])));
  assert.deepEqual(hasSome.map((a) => a.id), ['f1', 'f3']);

  const byJson = result(await ctx.bridge.query(gql('query', 'findManyAuthor', { where: { profile: { equals: json({ i: 2 }) } } }, ['id'])));
  assert.deepEqual(byJson.map((a) => a.id), ['f3']);
});

test('include with arguments and nested relation writes', async () => {
  const created = result(await ctx.bridge.query(gql('mutation', 'createOneAuthor', {
    data: { id: 'rel', email: 'rel@example.com', posts: { create: [{ title: 'one', views: rawNumber('5') }, { title: 'two' }] } },
  }, ['id', ['posts', null, ['title', 'views']]])));
  assert.deepEqual(created.posts.map((p) => [p.title, p.views]).sort(), [['one', '5'], ['two', '0']]);

  const withPosts = result(await ctx.bridge.query(gql('query', 'findUniqueAuthor', { where: { id: 'rel' } }, [
    'id', ['posts', { where: { views: { gt: rawNumber('1') } }, orderBy: [{ title: 'asc' }] }, ['title']],
  ])));
  assert.deepEqual(withPosts.posts, [{ title: 'one' }]);

  const post = result(await ctx.bridge.query(gql('mutation', 'createOnePost', {
    data: { title: 'connected', author: { connect: { id: 'rel' } } },
  }, ['id', 'author_id', ['author', null, ['email']]])));
  assert.equal(post.author.email, 'rel@example.com');

  const filtered = result(await ctx.bridge.query(gql('query', 'findManyAuthor', { where: { posts: { some: { title: 'connected' } } } }, ['id'])));
  assert.deepEqual(filtered, [{ id: 'rel' }]);
});

test('update, update many, upsert, delete and delete many', async () => {
  await createAuthor('u1', { balance: 1, visits: rawNumber('1') });
  await createAuthor('u2', { balance: 1 });
  const updated = result(await ctx.bridge.query(gql('mutation', 'updateOneAuthor', {
    where: { id: 'u1' }, data: { balance: { increment: 2.5 }, visits: { increment: rawNumber('9007199254740990') }, profile: json([1]) },
  }, ['balance', 'visits', 'profile'])));
  assert.deepEqual(updated, { balance: 3.5, visits: '9007199254740991', profile: '[1]' });

  const many = result(await ctx.bridge.query(gql('mutation', 'updateManyAuthor', { where: { id: { in: ['u1', 'u2'] } }, data: { name: 'bulk' } }, ['count'])));
  assert.deepEqual(many, { count: 2 });

  const inserted = result(await ctx.bridge.query(gql('mutation', 'upsertOneAuthor', {
    where: { id: 'u3' }, create: { id: 'u3', email: 'u3@example.com' }, update: { name: 'never' },
  }, ['id', 'name'])));
  assert.deepEqual(inserted, { id: 'u3', name: null });
  const upserted = result(await ctx.bridge.query(gql('mutation', 'upsertOneAuthor', {
    where: { id: 'u3' }, create: { id: 'u3', email: 'u3@example.com' }, update: { name: 'updated' },
  }, ['id', 'name'])));
  assert.deepEqual(upserted, { id: 'u3', name: 'updated' });

  const deleted = result(await ctx.bridge.query(gql('mutation', 'deleteOneAuthor', { where: { id: 'u3' } }, ['id'])));
  assert.deepEqual(deleted, { id: 'u3' });
  const deletedMany = result(await ctx.bridge.query(gql('mutation', 'deleteManyAuthor', { where: { name: 'bulk' } }, ['count'])));
  assert.deepEqual(deletedMany, { count: 2 });
});

test('create many, count, aggregate and group by', async () => {
  const createdMany = result(await ctx.bridge.query(gql('mutation', 'createManyAuthor', {
    data: [
      { id: 'g1', email: 'g1@example.com', role: 'ADMIN', balance: 1, visits: rawNumber('10') },
      { id: 'g2', email: 'g2@example.com', role: 'ADMIN', balance: 2 },
      { id: 'g3', email: 'g3@example.com', role: 'USER', balance: 4 },
      { id: 'g1', email: 'g1@example.com' },
    ],
    skipDuplicates: true,
  }, ['count'])));
  assert.deepEqual(createdMany, { count: 3 });

  const where = { id: { startsWith: 'g' } };
  const count = result(await ctx.bridge.query(gql('query', 'aggregateAuthor', { where }, [['_count', null, ['_all']]])));
  assert.deepEqual(count, { _count: { _all: 3 } });
  const countFields = result(await ctx.bridge.query(gql('query', 'aggregateAuthor', { where, take: 2 }, [['_count', null, ['name', 'email']]])));
  assert.deepEqual(countFields, { _count: { name: 0, email: 2 } });

  const groups = result(await ctx.bridge.query(gql('query', 'groupByAuthor', {
    by: ['role'], where, orderBy: [{ role: 'asc' }], having: { balance: { _sum: { gt: 2 } } },
  }, ['role', ['_sum', null, ['balance', 'visits']], ['_avg', null, ['balance']], ['_min', null, ['id']], ['_max', null, ['id']], ['_count', null, ['_all']]])));
  assert.deepEqual(groups, [
    { role: 'USER', _sum: { balance: 4, visits: '0' }, _avg: { balance: 4 }, _min: { id: 'g3' }, _max: { id: 'g3' }, _count: { _all: 1 } },
    { role: 'ADMIN', _sum: { balance: 3, visits: '10' }, _avg: { balance: 1.5 }, _min: { id: 'g1' }, _max: { id: 'g2' }, _count: { _all: 2 } },
  ]);
});

test('raw queries answer typed cells; execute raw answers the row count', async () => {
  await createAuthor('raw', { profile: json({ r: true }), tags: ['t1', 't2'], visits: rawNumber('7'), price: '1.25' });
  const rows = result(await ctx.bridge.query(gql('mutation', 'queryRaw', {
    query: 'SELECT id, visits, price, profile, tags, created_at, age, role FROM "Author" WHERE id = $1',
    parameters: JSON.stringify(['raw']),
  })));
  assert.equal(rows.length, 1);
  const row = rows[0];
  assert.deepEqual(row.id, { prisma__type: 'string', prisma__value: 'raw' });
  assert.deepEqual(row.visits, { prisma__type: 'bigint', prisma__value: '7' });
  assert.equal(row.price.prisma__type, 'decimal');
  assert.equal(Number(row.price.prisma__value), 1.25);
  assert.deepEqual(row.profile, { prisma__type: 'json', prisma__value: { r: true } });
  assert.deepEqual(row.tags, {
    prisma__type: 'array',
    prisma__value: [{ prisma__type: 'string', prisma__value: 't1' }, { prisma__type: 'string', prisma__value: 't2' }],
  });
  assert.equal(row.created_at.prisma__type, 'datetime');
  assert.deepEqual(row.age, { prisma__type: 'null', prisma__value: null });

  // Catalog columns of type `name` / `name[]`, which adapter-pg 5.17 rejects.
  const catalog = result(await ctx.bridge.query(gql('mutation', 'queryRaw', {
    query: "SELECT table_name::name AS t, ARRAY[table_name::name] AS ts FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'Author'",
    parameters: '[]',
  })));
  assert.deepEqual(catalog, [{
    t: { prisma__type: 'string', prisma__value: 'Author' },
    ts: { prisma__type: 'array', prisma__value: [{ prisma__type: 'string', prisma__value: 'Author' }] },
  }]);

  const changed = result(await ctx.bridge.query(gql('mutation', 'executeRaw', {
    query: 'UPDATE "Author" SET age = $1 WHERE id = $2', parameters: JSON.stringify([41, 'raw']),
  })));
  assert.equal(changed, 1);
  const [{ age }] = await ctx.db.sql(`SELECT age FROM "Author" WHERE id = 'raw'`);
  assert.equal(age, 41);
});
