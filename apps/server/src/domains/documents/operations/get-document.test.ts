import { beforeAll, expect, it } from 'vitest';
import { GetDocumentCommand, UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import YAML from 'yaml';
import { describeEachDatabase, TEST_ACCOUNT, TEST_REGION } from '../../../testing/test-server.js';
import { commandContent, createDocument, useTestServer } from './test-support.js';

describeEachDatabase('GetDocument', (dialect) => {
  const server = useTestServer(dialect);
  const v1 = commandContent('echo one');
  const v2 = commandContent('echo two');

  beforeAll(async () => {
    const { ssm } = server();
    await createDocument(ssm, 'versioned', { Content: v1, VersionName: 'first', DisplayName: 'Versioned' });
    await ssm.send(new UpdateDocumentCommand({ Name: 'versioned', Content: v2, VersionName: 'second', DocumentVersion: '$LATEST' }));
  });

  it('returns the default version unless a version is selected', async () => {
    const { ssm } = server();
    const current = await ssm.send(new GetDocumentCommand({ Name: 'versioned' }));
    expect(current).toMatchObject({
      Name: 'versioned',
      DocumentVersion: '1',
      VersionName: 'first',
      DisplayName: 'Versioned',
      Status: 'Active',
      Content: v1,
      DocumentType: 'Command',
      DocumentFormat: 'JSON',
    });
    expect(current.CreatedDate).toBeInstanceOf(Date);
    expect((await ssm.send(new GetDocumentCommand({ Name: 'versioned', DocumentVersion: '2' }))).Content).toBe(v2);
    expect((await ssm.send(new GetDocumentCommand({ Name: 'versioned', DocumentVersion: '$LATEST' }))).DocumentVersion).toBe('2');
    expect((await ssm.send(new GetDocumentCommand({ Name: 'versioned', DocumentVersion: '$DEFAULT' }))).DocumentVersion).toBe('1');
    expect((await ssm.send(new GetDocumentCommand({ Name: 'versioned', VersionName: 'second' }))).Content).toBe(v2);
    expect((await ssm.send(new GetDocumentCommand({ Name: 'versioned', VersionName: 'second', DocumentVersion: '2' }))).DocumentVersion).toBe('2');
  });

  it('answers InvalidDocument and InvalidDocumentVersion', async () => {
    const { ssm } = server();
    await expect(ssm.send(new GetDocumentCommand({ Name: 'no-such-doc' }))).rejects.toMatchObject({ name: 'InvalidDocument' });
    await expect(ssm.send(new GetDocumentCommand({ Name: 'versioned', DocumentVersion: '3' }))).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    await expect(ssm.send(new GetDocumentCommand({ Name: 'versioned', DocumentVersion: '99999999999' }))).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    await expect(ssm.send(new GetDocumentCommand({ Name: 'versioned', VersionName: 'third' }))).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    await expect(ssm.send(new GetDocumentCommand({ Name: 'versioned', VersionName: 'first', DocumentVersion: '2' }))).rejects.toMatchObject({
      name: 'InvalidDocumentVersion',
    });
    await expect(ssm.send(new GetDocumentCommand({ Name: 'versioned', DocumentVersion: 'latest' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('converts the content to the format asked for', async () => {
    const { ssm } = server();
    const yaml = await ssm.send(new GetDocumentCommand({ Name: 'versioned', DocumentFormat: 'YAML' }));
    expect(yaml.DocumentFormat).toBe('YAML');
    expect(YAML.parse(yaml.Content!)).toEqual(JSON.parse(v1));
    const source = 'schemaVersion: 2.2\nmainSteps:\n  - action: aws:runShellScript\n    name: run\n    inputs:\n      runCommand: [uptime]\n';
    await createDocument(ssm, 'yaml-source', { Content: source, DocumentFormat: 'YAML' });
    const asJson = await ssm.send(new GetDocumentCommand({ Name: 'yaml-source', DocumentFormat: 'JSON' }));
    expect(JSON.parse(asJson.Content!)).toEqual({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['uptime'] } }] });
    expect((await ssm.send(new GetDocumentCommand({ Name: 'yaml-source' }))).Content).toBe(source);
  });

  it('serves the built-ins, by name or ARN', async () => {
    const { ssm } = server();
    const doc = await ssm.send(new GetDocumentCommand({ Name: 'AWS-RunShellScript' }));
    expect(doc).toMatchObject({ Name: 'AWS-RunShellScript', DocumentVersion: '1', DocumentType: 'Command', DocumentFormat: 'JSON' });
    expect(JSON.parse(doc.Content!).mainSteps[0].action).toBe('aws:runShellScript');
    const byArn = await ssm.send(new GetDocumentCommand({ Name: `arn:aws:ssm:${TEST_REGION}::document/AWS-RunShellScript` }));
    expect(byArn.Content).toBe(doc.Content);
    await expect(ssm.send(new GetDocumentCommand({ Name: 'AWS-RunShellScript', DocumentVersion: '2' }))).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    const own = await ssm.send(new GetDocumentCommand({ Name: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:document/versioned` }));
    expect(own.Name).toBe('versioned');
    await expect(ssm.send(new GetDocumentCommand({ Name: `arn:aws:ssm:${TEST_REGION}:999999999999:document/versioned` }))).rejects.toMatchObject({
      name: 'InvalidDocument',
    });
  });
});
