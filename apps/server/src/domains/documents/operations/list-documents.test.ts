import { beforeAll, expect, it } from 'vitest';
import { CreateDocumentCommand, ListDocumentsCommand, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand, type ListDocumentsCommandInput } from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT } from '../../../testing/test-server.js';
import { commandContent, createDocument, useTestServer } from './test-support.js';

describeEachDatabase('ListDocuments', (dialect) => {
  const server = useTestServer(dialect);
  const BUILTINS = ['AWS-RunPatchBaseline', 'AWS-RunShellScript', 'AWS-UpdateSSMAgent'];

  beforeAll(async () => {
    const { ssm } = server();
    await createDocument(ssm, 'Apple-check', { Tags: [{ Key: 'team', Value: 'web' }] });
    await createDocument(ssm, 'Team-deploy', { Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'tier', Value: 'gold' }], TargetType: '/AWS::EC2::Instance' });
    await createDocument(ssm, 'Team_restart');
    await createDocument(ssm, 'zeta-windows', {
      Content: JSON.stringify({
        schemaVersion: '2.2',
        mainSteps: [{ action: 'aws:runPowerShellScript', name: 'ps', precondition: { StringEquals: ['platformType', 'Windows'] }, inputs: { runCommand: ['dir'] } }],
      }),
    });
    const automation = JSON.stringify({ schemaVersion: '0.3', mainSteps: [{ name: 'wait', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }] });
    await ssm.send(new CreateDocumentCommand({ Name: 'auto-thing', Content: automation, DocumentType: 'Automation' }));
  });

  const names = async (input: ListDocumentsCommandInput = {}) =>
    ((await server().ssm.send(new ListDocumentsCommand(input))).DocumentIdentifiers ?? []).map((d) => d.Name);

  it('lists the built-ins and the account documents together, in name order', async () => {
    expect(await names()).toEqual(['AWS-RunPatchBaseline', 'AWS-RunShellScript', 'AWS-UpdateSSMAgent', 'Apple-check', 'Team-deploy', 'Team_restart', 'auto-thing', 'zeta-windows']);
    const { DocumentIdentifiers } = await server().ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Name', Values: ['Team-'] }] }));
    expect(DocumentIdentifiers).toEqual([
      {
        Name: 'Team-deploy',
        CreatedDate: expect.any(Date),
        Owner: TEST_ACCOUNT,
        PlatformTypes: ['Linux', 'MacOS'],
        DocumentVersion: '1',
        DocumentType: 'Command',
        SchemaVersion: '2.2',
        DocumentFormat: 'JSON',
        TargetType: '/AWS::EC2::Instance',
        Tags: [
          { Key: 'team', Value: 'ops' },
          { Key: 'tier', Value: 'gold' },
        ],
      },
    ]);
  });

  it('filters by owner', async () => {
    expect(await names({ Filters: [{ Key: 'Owner', Values: ['Amazon'] }] })).toEqual(BUILTINS);
    expect(await names({ Filters: [{ Key: 'Owner', Values: ['Self'] }] })).toEqual(['Apple-check', 'Team-deploy', 'Team_restart', 'auto-thing', 'zeta-windows']);
    expect(await names({ Filters: [{ Key: 'Owner', Values: [TEST_ACCOUNT] }] })).toHaveLength(5);
    expect(await names({ Filters: [{ Key: 'Owner', Values: ['ThirdParty'] }] })).toEqual([]);
    expect(await names({ DocumentFilterList: [{ key: 'Owner', value: 'Amazon' }] })).toEqual(BUILTINS);
    await expect(names({ Filters: [{ Key: 'Owner', Values: ['Self', 'Amazon'] }] })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(names({ Filters: [{ Key: 'Owner', Values: ['Somebody'] }] })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('filters by name prefix, type, platform, target type and tags; keys AND, values OR', async () => {
    expect(await names({ Filters: [{ Key: 'Name', Values: ['Team', 'AWS-Run'] }] })).toEqual(['AWS-RunPatchBaseline', 'AWS-RunShellScript', 'Team-deploy', 'Team_restart']);
    // "_" is a literal in a name prefix, not a wildcard.
    expect(await names({ Filters: [{ Key: 'Name', Values: ['Team_'] }] })).toEqual(['Team_restart']);
    expect(await names({ Filters: [{ Key: 'DocumentType', Values: ['Automation'] }] })).toEqual(['auto-thing']);
    expect(await names({ Filters: [{ Key: 'PlatformTypes', Values: ['Windows'] }, { Key: 'Owner', Values: ['Self'] }] })).toEqual(['auto-thing', 'zeta-windows']);
    expect(await names({ Filters: [{ Key: 'PlatformTypes', Values: ['Windows'] }, { Key: 'DocumentType', Values: ['Command'] }] })).toEqual([
      'AWS-RunPatchBaseline',
      'AWS-UpdateSSMAgent',
      'zeta-windows',
    ]);
    expect(await names({ Filters: [{ Key: 'PlatformTypes', Values: ['Solaris'] }] })).toEqual([]);
    expect(await names({ Filters: [{ Key: 'TargetType', Values: ['/AWS::EC2::Instance'] }] })).toEqual(['Team-deploy']);
    expect(await names({ Filters: [{ Key: 'tag:team', Values: ['web', 'ops'] }] })).toEqual(['Apple-check', 'Team-deploy']);
    expect(await names({ Filters: [{ Key: 'tag:team' }, { Key: 'tag:tier', Values: ['gold'] }] })).toEqual(['Team-deploy']);
    expect(await names({ DocumentFilterList: [{ key: 'Name', value: 'Apple' }, { key: 'Name', value: 'zeta' }] })).toEqual(['Apple-check', 'zeta-windows']);
  });

  it('refuses unknown keys, a key given twice and both filter lists at once', async () => {
    await expect(names({ Filters: [{ Key: 'Color', Values: ['red'] }] })).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    await expect(names({ Filters: [{ Key: 'Name', Values: ['a'] }, { Key: 'Name', Values: ['b'] }] })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(names({ Filters: [{ Key: 'Name', Values: ['a'] }], DocumentFilterList: [{ key: 'Name', value: 'a' }] })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('pages through both sources with NextToken', async () => {
    const { ssm } = server();
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.send(new ListDocumentsCommand({ MaxResults: 3, NextToken: token }));
      seen.push(...page.DocumentIdentifiers!.map((d) => d.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(await names());

    const first = await ssm.send(new ListDocumentsCommand({ MaxResults: 2, Filters: [{ Key: 'Owner', Values: ['Self'] }] }));
    await expect(ssm.send(new ListDocumentsCommand({ MaxResults: 2, NextToken: first.NextToken }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
    await expect(ssm.send(new ListDocumentsCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
    await expect(ssm.send(new ListDocumentsCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('describes each document by its default version', async () => {
    const { ssm } = server();
    await ssm.send(new UpdateDocumentCommand({ Name: 'Team_restart', Content: commandContent('echo v2'), VersionName: 'two' }));
    const before = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Name', Values: ['Team_'] }] }));
    expect(before.DocumentIdentifiers![0]).toMatchObject({ DocumentVersion: '1' });
    expect(before.DocumentIdentifiers![0]!.VersionName).toBeUndefined();
    await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: 'Team_restart', DocumentVersion: '2' }));
    const after = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Name', Values: ['Team_'] }] }));
    expect(after.DocumentIdentifiers![0]).toMatchObject({ DocumentVersion: '2', VersionName: 'two' });
  });
});
