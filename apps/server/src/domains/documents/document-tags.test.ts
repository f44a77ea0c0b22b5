import { expect, it } from 'vitest';
import {
  AddTagsToResourceCommand,
  DeleteDocumentCommand,
  GetDocumentCommand,
  ListDocumentsCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT, TEST_REGION } from '../../testing/test-server.js';
import { createDocument, useTestServer, userWithPolicy } from './operations/test-support.js';

describeEachDatabase('Documents: tagging and authorization', (dialect) => {
  const server = useTestServer(dialect);

  it('tags documents through the tagging API, which ListDocuments then filters on', async () => {
    const { ssm } = server();
    await createDocument(ssm, 'tagged-doc');
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: 'tagged-doc', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'app', Value: 'web' }] }));
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Document', ResourceId: 'tagged-doc', TagKeys: ['app'] }));
    expect((await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'tagged-doc' }))).TagList).toEqual([{ Key: 'env', Value: 'prod' }]);
    const listed = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'tag:env', Values: ['prod'] }] }));
    expect(listed.DocumentIdentifiers!.map((d) => d.Name)).toEqual(['tagged-doc']);
  });

  it('refuses tags on documents that do not exist and on built-ins', async () => {
    const { ssm } = server();
    const tags = [{ Key: 'x', Value: 'y' }];
    await expect(ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: 'ghost-doc', Tags: tags }))).rejects.toMatchObject({
      name: 'InvalidResourceId',
    });
    await expect(ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Document', ResourceId: 'AWS-RunShellScript', Tags: tags }))).rejects.toMatchObject({
      name: 'InvalidResourceId',
    });
  });

  it('authorizes each call on the document ARN; built-ins have no account in theirs', async () => {
    const t = server();
    await createDocument(t.ssm, 'team-a-doc');
    await createDocument(t.ssm, 'team-b-doc');
    const { ssm } = await userWithPolicy(t, 'doc-reader', [
      {
        Effect: 'Allow',
        Action: ['ssm:GetDocument', 'ssm:DeleteDocument'],
        Resource: [`arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:document/team-a-*`, `arn:aws:ssm:${TEST_REGION}::document/AWS-RunShellScript`],
      },
    ]);
    expect((await ssm.send(new GetDocumentCommand({ Name: 'team-a-doc' }))).Name).toBe('team-a-doc');
    expect((await ssm.send(new GetDocumentCommand({ Name: 'AWS-RunShellScript' }))).Name).toBe('AWS-RunShellScript');
    await expect(ssm.send(new GetDocumentCommand({ Name: 'team-b-doc' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(ssm.send(new GetDocumentCommand({ Name: 'AWS-RunPatchBaseline' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(ssm.send(new ListDocumentsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Allowed by IAM, still refused: built-ins are read-only.
    await expect(ssm.send(new DeleteDocumentCommand({ Name: 'AWS-RunShellScript' }))).rejects.toMatchObject({ name: 'InvalidDocumentOperation' });
  });
});
