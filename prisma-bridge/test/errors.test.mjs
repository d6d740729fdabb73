// Error answers in the shape prisma-client-py maps to its exceptions, and
// recovery after a wasm panic; PostgreSQL from BRIDGE_TEST_DATABASE_URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort, startBridge, useBridgeOnTestSchema } from './support/bridge.mjs';
import { gql } from './support/graphql.mjs';

const ctx = useBridgeOnTestSchema({
  env: { PRISMA_BRIDGE_TEST_HOOKS: '1' },
  setup: ({ bridge }) =>
    bridge.query(gql('mutation', 'createOneAuthor', { data: { id: 'e1', email: 'e1@example.com' } }, ['id'])),
});

const onlyError = (answer) => {
  assert.equal(answer.data, undefined, `expected an error, got ${JSON.stringify(answer)}`);
  assert.equal(answer.errors.length, 1);
  return answer.errors[0];
};

test('unique violation answers P2002 with the target fields', async () => {
  const error = onlyError(await ctx.bridge.query(gql('mutation', 'createOneAuthor', { data: { id: 'e2', email: 'e1@example.com' } }, ['id'])));
  assert.equal(error.user_facing_error.error_code, 'P2002');
  assert.deepEqual(error.user_facing_error.meta.target, ['email']);
});

test('missing records answer P2025 for OrThrow reads, updates and deletes', async () => {
  for (const text of [
    gql('query', 'findUniqueAuthorOrThrow', { where: { id: 'nope' } }, ['id']),
    gql('query', 'findFirstAuthorOrThrow', { where: { id: 'nope' } }, ['id']),
    gql('mutation', 'updateOneAuthor', { where: { id: 'nope' }, data: { name: 'x' } }, ['id']),
    gql('mutation', 'deleteOneAuthor', { where: { id: 'nope' } }, ['id']),
  ]) {
    assert.equal(onlyError(await ctx.bridge.query(text)).user_facing_error.error_code, 'P2025', text);
  }
});

test('foreign key violation answers P2003', async () => {
  const error = onlyError(await ctx.bridge.query(gql('mutation', 'createOnePost', { data: { title: 't', author_id: 'ghost' } }, ['id'])));
  assert.equal(error.user_facing_error.error_code, 'P2003');
});

test('validation errors keep the engine meta prisma-client-py reads (kind, paths)', async () => {
  const error = onlyError(await ctx.bridge.query(gql('mutation', 'createOneAuthor', { data: { id: 'e3', email: 'e3@example.com', bogus: 1 } }, ['id'])));
  assert.equal(error.user_facing_error.error_code, 'P2009');
  assert.match(error.user_facing_error.message, /bogus/);
  const missing = onlyError(await ctx.bridge.query(gql('mutation', 'createOneAuthor', { data: { id: 'e4' } }, ['id'])));
  assert.match(missing.user_facing_error.message, /email/);
});

test('failing raw SQL answers P2010 with the database message', async () => {
  const error = onlyError(await ctx.bridge.query(gql('mutation', 'queryRaw', { query: 'SELECT * FROM "NoSuchTable"', parameters: '[]' })));
  assert.equal(error.user_facing_error.error_code, 'P2010');
  assert.match(error.user_facing_error.meta.message, /NoSuchTable/);
});

test('queries the bridge cannot translate answer an error naming the construct', async () => {
  const fragment = onlyError(await ctx.bridge.query('query { result: findManyAuthor { ...AuthorFields } }'));
  assert.match(fragment.user_facing_error.message, /prisma-bridge cannot run this query: .*fragments are not supported/);
  assert.equal(fragment.user_facing_error.error_code, undefined, 'no code, so prisma-client-py raises a plain DataError');
  const unknown = onlyError(await ctx.bridge.query(gql('query', 'findManyNobody', {}, ['id'])));
  assert.match(unknown.user_facing_error.message, /unknown operation "findManyNobody"/);
});

test('HTTP misuse: unknown routes answer 404, malformed bodies 400', async () => {
  assert.equal((await ctx.bridge.request('/nope', { method: 'GET' })).status, 404);
  assert.equal((await ctx.bridge.request('/', { body: '{not json' })).status, 400);
});

test('a wasm panic fails the request in flight and the next request gets a fresh engine', async () => {
  const panic = await ctx.bridge.request('/_bridge/panic', { body: {} });
  assert.equal(panic.status, 200);
  const error = onlyError(panic.json);
  assert.equal(error.user_facing_error.is_panic, true);
  assert.match(error.user_facing_error.message, /query engine panicked/);

  const answer = await ctx.bridge.query(gql('query', 'findUniqueAuthor', { where: { id: 'e1' } }, ['id']));
  assert.deepEqual(answer, { data: { result: { id: 'e1' } } });
  assert.match(ctx.bridge.stderr(), /instance 1 panicked/);
  assert.equal(ctx.bridge.child.exitCode, null, 'the bridge process is still running');

  // The replacement is a separate instance that can itself be replaced.
  assert.equal(onlyError((await ctx.bridge.request('/_bridge/panic', { body: {} })).json).user_facing_error.is_panic, true);
  assert.match(ctx.bridge.stderr(), /instance 2 panicked/);
  assert.deepEqual(await ctx.bridge.query(gql('query', 'findUniqueAuthor', { where: { id: 'e1' } }, ['id'])), { data: { result: { id: 'e1' } } });
});

test('an unreachable database answers P1001 naming the cause, not an opaque connector id', async () => {
  const closedPort = await freePort();
  const offline = await startBridge({ databaseUrl: `postgresql://nobody@127.0.0.1:${closedPort}/none` });
  try {
    const error = onlyError(await offline.query(gql('query', 'findUniqueAuthor', { where: { id: 'e1' } }, ['id'])));
    assert.equal(error.user_facing_error.error_code, 'P1001');
    assert.match(error.user_facing_error.message, /Can't reach database server: connect ECONNREFUSED/);
  } finally {
    await offline.stop();
  }
});
