import { expect, it } from 'vitest';
import { DescribeDocumentCommand, GetDocumentCommand, UpdateDocumentCommand, type UpdateDocumentCommandInput } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { MAX_DOCUMENT_VERSIONS } from '../document-rules.js';
import { commandContent, createDocument, useTestServer } from './test-support.js';

describeEachDatabase('UpdateDocument', (dialect) => {
  const server = useTestServer(dialect);
  const update = (input: Omit<UpdateDocumentCommandInput, 'Content'> & { Content?: string }) =>
    server().ssm.send(new UpdateDocumentCommand({ Content: commandContent(`echo ${Math.random()}`), ...input }));

  it('writes a new latest version and leaves the default where it was', async () => {
    await createDocument(server().ssm, 'upd', { VersionName: 'one', TargetType: '/AWS::EC2::Instance', Tags: [{ Key: 'k', Value: 'v' }] });
    const content = commandContent('echo updated');
    const { DocumentDescription: d } = await update({ Name: 'upd', Content: content, DocumentVersion: '$LATEST', VersionName: 'two', DisplayName: 'Upd' });
    expect(d).toMatchObject({
      DocumentVersion: '2',
      LatestVersion: '2',
      DefaultVersion: '1',
      VersionName: 'two',
      DisplayName: 'Upd',
      TargetType: '/AWS::EC2::Instance',
      Tags: [{ Key: 'k', Value: 'v' }],
    });
    expect((await server().ssm.send(new GetDocumentCommand({ Name: 'upd', DocumentVersion: '2' }))).Content).toBe(content);
    expect((await server().ssm.send(new GetDocumentCommand({ Name: 'upd' }))).DocumentVersion).toBe('1');
    // The latest version by its number works as well as $LATEST.
    expect((await update({ Name: 'upd', DocumentVersion: '2' })).DocumentDescription?.DocumentVersion).toBe('3');
  });

  it('refuses identical content, a used version name and an update of an older version', async () => {
    const content = commandContent('echo same');
    await createDocument(server().ssm, 'dupes', { Content: content, VersionName: 'taken' });
    await expect(update({ Name: 'dupes', Content: content })).rejects.toMatchObject({ name: 'DuplicateDocumentContent' });
    await expect(update({ Name: 'dupes', VersionName: 'taken' })).rejects.toMatchObject({ name: 'DuplicateDocumentVersionName' });
    await update({ Name: 'dupes' });
    await expect(update({ Name: 'dupes', DocumentVersion: '1' })).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    // Going back to the content of an older version is a duplicate too.
    await expect(update({ Name: 'dupes', Content: content })).rejects.toMatchObject({ name: 'DuplicateDocumentContent' });
  });

  it('checks the content against the document type, in the format given', async () => {
    await createDocument(server().ssm, 'typed');
    await expect(update({ Name: 'typed', Content: JSON.stringify({ schemaVersion: '0.3', mainSteps: [] }) })).rejects.toMatchObject({
      name: 'InvalidDocumentSchemaVersion',
    });
    const yaml = 'schemaVersion: "2.2"\nmainSteps:\n  - action: aws:runShellScript\n    name: run\n    inputs: {runCommand: [id]}\n';
    await expect(update({ Name: 'typed', Content: yaml })).rejects.toMatchObject({ name: 'InvalidDocumentContent', message: expect.stringContaining('DocumentFormat') });
    expect((await update({ Name: 'typed', Content: yaml, DocumentFormat: 'YAML' })).DocumentDescription?.DocumentFormat).toBe('YAML');
  });

  it('refuses changes to missing documents and to built-ins', async () => {
    await expect(update({ Name: 'not-there' })).rejects.toMatchObject({ name: 'InvalidDocument' });
    await expect(update({ Name: 'AWS-RunShellScript' })).rejects.toMatchObject({ name: 'InvalidDocumentOperation' });
    const { Document } = await server().ssm.send(new DescribeDocumentCommand({ Name: 'AWS-RunShellScript' }));
    expect(Document?.LatestVersion).toBe('1');
  });

  it(`stops at ${MAX_DOCUMENT_VERSIONS} versions`, async () => {
    await createDocument(server().ssm, 'full');
    // Fill the document to one below the limit directly: a thousand API calls would only make the test slow.
    const db = server().server.services.db;
    const template = await db.selectFrom('document_versions').selectAll().where('name', '=', 'full').executeTakeFirstOrThrow();
    const rows = Array.from({ length: MAX_DOCUMENT_VERSIONS - 2 }, (_, i) => ({ ...template, version: i + 2, hash: `filler-${i}`, version_name: null }));
    for (let i = 0; i < rows.length; i += 100) await db.insertInto('document_versions').values(rows.slice(i, i + 100)).execute();
    await db.updateTable('documents').set({ latest_version: MAX_DOCUMENT_VERSIONS - 1, last_version_number: MAX_DOCUMENT_VERSIONS - 1 }).where('name', '=', 'full').execute();

    expect((await update({ Name: 'full' })).DocumentDescription?.DocumentVersion).toBe(String(MAX_DOCUMENT_VERSIONS));
    await expect(update({ Name: 'full' })).rejects.toMatchObject({ name: 'DocumentVersionLimitExceeded' });
  });

  it('gives each of concurrent updates its own version number', async () => {
    await createDocument(server().ssm, 'racy');
    const results = await Promise.all(Array.from({ length: 8 }, () => update({ Name: 'racy' })));
    expect(results.map((r) => Number(r.DocumentDescription!.DocumentVersion)).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
