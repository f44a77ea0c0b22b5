import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateDocumentCommand, GetCommandInvocationCommand, PutParameterCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { everythingStored, userWithPolicy } from '../parameters/operations/test-support.js';
import { finished, getCommand, invocationsOf, listedCommandIds, runShell, startFleet, type TestFleet } from './run-command-test-support.js';

/** Every file under a directory, with its text. */
function filesUnder(root: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(root)) return files;
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(full, fs.readFileSync(full, 'utf8'));
  }
  return files;
}

/** A schemaVersion 2.2 document with one parameter `name` and one shell step. */
function shellDocument(parameter: Record<string, unknown>, runCommand: string[]): string {
  return JSON.stringify({
    schemaVersion: '2.2',
    description: 'Says hello to {{ name }}',
    parameters: { name: { type: 'String', ...parameter } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'greet', inputs: { runCommand } }],
  });
}

/**
 * Run Command's defences, end to end with real agents and real shells:
 * parameter injection stopped by allowedPattern (at send time) and by
 * interpolationType ENV_VAR (in the shell), and SecureString values that
 * reach the script but never any answer, database row, output file or log
 * line, even when the script writes them in pieces.
 */
describeEachDatabase('Run Command safety', (dialect) => {
  let t: TestServer;
  let fleet: TestFleet;
  let scratch: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await startTestServer(dialect, { logStream: { write: (line: string) => void logLines.push(line) } });
    fleet = await startFleet(t, 2);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-rc-safety-'));
  }, 60_000);
  afterAll(async () => {
    await fleet?.stopAll();
    await t?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const createDocument = (Name: string, Content: string) => t.ssm.send(new CreateDocumentCommand({ Name, Content, DocumentType: 'Command', DocumentFormat: 'JSON' }));
  /** SendCommand of one of this file's documents with its `name` parameter; answers the command id. */
  const sendDocument = async (DocumentName: string, InstanceIds: string[], name: string) =>
    (await t.ssm.send(new SendCommandCommand({ DocumentName, InstanceIds, Parameters: { name: [name] } }))).Command!.CommandId!;

  it('refuses a value outside allowedPattern at send time: InvalidParameters, nothing recorded, nothing run', async () => {
    await createDocument('Greet-Pattern', shellDocument({ allowedPattern: '^[a-zA-Z0-9-]+$' }, ['echo "hello {{ name }}"']));
    const pwned = path.join(scratch, 'pattern.pwned');
    const before = await listedCommandIds(t);
    await expect(sendDocument('Greet-Pattern', [fleet.ids[0]!], `x; touch ${pwned}`)).rejects.toMatchObject({ name: 'InvalidParameters', message: expect.stringContaining('name') });
    expect(await listedCommandIds(t)).toEqual(before);

    // The same document with an allowed value runs; once it has, anything queued on that node would have run too.
    const id = await sendDocument('Greet-Pattern', [fleet.ids[0]!], 'web-1');
    expect(await finished(t, id)).toMatchObject({ Status: 'Success' });
    expect((await t.ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: fleet.ids[0]! }))).StandardOutputContent).toBe('hello web-1\n');
    expect(fs.existsSync(pwned)).toBe(false);
  });

  it('shows that the injection works against plain textual interpolation, so the checks around it can fail', async () => {
    await createDocument('Greet-Unguarded', shellDocument({}, ['echo "hello {{ name }}"']));
    const pwned = path.join(scratch, 'unguarded.pwned');
    const id = await sendDocument('Greet-Unguarded', [fleet.ids[0]!], `$(touch ${pwned})`);
    expect(await finished(t, id)).toMatchObject({ Status: 'Success' });
    expect(fs.existsSync(pwned)).toBe(true);
  });

  it.each([
    ['a command substitution', 'substitution', (file: string) => `$(touch ${file})`],
    ['a quote that closes the string', 'quote', (file: string) => `"; touch ${file}; echo "`],
  ])('passes %s through an ENV_VAR parameter as plain text: the shell prints it and never runs it', async (_what, label, attempt) => {
    const document = `Greet-Env-${label}`;
    // cat "$0" shows the script text the agent ran (sh runs the script file), on stderr.
    await createDocument(document, shellDocument({ interpolationType: 'ENV_VAR' }, ['cat "$0" >&2', 'printf "[%s]\\n" "{{ name }}"', 'printf "[%s]\\n" "$SSM_name"']));
    const pwned = path.join(scratch, `env-${label}.pwned`);
    const value = attempt(pwned);
    const id = await sendDocument(document, fleet.ids, value);
    expect(await finished(t, id)).toMatchObject({ Status: 'Success', CompletedCount: 2 });
    for (const instanceId of fleet.ids) {
      const invocation = await t.ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: instanceId }));
      expect(invocation.StandardOutputContent).toBe(`[${value}]\n[${value}]\n`);
      // The value is nowhere in the script's text: {{ name }} became a reference to the variable.
      expect(invocation.StandardErrorContent).toBe('cat "$0" >&2\nprintf "[%s]\\n" "${SSM_name}"\nprintf "[%s]\\n" "$SSM_name"\n');
    }
    expect(fs.existsSync(pwned)).toBe(false);
  });

  it('masks a SecureString in every view of the output, and keeps it out of storage, output files and logs', async () => {
    // Two halves that only together are the secret, written by the script in two writes 0.3 s apart.
    const part1 = 'Zq8xTnd4';
    const part2 = 'vW3kLm9p';
    const secret = part1 + part2;
    await t.ssm.send(new PutParameterCommand({ Name: '/rc/secret', Value: secret, Type: 'SecureString' }));
    const [whole, split] = fleet.ids as [string, string];

    const echoed = await runShell(t, { InstanceIds: [whole] }, [
      'echo "token={{ssm:/rc/secret}}"',
      'echo "on stderr {{ssm:/rc/secret}}" >&2',
      // A digest of the value, to show the clear secret did reach the script.
      "printf '%s' '{{ssm:/rc/secret}}' | sha256sum | cut -c1-64",
    ]);
    const pieces = await runShell(t, { InstanceIds: [split] }, [
      "s='{{ssm:/rc/secret}}'",
      `printf '%s' "$(printf '%s' "$s" | cut -c1-${part1.length})"`,
      'sleep 0.3',
      `printf '%s\\n' "$(printf '%s' "$s" | cut -c${part1.length + 1}-)"`,
    ]);
    expect(await finished(t, echoed)).toMatchObject({ Status: 'Success' });
    expect(await finished(t, pieces)).toMatchObject({ Status: 'Success' });

    const digest = createHash('sha256').update(secret).digest('hex');
    const expected = new Map([
      [echoed, { instanceId: whole, stdout: `token=****\n${digest}\n`, stderr: 'on stderr ****\n' }],
      [pieces, { instanceId: split, stdout: '****\n', stderr: '' }],
    ]);
    for (const [commandId, { instanceId, stdout, stderr }] of expected) {
      const invocation = await t.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      expect(invocation).toMatchObject({ StandardOutputContent: stdout, StandardErrorContent: stderr });
      const listed = (await invocationsOf(t, commandId)).get(instanceId)!;
      expect(listed.CommandPlugins![0]!.Output).toBe(stderr ? `${stdout}\n----------ERROR-------\n${stderr}` : stdout);
      expect(await t.api.tend('GetCommandOutput', { CommandId: commandId, InstanceId: instanceId })).toMatchObject({ Content: stdout, Complete: true });
      expect(await t.api.tend('GetCommandOutput', { CommandId: commandId, InstanceId: instanceId, Stream: 'Stderr' })).toMatchObject({ Content: stderr, Complete: true });
      // The command as listed keeps the reference, not the value.
      expect(JSON.stringify((await getCommand(t, commandId)).Parameters)).toContain('{{ssm:/rc/secret}}');
    }

    const stored = await everythingStored(t);
    expect(stored).toContain(echoed); // the dump does see the commands
    expect(stored).not.toContain(secret);
    const outputFiles = filesUnder(path.join(t.dataDir, 'command-output'));
    expect(outputFiles.size).toBeGreaterThanOrEqual(3);
    for (const [file, text] of outputFiles) {
      expect(text, file).not.toContain(secret);
      expect(text, file).not.toContain(part2);
    }
    const log = logLines.join('');
    expect(log).toContain('managed node registered'); // the stream does receive the server's log
    expect(log).not.toContain(secret);
  });

  it('masks a secret that the 24,000-character head of the output cuts in two', async () => {
    const secret = 'Hd7cutPq2rSecretTail';
    await t.ssm.send(new PutParameterCommand({ Name: '/rc/cut', Value: secret, Type: 'SecureString' }));
    // The head the agent reports (and GetCommandInvocation answers) ends after the first 8 characters of the secret.
    const id = await runShell(t, { InstanceIds: [fleet.ids[0]!] }, ["head -c 23992 /dev/zero | tr '\\0' x", 'echo "{{ssm:/rc/cut}}"']);
    expect(await finished(t, id)).toMatchObject({ Status: 'Success' });
    const invocation = await t.ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: fleet.ids[0]! }));
    expect(invocation.StandardOutputContent!.startsWith('x'.repeat(23_992))).toBe(true);
    expect(invocation.StandardOutputContent).not.toContain(secret.slice(0, 8));
    const full = await t.api.tend('GetCommandOutput', { CommandId: id, InstanceId: fleet.ids[0]! });
    expect(full.Content).toBe(`${'x'.repeat(23_992)}****\n`);
    expect(await everythingStored(t)).not.toContain(secret.slice(0, 8));
  });

  it('refuses with AccessDeniedException a command referring to a parameter the caller may not read, and records nothing', async () => {
    await t.ssm.send(new PutParameterCommand({ Name: '/rc/private', Value: 'private-value-31c9', Type: 'SecureString' }));
    await t.ssm.send(new PutParameterCommand({ Name: '/rc/public/greeting', Value: 'hi there', Type: 'String' }));
    const operator = await userWithPolicy(t, `operator-${dialect}`, [
      { Effect: 'Allow', Action: ['ssm:SendCommand', 'ssm:ListCommands', 'ssm:GetCommandInvocation'], Resource: '*' },
      { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:*:*:parameter/rc/public/*' },
    ]);
    const asOperator = { ...t, ssm: operator.ssm, api: operator.api };
    const before = await listedCommandIds(t);
    await expect(runShell(asOperator, { InstanceIds: [fleet.ids[0]!] }, ['echo "{{ssm:/rc/private}}"'])).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('parameter/rc/private'),
    });
    expect(await listedCommandIds(t)).toEqual(before);

    // The same caller may use a parameter it can read.
    const id = await runShell(asOperator, { InstanceIds: [fleet.ids[0]!] }, ['echo "{{ssm:/rc/public/greeting}}"']);
    expect(await finished(asOperator, id)).toMatchObject({ Status: 'Success' });
    expect((await operator.ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: fleet.ids[0]! }))).StandardOutputContent).toBe('hi there\n');
  });
});
