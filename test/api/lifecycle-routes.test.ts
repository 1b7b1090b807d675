/**
 * The API's transition routes are derived from the lifecycle definition: every action with a path has its
 * route, with the definition's body schema, roles and allowed states in the OpenAPI document, and the
 * workflow has one update per action under the action's name.
 */
import { ACTIONS, LIFECYCLE } from '../../src/domain/lifecycle/actions';
import { ACTION_UPDATES } from '../../workflows/messages';
import { makeApp, type TestApp } from './support';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});

interface Operation {
  description: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
}

test('one workflow update per action, named after it', () => {
  expect(Object.keys(ACTION_UPDATES).sort()).toEqual([...ACTIONS].sort());
  for (const a of ACTIONS) expect(ACTION_UPDATES[a].name).toBe(a);
});

test.each(ACTIONS.filter((a) => LIFECYCLE[a].path))('%s: its route, body, roles and states come from the definition', async (action) => {
  const spec = LIFECYCLE[action];
  const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, Operation>> };
  const op = doc.paths[`/v1/service-requests/{id}/${spec.path}`]?.post;
  expect(op).toBeDefined();
  const body = op?.requestBody?.content['application/json']?.schema;
  expect(Object.keys(body?.properties ?? {}).sort()).toEqual(Object.keys(spec.body.properties).sort());
  expect(body?.required ?? []).toEqual(spec.body.required ?? []);
  expect(op?.description).toContain(`Workflow update \`${action}\``);
  expect(op?.description).toContain(`in states ${spec.from.join(', ')}`);
  for (const role of spec.roles) expect(op?.description).toContain(role);
});

test('no transition route exists that the definition does not have', async () => {
  const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, Operation>> };
  const transitionPaths = Object.entries(doc.paths)
    .filter(([, ops]) => JSON.stringify(ops.post ?? {}).includes('Workflow update'))
    .map(([p]) => p.replace('/v1/service-requests/{id}/', ''))
    .sort();
  expect(transitionPaths).toEqual(
    ACTIONS.map((a) => LIFECYCLE[a].path)
      .filter(Boolean)
      .sort(),
  );
});
