// Parser for prisma-client-py's GraphQL; no database needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGraphQL, plainValue, UnsupportedQueryError } from '../src/graphql.mjs';

// Verbatim output of prisma-client-py 0.11's QueryBuilder for
// find_unique(where={'token': 'x'}, include={'litellm_budget_table': {'where': {...}}}).
const BUILDER_OUTPUT = `query {
  result: findUniqueLiteLLM_VerificationToken
  (
    where: {
      token: "sk-\\"quoted\\"\\n"
    }
  )
  {
    token
    spend
    litellm_budget_table(
      where: {
        max_budget: {
          gt: 1.5e-05
        }
      }
    )
    {
      budget_id
    }
  }
}`;

test('parses the builder output: alias, arguments, nested selection with arguments', () => {
  const document = parseGraphQL(BUILDER_OUTPUT);
  assert.equal(document.operation, 'query');
  assert.equal(document.fields.length, 1);
  const [root] = document.fields;
  assert.equal(root.alias, 'result');
  assert.equal(root.name, 'findUniqueLiteLLM_VerificationToken');
  assert.deepEqual(plainValue(root.args[0][1]), { token: 'sk-"quoted"\n' });
  assert.deepEqual(root.selection.slice(0, 2).map((f) => f.name), ['token', 'spend']);
  const relation = root.selection[2];
  assert.equal(relation.name, 'litellm_budget_table');
  assert.equal(relation.args[0][1].entries[0][1].entries[0][1].raw, '1.5e-05');
  assert.deepEqual(relation.selection.map((f) => f.name), ['budget_id']);
});

test('keeps number literals as source text so big integers stay exact', () => {
  const [root] = parseGraphQL('mutation { result: createOneX(data: { n: 9007199254740993 }) { n } }').fields;
  assert.equal(root.args[0][1].entries[0][1].raw, '9007199254740993');
});

test('parses lists, booleans, null, unicode and empty selections', () => {
  const [root] = parseGraphQL('mutation {\n result: executeRaw\n (\n query: "SELECT ünïcödé ✓"\n flags: [\n true,\n false,\n null\n ]\n )\n}').fields;
  assert.equal(root.selection, null);
  assert.equal(plainValue(root.args[0][1]), 'SELECT ünïcödé ✓');
  assert.deepEqual(plainValue(root.args[1][1]), [true, false, null]);
});

test('accepts an anonymous operation and count selections like `_count { _all }`', () => {
  const document = parseGraphQL('{ result: aggregateX { _count { _all } } }');
  assert.equal(document.operation, 'query');
  assert.deepEqual(document.fields[0].selection[0].selection.map((f) => f.name), ['_all']);
});

for (const [construct, text, message] of [
  ['variables', 'query { result: findManyX(where: $w) { id } }', /variables are not supported/],
  ['fragments', 'query { result: findManyX { ...F } }', /fragments are not supported/],
  ['directives', 'query { result: findManyX @include(if: true) { id } }', /directives are not supported/],
  ['subscriptions', 'subscription { result: x }', /unsupported operation type "subscription"/],
  ['block strings', 'mutation { result: executeRaw(query: """x""") }', /block strings are not supported/],
  ['two operations', 'query { a } query { b }', /only one operation/],
  ['unterminated input', 'query { result: findManyX(where: { id: "x" }', /unterminated|expected/],
]) {
  test(`rejects ${construct} with an error naming the construct`, () => {
    assert.throws(() => parseGraphQL(text), (error) => error instanceof UnsupportedQueryError && message.test(error.message));
  });
}
