import { beforeAll, expect, it } from 'vitest';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT, TEST_REGION } from '../../testing/test-server.js';
import { everythingStored, useTestServer } from '../parameters/operations/test-support.js';
import { builtinDocument } from './builtin-documents.js';
import { commandDocumentOf } from './document-content.js';
import { parameterStoreReader } from './parameter-store-reader.js';
import { renderCommand } from './render-command.js';

describeEachDatabase('Parameter Store references in commands', (dialect) => {
  const server = useTestServer(dialect);
  const scope = { region: TEST_REGION, accountId: TEST_ACCOUNT };
  const reader = (canRead: (arn: string) => boolean = () => true) =>
    parameterStoreReader({ store: server().server.services.parameters, scope, canRead });

  beforeAll(async () => {
    const { ssm } = server();
    await ssm.send(new PutParameterCommand({ Name: '/deploy/dir', Value: '/srv/app', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/deploy/dir', Value: '/srv/app2', Type: 'String', Overwrite: true }));
    await ssm.send(new PutParameterCommand({ Name: '/deploy/token', Value: 'tok-7f3a9c', Type: 'SecureString' }));
  });

  it('reads values, versions and SecureStrings (decrypted, and marked secret)', async () => {
    const read = reader();
    expect(await read('/deploy/dir')).toEqual({ value: '/srv/app2', type: 'String' });
    expect(await read('/deploy/dir:1')).toEqual({ value: '/srv/app', type: 'String' });
    expect(await read(`arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/deploy/dir`)).toEqual({ value: '/srv/app2', type: 'String' });
    expect(await read('/deploy/token')).toEqual({ value: 'tok-7f3a9c', type: 'SecureString' });
    expect(await read('/deploy/none')).toBeUndefined();
    expect(await read('/deploy/dir:1:2')).toBeUndefined();
  });

  it('renders AWS-RunShellScript with them, the secret going nowhere but the step', async () => {
    const rendered = await renderCommand({
      document: commandDocumentOf(builtinDocument('AWS-RunShellScript')!.version),
      parameters: { commands: ['curl -H "X-Token: {{ssm:/deploy/token}}" https://example.com'], workingDirectory: ['{{ssm:/deploy/dir}}'] },
      readParameter: reader(),
    });
    expect(rendered.steps[0]!.inputs).toMatchObject({ runCommand: ['curl -H "X-Token: tok-7f3a9c" https://example.com'], workingDirectory: '/srv/app2' });
    expect(rendered.steps[0]!.secret).toBe(true);
    expect(rendered.secretValues).toEqual(['tok-7f3a9c']);
    // Rendering wrote nothing: the clear secret is nowhere in the database.
    expect(await everythingStored(server())).not.toContain('tok-7f3a9c');
  });

  it("refuses a reference to a parameter the sender may not read", async () => {
    const read = reader((arn) => !arn.endsWith('/deploy/token'));
    await expect(read('/deploy/token')).rejects.toMatchObject({ type: 'AccessDeniedException' });
    expect(await read('/deploy/dir')).toMatchObject({ value: '/srv/app2' });
  });
});
