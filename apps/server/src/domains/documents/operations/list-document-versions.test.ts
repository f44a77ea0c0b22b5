import { beforeAll, expect, it } from 'vitest';
import { ListDocumentVersionsCommand, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { commandContent, createDocument, useTestServer } from './test-support.js';

describeEachDatabase('ListDocumentVersions', (dialect) => {
  const server = useTestServer(dialect);

  beforeAll(async () => {
    const { ssm } = server();
    await createDocument(ssm, 'many-versions', { VersionName: 'v1', DisplayName: 'Many' });
    for (let i = 2; i <= 5; i++) await ssm.send(new UpdateDocumentCommand({ Name: 'many-versions', Content: commandContent(`echo ${i}`), VersionName: `v${i}` }));
    await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: 'many-versions', DocumentVersion: '3' }));
  });

  it('lists versions oldest first, marking the default one', async () => {
    const { DocumentVersions } = await server().ssm.send(new ListDocumentVersionsCommand({ Name: 'many-versions' }));
    expect(DocumentVersions!.map((v) => [v.DocumentVersion, v.VersionName, v.IsDefaultVersion])).toEqual([
      ['1', 'v1', false],
      ['2', 'v2', false],
      ['3', 'v3', true],
      ['4', 'v4', false],
      ['5', 'v5', false],
    ]);
    expect(DocumentVersions![0]).toMatchObject({ Name: 'many-versions', DisplayName: 'Many', DocumentFormat: 'JSON', Status: 'Active', CreatedDate: expect.any(Date) });
    // DisplayName carries over to later versions.
    expect(DocumentVersions![4]!.DisplayName).toBe('Many');
  });

  it('pages with NextToken', async () => {
    const { ssm } = server();
    const first = await ssm.send(new ListDocumentVersionsCommand({ Name: 'many-versions', MaxResults: 2 }));
    expect(first.DocumentVersions!.map((v) => v.DocumentVersion)).toEqual(['1', '2']);
    const second = await ssm.send(new ListDocumentVersionsCommand({ Name: 'many-versions', MaxResults: 3, NextToken: first.NextToken }));
    expect(second.DocumentVersions!.map((v) => v.DocumentVersion)).toEqual(['3', '4', '5']);
    expect(second.NextToken).toBeUndefined();
    await createDocument(ssm, 'other-doc');
    await expect(ssm.send(new ListDocumentVersionsCommand({ Name: 'other-doc', NextToken: first.NextToken }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  it('lists the single version of a built-in, and refuses unknown documents', async () => {
    const { ssm } = server();
    const { DocumentVersions } = await ssm.send(new ListDocumentVersionsCommand({ Name: 'AWS-UpdateSSMAgent' }));
    expect(DocumentVersions).toEqual([
      { Name: 'AWS-UpdateSSMAgent', DocumentVersion: '1', CreatedDate: expect.any(Date), IsDefaultVersion: true, DocumentFormat: 'JSON', Status: 'Active' },
    ]);
    await expect(ssm.send(new ListDocumentVersionsCommand({ Name: 'missing-doc' }))).rejects.toMatchObject({ name: 'InvalidDocument' });
  });
});
