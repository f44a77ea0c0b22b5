import { afterAll, beforeAll, expect, it } from 'vitest';
import { AddTagsToResourceCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument, putTestParameter } from '../../iam/iam-test-fixtures.js';
import { TAGS_CHANGE_EVENT, type TagsChangeEvent } from '../tags.store.js';

describeEachDatabase('AmazonSSM.AddTagsToResource', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    for (const name of ['/app/dev/db', '/app/prod/db', 'top', '/full', '/limit/p']) await putTestParameter(t, name, 'v');
  });
  afterAll(async () => t?.close());

  const tagsOf = async (ResourceId: string) => (await t.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId }))).TagList;
  const events = async () =>
    (await t.server.services.db.selectFrom('outbox_events').selectAll().where('event_type', '=', TAGS_CHANGE_EVENT).orderBy('id').execute()).map(
      (r) => JSON.parse(r.payload) as TagsChangeEvent,
    );

  it('adds tags, overwrites values and writes one resource.tags.change event per change', async () => {
    const before = (await events()).length;
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/dev/db', Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: '' }] }));
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/dev/db', Tags: [{ Key: 'env', Value: 'development' }] }));
    expect(await tagsOf('/app/dev/db')).toEqual([{ Key: 'env', Value: 'development' }, { Key: 'owner', Value: '' }]);

    const written = (await events()).slice(before);
    expect(written).toHaveLength(2);
    expect(written[1]).toEqual({
      resourceType: 'Parameter',
      resourceId: '/app/dev/db',
      resourceArn: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/app/dev/db`,
      set: [{ Key: 'env', Value: 'development' }],
      removed: [],
      tags: [{ Key: 'env', Value: 'development' }, { Key: 'owner', Value: '' }],
    });

    // Setting the same values again changes nothing and announces nothing.
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/dev/db', Tags: [{ Key: 'env', Value: 'development' }] }));
    expect((await events()).length).toBe(before + 2);
  });

  it('treats a top-level name with and without its leading slash as one parameter', async () => {
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/top', Tags: [{ Key: 'a', Value: '1' }] }));
    expect(await tagsOf('top')).toEqual([{ Key: 'a', Value: '1' }]);
  });

  it('answers InvalidResourceId for an unknown parameter and InvalidResourceType for types Tend cannot tag yet', async () => {
    await expect(t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/nope', Tags: [{ Key: 'a', Value: '1' }] }))).rejects.toMatchObject({
      name: 'InvalidResourceId',
    });
    await expect(
      t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'OpsMetadata', ResourceId: 'arn:aws:ssm:us-east-1:123456789012:opsmetadata/app', Tags: [{ Key: 'a', Value: '1' }] })),
    ).rejects.toMatchObject({ name: 'InvalidResourceType', message: expect.stringContaining('supported resource types: Parameter') });
    await expect(t.api.ssm('AddTagsToResource', { ResourceType: 'Bucket', ResourceId: 'x', Tags: [{ Key: 'a', Value: '1' }] })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it.each([
    ['a key with the aws: prefix', [{ Key: 'aws:cloudformation:stack', Value: 'x' }]],
    ['an empty key', [{ Key: '', Value: 'x' }]],
    ['a key over 128 characters', [{ Key: 'k'.repeat(129), Value: 'x' }]],
    ['a value over 256 characters', [{ Key: 'k', Value: 'v'.repeat(257) }]],
    ['a key with a forbidden character', [{ Key: 'a*b', Value: 'x' }]],
    ['no tags', []],
    ['one key twice', [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }]],
  ])('refuses %s with ValidationException', async (_what, Tags) => {
    await expect(t.api.ssm('AddTagsToResource', { ResourceType: 'Parameter', ResourceId: '/full', Tags })).rejects.toMatchObject({ name: 'ValidationException' });
    expect(await tagsOf('/full')).toEqual([]);
  });

  it('accepts tags up to 50 per parameter and refuses a change that would pass it, writing nothing', async () => {
    const tags = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${String(from + i).padStart(2, '0')}`, Value: 'é 1:2/3=+-@' }));
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/limit/p', Tags: tags(0, 45) }));
    const before = (await events()).length;
    await expect(t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/limit/p', Tags: tags(40, 11) }))).rejects.toMatchObject({
      name: 'TooManyTagsError',
    });
    expect(await tagsOf('/limit/p')).toHaveLength(45);
    expect((await events()).length).toBe(before);

    // Overwriting existing keys does not count against the limit.
    await t.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/limit/p', Tags: tags(40, 10) }));
    expect(await tagsOf('/limit/p')).toHaveLength(50);
  });

  it('is authorized on the parameter’s ARN', async () => {
    const dev = await createUserWithKey(
      t,
      'tagger',
      policyDocument({ Effect: 'Allow', Action: 'ssm:AddTagsToResource', Resource: 'arn:aws:ssm:*:*:parameter/app/dev/*' }),
    );
    await dev.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/dev/db', Tags: [{ Key: 'by', Value: 'tagger' }] }));
    await expect(
      dev.ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/prod/db', Tags: [{ Key: 'by', Value: 'tagger' }] })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(await tagsOf('/app/prod/db')).toEqual([]);
  });
});
