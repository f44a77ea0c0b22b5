import { expect, it } from 'vitest';
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentCommand,
  ListDocumentVersionsCommand,
  ListTagsForResourceCommand,
  UpdateDocumentCommand,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { commandContent, createDocument, useTestServer } from './test-support.js';

describeEachDatabase('DeleteDocument', (dialect) => {
  const server = useTestServer(dialect);

  it('deletes a document with all its versions and tags; the name can then be used again', async () => {
    const { ssm } = server();
    await createDocument(ssm, 'doomed', { Tags: [{ Key: 'a', Value: 'b' }] });
    await ssm.send(new UpdateDocumentCommand({ Name: 'doomed', Content: commandContent('echo 2') }));
    await ssm.send(new DeleteDocumentCommand({ Name: 'doomed' }));
    await expect(ssm.send(new DescribeDocumentCommand({ Name: 'doomed' }))).rejects.toMatchObject({ name: 'InvalidDocument' });
    await expect(ssm.send(new DeleteDocumentCommand({ Name: 'doomed' }))).rejects.toMatchObject({ name: 'InvalidDocument' });

    const again = await ssm.send(new CreateDocumentCommand({ Name: 'doomed', Content: commandContent('echo reborn') }));
    expect(again.DocumentDescription).toMatchObject({ DocumentVersion: '1', LatestVersion: '1', Tags: [] });
    expect((await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'doomed' }))).TagList).toEqual([]);
  });

  it('deletes one version by number or name, never the default one', async () => {
    const { ssm } = server();
    await createDocument(ssm, 'pruned', { VersionName: 'one' });
    await ssm.send(new UpdateDocumentCommand({ Name: 'pruned', Content: commandContent('echo 2'), VersionName: 'two' }));
    await ssm.send(new UpdateDocumentCommand({ Name: 'pruned', Content: commandContent('echo 3'), VersionName: 'three' }));

    await expect(ssm.send(new DeleteDocumentCommand({ Name: 'pruned', DocumentVersion: '1' }))).rejects.toMatchObject({
      name: 'InvalidDocumentOperation',
      message: expect.stringContaining('default version'),
    });
    await expect(ssm.send(new DeleteDocumentCommand({ Name: 'pruned', VersionName: 'one' }))).rejects.toMatchObject({ name: 'InvalidDocumentOperation' });
    await expect(ssm.send(new DeleteDocumentCommand({ Name: 'pruned', DocumentVersion: '9' }))).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });

    await ssm.send(new DeleteDocumentCommand({ Name: 'pruned', VersionName: 'two' }));
    await ssm.send(new DeleteDocumentCommand({ Name: 'pruned', DocumentVersion: '$LATEST' }));
    const { DocumentVersions } = await ssm.send(new ListDocumentVersionsCommand({ Name: 'pruned' }));
    expect(DocumentVersions!.map((v) => v.DocumentVersion)).toEqual(['1']);
    expect((await ssm.send(new DescribeDocumentCommand({ Name: 'pruned' }))).Document).toMatchObject({ LatestVersion: '1' });

    // Numbers of deleted versions are not given out again.
    const next = await ssm.send(new UpdateDocumentCommand({ Name: 'pruned', Content: commandContent('echo 4') }));
    expect(next.DocumentDescription?.DocumentVersion).toBe('4');
  });

  it('refuses to delete a built-in', async () => {
    await expect(server().ssm.send(new DeleteDocumentCommand({ Name: 'AWS-RunShellScript' }))).rejects.toMatchObject({ name: 'InvalidDocumentOperation' });
    expect((await server().ssm.send(new DescribeDocumentCommand({ Name: 'AWS-RunShellScript' }))).Document?.Name).toBe('AWS-RunShellScript');
  });
});
