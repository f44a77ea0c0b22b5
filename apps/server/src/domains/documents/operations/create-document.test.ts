import { expect, it } from 'vitest';
import { CreateDocumentCommand, DescribeDocumentCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT } from '../../../testing/test-server.js';
import { commandContent, createDocument, useTestServer } from './test-support.js';

describeEachDatabase('CreateDocument', (dialect) => {
  const server = useTestServer(dialect);

  it('creates a Command document and describes its first version', async () => {
    const started = Date.now() / 1000;
    const { DocumentDescription: d } = await createDocument(server().ssm, 'hello-world', {
      DisplayName: 'Hello world',
      VersionName: 'release-1',
      TargetType: '/AWS::EC2::Instance',
      Tags: [{ Key: 'team', Value: 'ops' }],
    });
    expect(d).toMatchObject({
      Name: 'hello-world',
      DisplayName: 'Hello world',
      VersionName: 'release-1',
      Owner: TEST_ACCOUNT,
      Status: 'Active',
      DocumentVersion: '1',
      LatestVersion: '1',
      DefaultVersion: '1',
      DocumentType: 'Command',
      DocumentFormat: 'JSON',
      SchemaVersion: '2.2',
      HashType: 'Sha256',
      TargetType: '/AWS::EC2::Instance',
      Description: 'Runs echo hello-world',
      PlatformTypes: ['Linux', 'MacOS'],
      Parameters: [{ Name: 'greeting', Type: 'String', Description: 'What to say', DefaultValue: 'hi' }],
      Tags: [{ Key: 'team', Value: 'ops' }],
    });
    expect(d!.Hash).toMatch(/^[0-9a-f]{64}$/);
    expect(d!.CreatedDate!.getTime() / 1000).toBeGreaterThan(started - 5);
    expect(d!.CreatedDate!.getTime() / 1000).toBeLessThan(started + 60);
    const tags = await server().ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'hello-world' }));
    expect(tags.TagList).toEqual([{ Key: 'team', Value: 'ops' }]);
  });

  it('takes YAML content, and Automation documents as they are written', async () => {
    const yaml = ['schemaVersion: "2.2"', 'description: from yaml', 'mainSteps:', '  - action: aws:runShellScript', '    name: run', '    inputs:', '      runCommand: [uptime]', ''].join('\n');
    const created = await server().ssm.send(new CreateDocumentCommand({ Name: 'yaml-doc', Content: yaml, DocumentFormat: 'YAML' }));
    expect(created.DocumentDescription).toMatchObject({ DocumentFormat: 'YAML', DocumentType: 'Command', Description: 'from yaml' });
    const automation = JSON.stringify({ schemaVersion: '0.3', description: 'restart a node', mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT1M' } }] });
    const auto = await server().ssm.send(new CreateDocumentCommand({ Name: 'restart-node', Content: automation, DocumentType: 'Automation' }));
    expect(auto.DocumentDescription).toMatchObject({ DocumentType: 'Automation', SchemaVersion: '0.3', PlatformTypes: ['Windows', 'Linux', 'MacOS'] });
  });

  it('refuses a name in use, reserved names and names that break the pattern', async () => {
    const { ssm } = server();
    await createDocument(ssm, 'taken');
    await expect(createDocument(ssm, 'taken', { Content: commandContent('echo other') })).rejects.toMatchObject({
      name: 'DocumentAlreadyExists',
      message: 'Document with same name taken already exists.',
    });
    for (const reserved of ['AWS-RunShellScript', 'aws-mine', 'Amazon-Thing', 'amznTool', 'AWSSupport-Fix']) {
      await expect(createDocument(ssm, reserved)).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('reserved') });
    }
    for (const bad of ['ab', 'has space', 'slash/name', 'x'.repeat(129)]) {
      await expect(createDocument(ssm, bad)).rejects.toMatchObject({ name: 'ValidationException' });
    }
  });

  it('answers InvalidDocumentContent with the reason and the field', async () => {
    const content = commandContent('echo x', { mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['echo {{ nope }}'] } }] });
    const err = await createDocument(server().ssm, 'broken', { Content: content }).catch((e) => e);
    expect(err).toMatchObject({ name: 'InvalidDocumentContent' });
    expect(err.message).toBe('mainSteps[0].inputs.runCommand[0]: {{ nope }} does not name a parameter declared under parameters');
    await expect(createDocument(server().ssm, 'broken', { Content: 'schemaVersion: "2.2"' })).rejects.toMatchObject({ name: 'InvalidDocumentContent' });
    await expect(createDocument(server().ssm, 'broken', { Content: commandContent('x', { schemaVersion: '1.2' }) })).rejects.toMatchObject({
      name: 'InvalidDocumentSchemaVersion',
    });
    await expect(createDocument(server().ssm, 'broken', { Content: commandContent('x'.repeat(66_000)) })).rejects.toMatchObject({ name: 'MaxDocumentSizeExceeded' });
  });

  it('refuses what Tend does not support, saying so', async () => {
    const { ssm } = server();
    await expect(createDocument(ssm, 'appconfig', { DocumentType: 'ApplicationConfiguration' })).rejects.toMatchObject({
      name: 'InvalidDocumentType',
      message: expect.stringContaining('Command, Automation, Session, Package, Policy'),
    });
    await expect(createDocument(ssm, 'with-requires', { Requires: [{ Name: 'schema-doc' }] })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Requires'),
    });
    await expect(
      createDocument(ssm, 'with-attachments', { Attachments: [{ Key: 'SourceUrl', Values: ['https://example.com/a.zip'] }] }),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('attachments') });
    await expect(createDocument(ssm, 'text-doc', { DocumentFormat: 'TEXT' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new DescribeDocumentCommand({ Name: 'appconfig' }))).rejects.toMatchObject({ name: 'InvalidDocument' });
  });
});
