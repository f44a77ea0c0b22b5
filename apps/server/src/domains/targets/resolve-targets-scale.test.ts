import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../testing/test-server.js';
import { resolveTargets } from './resolve-targets.js';
import { insertTestNodes, nodeTagQuery, testNodeId, type TestNode } from './managed-node-fixtures.js';

const NODES = 10_000;
const scope = { region: TEST_REGION, accountId: TEST_ACCOUNT };
// Generous for a 2-core machine under a parallel test run; one statement answers in tens of milliseconds.
const BUDGET_MS = 3000;

describeEachDatabase('resolveTargets on 10,000 nodes', (dialect) => {
  let t: TestServer;
  const fleet: TestNode[] = Array.from({ length: NODES }, (_, i) => ({
    id: testNodeId(i),
    status: i % 97 === 0 ? 'Inactive' : 'Online',
    tags: { env: ['prod', 'staging', 'dev'][i % 3]!, role: ['web', 'db', 'cache', 'queue'][i % 4]!, rack: `r${i % 50}`, ...(i % 10 === 0 ? { canary: 'yes' } : {}) },
  }));
  const expected = (keep: (n: TestNode) => boolean) => fleet.filter((n) => n.status !== 'Inactive' && keep(n)).map((n) => n.id);

  beforeAll(async () => {
    t = await startTestServer(dialect);
    await insertTestNodes(t.server.services.db, fleet);
    await t.api.tend('CreateGroup', { Name: 'prod-web', ResourceQuery: nodeTagQuery([{ Key: 'env', Values: ['prod'] }, { Key: 'role', Values: ['web', 'cache'] }]) });
  }, 120_000);
  afterAll(async () => t?.close());

  async function timed(input: Parameters<typeof resolveTargets>[1]) {
    const started = performance.now();
    const result = await resolveTargets(t.server.services.db, input, { scope });
    return { ids: result.instanceIds, ms: performance.now() - started };
  }

  it('resolves tag, tag-key and group targets over the whole fleet in one statement each', async () => {
    const cases: [Parameters<typeof resolveTargets>[1], string[]][] = [
      [{ Targets: [{ Key: 'tag:env', Values: ['prod'] }] }, expected((n) => n.tags!.env === 'prod')],
      [
        { Targets: [{ Key: 'tag:env', Values: ['prod', 'staging'] }, { Key: 'tag:role', Values: ['db'] }, { Key: 'tag-key', Values: ['canary'] }] },
        expected((n) => ['prod', 'staging'].includes(n.tags!.env!) && n.tags!.role === 'db' && 'canary' in n.tags!),
      ],
      [{ Targets: [{ Key: 'resource-groups:Name', Values: ['prod-web'] }] }, expected((n) => n.tags!.env === 'prod' && ['web', 'cache'].includes(n.tags!.role!))],
      [{ Targets: [{ Key: 'resource-groups:ResourceTypeFilters', Values: ['AWS::SSM::ManagedInstance'] }] }, expected(() => true)],
    ];
    for (const [input, want] of cases) {
      const { ids, ms } = await timed(input);
      expect(ids).toEqual(want);
      expect(ms, JSON.stringify(input)).toBeLessThan(BUDGET_MS);
    }
  });

  it('pages a 10,000-node group through ListGroupResources', async () => {
    await t.api.tend('CreateGroup', { Name: 'racked', ResourceQuery: nodeTagQuery([{ Key: 'rack' }]) });
    let count = 0;
    let NextToken: string | undefined;
    const started = performance.now();
    do {
      const page = await t.api.tend('ListGroupResources', { Group: 'racked', MaxResults: 50, ...(NextToken ? { NextToken } : {}) });
      count += page.Resources.length;
      NextToken = page.NextToken;
    } while (NextToken);
    expect(count).toBe(expected(() => true).length);
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});
