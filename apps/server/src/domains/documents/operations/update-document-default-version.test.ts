import { expect, it } from 'vitest';
import { DescribeDocumentCommand, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { commandContent, createDocument, useTestServer } from './test-support.js';

describeEachDatabase('UpdateDocumentDefaultVersion', (dialect) => {
  const server = useTestServer(dialect);

  it('moves the default version, by number or $LATEST', async () => {
    const { ssm } = server();
    await createDocument(ssm, 'defaults');
    await ssm.send(new UpdateDocumentCommand({ Name: 'defaults', Content: commandContent('echo 2'), VersionName: 'second' }));
    await ssm.send(new UpdateDocumentCommand({ Name: 'defaults', Content: commandContent('echo 3') }));

    const moved = await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: 'defaults', DocumentVersion: '2' }));
    expect(moved.Description).toEqual({ Name: 'defaults', DefaultVersion: '2', DefaultVersionName: 'second' });
    expect((await ssm.send(new DescribeDocumentCommand({ Name: 'defaults' }))).Document).toMatchObject({ DocumentVersion: '2', DefaultVersion: '2', LatestVersion: '3' });

    const latest = await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: 'defaults', DocumentVersion: '$LATEST' }));
    expect(latest.Description).toEqual({ Name: 'defaults', DefaultVersion: '3' });
  });

  it('refuses versions that do not exist, unknown documents and built-ins', async () => {
    const { ssm } = server();
    await createDocument(ssm, 'single');
    await expect(ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: 'single', DocumentVersion: '7' }))).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    await expect(ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: 'nothing-here', DocumentVersion: '1' }))).rejects.toMatchObject({ name: 'InvalidDocument' });
    await expect(ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: 'AWS-RunPatchBaseline', DocumentVersion: '1' }))).rejects.toMatchObject({
      name: 'InvalidDocumentOperation',
    });
  });
});
