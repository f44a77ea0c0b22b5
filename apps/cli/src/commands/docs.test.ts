import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDocumentCommand } from '@aws-sdk/client-ssm';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { runTend, jsonRunner, rootEnvFor } from '../testing/run-tend.js';

const HELLO_YAML = `schemaVersion: '2.2'
description: Say hello from the CLI test
parameters:
  greeting:
    type: String
    default: hello
mainSteps:
  - action: aws:runShellScript
    name: hello
    inputs:
      runCommand:
        - echo {{ greeting }}
`;

const HELLO_V2_JSON = JSON.stringify(
  {
    schemaVersion: '2.2',
    description: 'Say hello, version 2',
    mainSteps: [{ action: 'aws:runShellScript', name: 'hello', inputs: { runCommand: ['echo hello again'] } }],
  },
  null,
  2,
);

// `tend docs …` as a user runs it: the real binary in a child process against a real server.
describe('tend docs', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const tend = (...args: string[]) => runTend(['docs', ...args], { env });
  const tendJson = jsonRunner(tend);
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-cli-docs-'));
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the built-in documents as a table and as JSON', async () => {
    const ls = await tend('ls', '--owner', 'Amazon');
    expect(ls.code).toBe(0);
    expect(ls.stdout.split('\n')[0]).toMatch(/^NAME\s+OWNER\s+TYPE\s+DEFAULT\s+LATEST\s+FORMAT$/);
    expect(ls.stdout).toMatch(/^AWS-RunShellScript\s+Amazon\s+Command\s+1\s+1\s+JSON$/m);

    const json = await tendJson('ls', '--owner', 'Amazon', '--type', 'Command');
    const names = json.DocumentIdentifiers.map((d: { Name: string }) => d.Name);
    expect(names).toEqual(expect.arrayContaining(['AWS-RunShellScript', 'AWS-UpdateSSMAgent']));
    expect(json.DocumentIdentifiers.find((d: { Name: string }) => d.Name === 'AWS-RunShellScript')).toMatchObject({ Owner: 'Amazon', DefaultVersion: '1', LatestVersion: '1' });

    expect(await tend('ls', '--owner', 'Self')).toMatchObject({ code: 0, stdout: 'No documents match.\n' });
  });

  it('creates a document from a YAML file and shows it back unchanged', async () => {
    const yaml = file('hello.yaml', HELLO_YAML);
    const created = await tend('create', 'Cli-Hello', '--file', yaml, '--version-name', 'first');
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^NAME\s+VERSION\s+TYPE\s+FORMAT\nCli-Hello\s+1\s+Command\s+YAML\n$/);

    const show = await tend('show', 'Cli-Hello');
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^Name:\s+Cli-Hello$/m);
    expect(show.stdout).toMatch(/^Format:\s+YAML$/m);
    expect(show.stdout).toMatch(/^VersionName:\s+first$/m);
    expect(show.stdout).toMatch(/^Parameters:\s+greeting$/m);
    // The content comes last, byte for byte as it was written.
    expect(show.stdout.endsWith(`\n\n${HELLO_YAML}`)).toBe(true);

    const json = await tendJson('show', 'Cli-Hello');
    expect(json.Content).toBe(HELLO_YAML);
    expect(json).toMatchObject({ DocumentFormat: 'YAML', Document: { Name: 'Cli-Hello', DocumentType: 'Command', SchemaVersion: '2.2' } });

    // The same document converted by the server.
    const asJson = await tendJson('show', 'Cli-Hello', '--format', 'JSON');
    expect(asJson.DocumentFormat).toBe('JSON');
    expect(JSON.parse(asJson.Content)).toMatchObject({ schemaVersion: '2.2', parameters: { greeting: { type: 'String', default: 'hello' } } });

    // What `show --json` printed can be written back: the YAML round trip.
    const copy = file('copy.yml', json.Content);
    expect((await tendJson('create', 'Cli-Hello-Copy', '--file', copy)).DocumentDescription).toMatchObject({ Name: 'Cli-Hello-Copy', DocumentFormat: 'YAML' });
    expect((await tendJson('show', 'Cli-Hello-Copy')).Content).toBe(HELLO_YAML);
  });

  it('updates a document: prints the new version, the default stays, --version selects one', async () => {
    const update = await tend('update', 'Cli-Hello', '--file', file('hello-v2.json', HELLO_V2_JSON));
    expect(update.stderr).toBe('');
    expect(update.stdout).toMatch(/^NAME\s+VERSION\s+DEFAULT\s+FORMAT\nCli-Hello\s+2\s+1\s+JSON\n$/);

    const v2 = await tendJson('show', 'Cli-Hello', '--version', '2');
    expect(v2.Content).toBe(HELLO_V2_JSON);
    expect((await tendJson('show', 'Cli-Hello')).Content).toBe(HELLO_YAML);

    const ls = await tend('ls', '--owner', 'Self');
    expect(ls.stdout).toMatch(/^Cli-Hello\s+\d{12}\s+Command\s+1\s+2\s+YAML$/m);
  });

  it('lists every page of documents', async () => {
    const content = JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'n', inputs: { runCommand: ['true'] } }] });
    for (let i = 0; i < 55; i++) {
      await t.ssm.send(new CreateDocumentCommand({ Name: `Cli-Many-${String(i).padStart(2, '0')}`, Content: content, DocumentType: 'Command' }));
    }
    const json = await tendJson('ls', '--name', 'Cli-Many-');
    expect(json.DocumentIdentifiers).toHaveLength(55);
    expect(json.DocumentIdentifiers.every((d: { LatestVersion: string }) => d.LatestVersion === '1')).toBe(true);
  });

  it('deletes a document; errors are `tend: <ErrorName>: <message>` with exit code 1', async () => {
    expect(await tend('rm', 'Cli-Hello-Copy')).toMatchObject({ code: 0, stdout: 'DELETED\nCli-Hello-Copy\n', stderr: '' });
    expect(await tendJson('rm', 'Cli-Many-00')).toEqual({ DeletedDocument: 'Cli-Many-00' });

    const gone = await tend('show', 'Cli-Hello-Copy');
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toMatch(/^tend: InvalidDocument: .+\n$/);

    const builtIn = await tend('rm', 'AWS-RunShellScript');
    expect(builtIn.code).toBe(1);
    expect(builtIn.stderr).toMatch(/^tend: InvalidDocumentOperation: .+\n$/);

    const bad = await tend('create', 'Cli-Bad', '--file', file('bad.yaml', "schemaVersion: '2.2'\nmainSteps: 7\n"));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^tend: InvalidDocumentContent: .+\n$/);

    const noFile = await tend('create', 'Cli-Bad', '--file', path.join(dir, 'missing.yaml'));
    expect(noFile).toMatchObject({ code: 1, stderr: `tend: FileReadError: cannot read ${path.join(dir, 'missing.yaml')}: ENOENT\n` });
  });
});
