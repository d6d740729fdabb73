// Interactive transactions (/transaction/* and X-transaction-id) and batches;
// PostgreSQL from BRIDGE_TEST_DATABASE_URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor, useBridgeOnTestSchema } from './support/bridge.mjs';
import { gql } from './support/graphql.mjs';

const ctx = useBridgeOnTestSchema();

const create = (id) => gql('mutation', 'createOneAuthor', { data: { id, email: `${id}@example.com` } }, ['id']);
const find = (id) => gql('query', 'findUniqueAuthor', { where: { id } }, ['id']);
const start = async (timeout = 5000) => (await ctx.bridge.request('/transaction/start', { body: { timeout, max_wait: 2000 } })).json;
const end = async (id, kind) => (await ctx.bridge.request(`/transaction/${id}/${kind}`)).json;

test('a committed transaction is invisible outside until commit, then visible', async () => {
  const { id } = await start();
  assert.match(id, /\S/);
  assert.deepEqual(await ctx.bridge.query(create('c1'), { txId: id }), { data: { result: { id: 'c1' } } });
  assert.deepEqual(await ctx.bridge.query(find('c1'), { txId: id }), { data: { result: { id: 'c1' } } });
  assert.deepEqual(await ctx.bridge.query(find('c1')), { data: { result: null } });
  assert.deepEqual(await end(id, 'commit'), {});
  assert.deepEqual(await ctx.bridge.query(find('c1')), { data: { result: { id: 'c1' } } });

  const again = await end(id, 'commit');
  assert.equal(again.errors[0].user_facing_error.error_code, 'P2028');
  assert.match(again.errors[0].error, /^Transaction already closed/, 'prisma-client-py raises TransactionExpiredError on this prefix');
});

test('a rolled back transaction leaves nothing behind', async () => {
  const { id } = await start();
  await ctx.bridge.query(create('r1'), { txId: id });
  assert.deepEqual(await end(id, 'rollback'), {});
  assert.deepEqual(await ctx.bridge.query(find('r1')), { data: { result: null } });
});

test('unknown transaction ids answer P2028 without reaching (and crashing) the engine', async () => {
  for (const txId of ['x', 'not-a-transaction-id-we-issued']) {
    const answer = await ctx.bridge.query(find('c1'), { txId });
    assert.equal(answer.errors[0].user_facing_error.error_code, 'P2028');
    assert.match(answer.errors[0].user_facing_error.message, /Transaction not found/);
  }
  assert.equal((await end('x', 'commit')).errors[0].user_facing_error.error_code, 'P2028');
  assert.deepEqual(await ctx.bridge.query(find('c1')), { data: { result: { id: 'c1' } } });
  assert.doesNotMatch(ctx.bridge.stderr(), /panicked/);
});

test('an expired transaction answers "Transaction already closed"', async () => {
  const { id } = await start(100);
  const expired = await waitFor(async () => {
    const answer = await ctx.bridge.query(find('c1'), { txId: id });
    return answer.errors ? answer : null;
  }, 5000, 'the transaction to expire');
  assert.equal(expired.errors[0].user_facing_error.error_code, 'P2028');
  assert.match(expired.errors[0].error, /^Transaction already closed/);
});

test('a transactional batch answers per-query results under the alias', async () => {
  const answer = (await ctx.bridge.request('/', {
    body: { batch: [{ query: create('b1'), variables: {} }, { query: find('b1'), variables: {} }], transaction: true },
  })).json;
  assert.deepEqual(answer, { batchResult: [{ data: { result: { id: 'b1' } } }, { data: { result: { id: 'b1' } } }] });
});

test('a failing transactional batch applies nothing and answers the error', async () => {
  const answer = (await ctx.bridge.request('/', {
    body: { batch: [{ query: create('b2'), variables: {} }, { query: create('b1'), variables: {} }], transaction: true },
  })).json;
  assert.equal(answer.errors[0].user_facing_error.error_code, 'P2002');
  assert.deepEqual(await ctx.bridge.query(find('b2')), { data: { result: null } });
});

test('a batch inside an interactive transaction joins it', async () => {
  const { id } = await start();
  const answer = (await ctx.bridge.request('/', {
    body: { batch: [{ query: create('b3'), variables: {} }], transaction: true },
    headers: { 'X-transaction-id': id },
  })).json;
  assert.deepEqual(answer, { batchResult: [{ data: { result: { id: 'b3' } } }] });
  await end(id, 'rollback');
  assert.deepEqual(await ctx.bridge.query(find('b3')), { data: { result: null } });
});

test('a connection the server ends inside a transaction fails that transaction, not the engine', async () => {
  // A PostgreSQL restart (or pg_terminate_backend) while a transaction's connection waits
  // between statements: node-postgres reports it as an error event on that client.
  const { id } = await start();
  const answer = await ctx.bridge.query(
    gql('mutation', 'queryRaw', { query: 'SELECT pg_backend_pid()::text AS pid', parameters: '[]' }),
    { txId: id },
  );
  const pid = answer.data.result[0].pid.prisma__value;
  await ctx.db.sql('SELECT pg_terminate_backend($1::int)', [pid]);
  const served = await waitFor(async () => {
    const again = await ctx.bridge.query(find('c1'));
    return again?.data ? again : null;
  }, 5000, 'a query after the termination');
  assert.deepEqual(served, { data: { result: { id: 'c1' } } });
  assert.equal(ctx.bridge.child.exitCode, null, `the engine exited:\n${ctx.bridge.stderr()}`);
  assert.notEqual((await end(id, 'commit')).errors, undefined, 'the ended transaction does not commit');
});
