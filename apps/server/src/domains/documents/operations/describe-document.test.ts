import { beforeAll, expect, it } from 'vitest';
import { AddTagsToResourceCommand, DescribeDocumentCommand, UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT } from '../../../testing/test-server.js';
import { commandContent, createDocument, useTestServer } from './test-support.js';

describeEachDatabase('DescribeDocument', (dialect) => {
  const server = useTestServer(dialect);

  beforeAll(async () => {
    const { ssm } = server();
    await createDocument(ssm, 'described', { VersionName: 'v-one', TargetType: '/' });
    await ssm.send(new UpdateDocumentCommand({ Name: 'described', Content: commandContent('echo again'), DisplayName: 'Second' }));
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: 'described', Tags: [{ Key: 'env', Value: 'prod' }] }));
  });

  it('describes the default version, with the latest and default numbers and the tags', async () => {
    const { Document } = await server().ssm.send(new DescribeDocumentCommand({ Name: 'described' }));
    expect(Document).toMatchObject({
      Name: 'described',
      Owner: TEST_ACCOUNT,
      DocumentVersion: '1',
      VersionName: 'v-one',
      LatestVersion: '2',
      DefaultVersion: '1',
      TargetType: '/',
      Tags: [{ Key: 'env', Value: 'prod' }],
    });
    expect(Document!.DisplayName).toBeUndefined();
  });

  it('describes a selected version, which carried the target type over', async () => {
    const { Document } = await server().ssm.send(new DescribeDocumentCommand({ Name: 'described', DocumentVersion: '$LATEST' }));
    expect(Document).toMatchObject({ DocumentVersion: '2', DisplayName: 'Second', TargetType: '/', Description: 'Runs echo again' });
    expect(Document!.VersionName).toBeUndefined();
  });

  it('describes built-ins as owned by Amazon', async () => {
    const { Document } = await server().ssm.send(new DescribeDocumentCommand({ Name: 'AWS-RunPatchBaseline' }));
    expect(Document).toMatchObject({
      Name: 'AWS-RunPatchBaseline',
      Owner: 'Amazon',
      DocumentType: 'Command',
      SchemaVersion: '2.2',
      DocumentVersion: '1',
      PlatformTypes: ['Windows', 'Linux', 'MacOS'],
      Tags: [],
    });
    expect(Document!.Parameters!.find((p) => p.Name === 'RebootOption')).toMatchObject({ Type: 'String', DefaultValue: 'RebootIfNeeded' });
    await expect(server().ssm.send(new DescribeDocumentCommand({ Name: 'AWS-NoSuchDocument' }))).rejects.toMatchObject({ name: 'InvalidDocument' });
  });
});
