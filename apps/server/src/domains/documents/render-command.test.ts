import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../rpc/errors.js';
import { commandDocumentOf } from './document-content.js';
import { maskSecrets, renderCommand, type ParameterStoreReader, type StoredParameterValue } from './render-command.js';

function doc(body: Record<string, unknown>) {
  return commandDocumentOf({ content: JSON.stringify({ schemaVersion: '2.2', ...body }), format: 'JSON' });
}

/** A Parameter Store of fixed values; records every reference it was asked for. */
function storeOf(values: Record<string, StoredParameterValue>): ParameterStoreReader & { asked: string[] } {
  const asked: string[] = [];
  const reader = async (reference: string) => {
    asked.push(reference);
    return values[reference];
  };
  return Object.assign(reader, { asked });
}
const noStore = storeOf({});

async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error('the command was rendered');
}

const echo = (parameters: Record<string, unknown>, line = 'echo {{ message }}') =>
  doc({ parameters, mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: [line] } }] });

/** Runs a rendered shell step the way the agent will: its lines as one script, its environment added. */
function runShell(inputs: Record<string, unknown>, environment: Record<string, string>, cwd: string): string {
  const script = (inputs.runCommand as string[]).join('\n');
  return execFileSync('bash', ['--norc', '--noprofile', '-c', script], { cwd, env: { PATH: process.env.PATH, ...environment }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

describe('renderCommand', () => {
  it('applies defaults and interpolates typed values', async () => {
    const rendered = await renderCommand({
      document: doc({
        parameters: {
          commands: { type: 'StringList', minItems: 1 },
          workingDirectory: { type: 'String', default: '' },
          executionTimeout: { type: 'String', default: '3600' },
          retries: { type: 'Integer', default: 2 },
          verbose: { type: 'Boolean', default: false },
          labels: { type: 'StringMap', default: { tier: 'web' } },
        },
        mainSteps: [
          {
            action: 'aws:runShellScript',
            name: 'run',
            inputs: { runCommand: '{{ commands }}', workingDirectory: '{{ workingDirectory }}', timeoutSeconds: '{{ executionTimeout }}' },
          },
          { action: 'aws:runShellScript', name: 'more', inputs: { runCommand: ['echo start', '{{ commands }}', 'echo retries={{ retries }} verbose={{ verbose }} labels={{ labels }}'] } },
        ],
      }),
      parameters: { commands: ['uptime', 'df -h'], retries: ['5'] },
      readParameter: noStore,
    });
    expect(rendered.parameters.retries).toEqual({ type: 'Integer', value: 5, secret: false, fromDefault: false });
    expect(rendered.parameters.verbose).toMatchObject({ value: false, fromDefault: true });
    expect(rendered.steps[0]!.inputs).toEqual({ runCommand: ['uptime', 'df -h'], workingDirectory: '', timeoutSeconds: '3600' });
    // A whole-string reference to a list inside a list is spliced in, not nested.
    expect(rendered.steps[1]!.inputs.runCommand).toEqual(['echo start', 'uptime', 'df -h', 'echo retries=5 verbose=false labels={"tier":"web"}']);
    expect(rendered.steps.every((s) => !s.secret)).toBe(true);
    expect(rendered.secretValues).toEqual([]);
  });

  it('refuses undeclared and missing parameters, and values that break the rules, naming the parameter', async () => {
    const document = doc({
      parameters: {
        name: { type: 'String', allowedValues: ['alpha', 'beta'] },
        count: { type: 'Integer', default: 1 },
        flag: { type: 'Boolean', default: true },
        items: { type: 'StringList', default: ['a'], maxItems: 2, maxChars: 3 },
        map: { type: 'StringMap', default: {} },
      },
      mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['echo {{ name }}'] } }],
    });
    const render = (parameters: Record<string, string[]>) => refusal(renderCommand({ document, parameters, readParameter: noStore }));
    await expect(render({ name: ['alpha'], extra: ['x'] })).resolves.toMatchObject({ type: 'InvalidParameters', message: expect.stringContaining('extra') });
    await expect(render({})).resolves.toMatchObject({ type: 'InvalidParameters', message: expect.stringMatching(/Parameter name is required/) });
    await expect(render({ name: ['gamma'] })).resolves.toMatchObject({ message: expect.stringContaining('Parameter name must be one of') });
    await expect(render({ name: ['alpha', 'beta'] })).resolves.toMatchObject({ message: expect.stringContaining('exactly one value') });
    await expect(render({ name: ['alpha'], count: ['1.5'] })).resolves.toMatchObject({ message: expect.stringContaining('Parameter count must be an integer') });
    await expect(render({ name: ['alpha'], flag: ['yes'] })).resolves.toMatchObject({ message: expect.stringContaining('Parameter flag must be true or false') });
    await expect(render({ name: ['alpha'], items: ['a', 'b', 'c'] })).resolves.toMatchObject({ message: expect.stringContaining('Parameter items takes at most 2') });
    await expect(render({ name: ['alpha'], items: ['abcd'] })).resolves.toMatchObject({ message: expect.stringContaining('at most 3 characters') });
    await expect(render({ name: ['alpha'], map: ['[1]'] })).resolves.toMatchObject({ message: expect.stringContaining('Parameter map must be a JSON object') });
  });

  it('handles parameter and input names that are Object property names', async () => {
    // Written as text: an object literal cannot hold an own "__proto__" key.
    const document = commandDocumentOf({
      content:
        '{"schemaVersion":"2.2","parameters":{"constructor":{"type":"String","default":"c"},"__proto__":{"type":"String","default":"p"}},' +
        '"mainSteps":[{"action":"aws:softwareInventory","name":"s","inputs":{"applications":"{{ constructor }}","__proto__":"{{ __proto__ }}"}}]}',
      format: 'JSON',
    });
    const inventory = await renderCommand({ document, readParameter: noStore });
    expect(Object.hasOwn(inventory.steps[0]!.inputs, '__proto__')).toBe(true);
    expect(JSON.parse(JSON.stringify(inventory.steps[0]!.inputs))).toEqual(JSON.parse('{"applications":"c","__proto__":"p"}'));
    const doc2 = doc({
      parameters: { constructor: { type: 'String', default: 'c' }, toString: { type: 'String' } },
      mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['echo {{ constructor }} {{ toString }}'] } }],
    });
    const rendered = await renderCommand({ document: doc2, parameters: { toString: ['t'] }, readParameter: noStore });
    expect(rendered.steps[0]!.inputs.runCommand).toEqual(['echo c t']);
    expect(Object.keys(rendered.parameters)).toEqual(['constructor', 'toString']);
    await expect(refusal(renderCommand({ document: doc2, parameters: {}, readParameter: noStore }))).resolves.toMatchObject({
      type: 'InvalidParameters',
      message: expect.stringContaining('toString is required'),
    });
  });

  describe('injection attempts', () => {
    const attempts = ['hello; rm -rf /', 'hello $(touch pwned)', 'hello `touch pwned`', 'x" && touch pwned && echo "', 'a\ntouch pwned'];

    it.each(attempts)('allowedPattern stops %j when the command is sent', async (attempt) => {
      const document = echo({ message: { type: 'String', allowedPattern: '[A-Za-z0-9 ]+' } });
      const err = await refusal(renderCommand({ document, parameters: { message: [attempt] }, readParameter: noStore }));
      expect(err.type).toBe('InvalidParameters');
      expect(err.message).toContain('Parameter message does not match its allowedPattern');
      // The refused value is not repeated back.
      expect(err.message).not.toContain(attempt);
    });

    it('refuses a value whose allowedPattern backtracks for too long, without stalling', async () => {
      const document = echo({ message: { type: 'String', allowedPattern: '(a+)+b' } });
      const started = Date.now();
      const err = await refusal(renderCommand({ document, parameters: { message: ['a'.repeat(40)] }, readParameter: noStore }));
      expect(err).toMatchObject({ type: 'InvalidParameters', message: expect.stringContaining('could not be checked against its allowedPattern in time') });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('allowedPattern must match the whole value, not a part of it', async () => {
      const document = echo({ message: { type: 'String', allowedPattern: '[a-z]+' } });
      await expect(refusal(renderCommand({ document, parameters: { message: ['a; rm -rf /'] }, readParameter: noStore }))).resolves.toMatchObject({
        type: 'InvalidParameters',
      });
      const ok = await renderCommand({ document, parameters: { message: ['abc'] }, readParameter: noStore });
      expect(ok.steps[0]!.inputs.runCommand).toEqual(['echo abc']);
    });

    it.each(attempts)('ENV_VAR keeps %j out of the script text, and the shell never runs it', async (attempt) => {
      const document = echo({ message: { type: 'String', interpolationType: 'ENV_VAR' } }, 'printf "%s" "{{ message }}"');
      const rendered = await renderCommand({ document, parameters: { message: [attempt] }, readParameter: noStore });
      const step = rendered.steps[0]!;
      expect(step.inputs.runCommand).toEqual(['printf "%s" "${SSM_message}"']);
      expect(JSON.stringify(step.inputs)).not.toContain('pwned');
      expect(JSON.stringify(step.inputs)).not.toContain('rm -rf');
      expect(step.environment).toEqual({ SSM_message: attempt });

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-render-'));
      try {
        expect(runShell(step.inputs, step.environment, dir)).toBe(attempt);
        expect(fs.readdirSync(dir)).toEqual([]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('shows what plain textual interpolation would have done, to be sure the test above proves something', async () => {
      const document = echo({ message: { type: 'String' } }, 'printf "%s" "{{ message }}"');
      const rendered = await renderCommand({ document, parameters: { message: ['hello $(touch pwned)'] }, readParameter: noStore });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-render-'));
      try {
        runShell(rendered.steps[0]!.inputs, rendered.steps[0]!.environment, dir);
        expect(fs.readdirSync(dir)).toEqual(['pwned']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('gives ENV_VAR parameters to every script step, and PowerShell its own syntax', async () => {
      const document = doc({
        parameters: { target: { type: 'String', interpolationType: 'ENV_VAR' }, plain: { type: 'String', default: 'p' } },
        mainSteps: [
          { action: 'aws:runShellScript', name: 'sh', inputs: { runCommand: ['echo "$SSM_target" {{ plain }}'] } },
          { action: 'aws:runPowerShellScript', name: 'ps', inputs: { runCommand: ['Write-Output {{ target }}'] } },
          { action: 'aws:downloadContent', name: 'dl', inputs: { sourceType: 'HTTP', sourceInfo: '{{ target }}' } },
        ],
      });
      const rendered = await renderCommand({ document, parameters: { target: ['v'] }, readParameter: noStore });
      expect(rendered.steps[0]).toMatchObject({ inputs: { runCommand: ['echo "$SSM_target" p'] }, environment: { SSM_target: 'v' } });
      expect(rendered.steps[1]).toMatchObject({ inputs: { runCommand: ['Write-Output $env:SSM_target'] }, environment: { SSM_target: 'v' } });
      // A plugin that does not run its input as code gets the value as data, and no environment.
      expect(rendered.steps[2]).toMatchObject({ inputs: { sourceInfo: 'v' }, environment: {} });
    });

    it('never expands a reference that a value brings in', async () => {
      const document = echo({ message: { type: 'String' }, secret: { type: 'String', default: 'hidden' } });
      const store = storeOf({ '/x': { value: 'from-store', type: 'String' } });
      const rendered = await renderCommand({ document, parameters: { message: ['{{ secret }}'] }, readParameter: store });
      expect(rendered.steps[0]!.inputs.runCommand).toEqual(['echo {{ secret }}']);
    });
  });

  describe('Parameter Store references', () => {
    const store = storeOf({
      '/app/name': { value: 'web', type: 'String' },
      '/app/hosts': { value: 'a,b,c', type: 'StringList' },
      '/app/token': { value: 's3cr3t-token', type: 'SecureString' },
      '/app/bad': { value: 'x; rm -rf /', type: 'String' },
    });

    it('resolves values, defaults and document text, and reads each reference once', async () => {
      const document = doc({
        parameters: {
          name: { type: 'String' },
          hosts: { type: 'StringList', default: ['{{ssm:/app/hosts}}'] },
        },
        mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['echo {{ name }} on {{ hosts }} for {{ ssm:/app/name }}', 'echo {{ssm:/app/name}}'] } }],
      });
      store.asked.length = 0;
      const rendered = await renderCommand({ document, parameters: { name: ['{{ssm:/app/name}}-v2'] }, readParameter: store });
      expect(rendered.parameters.name!.value).toBe('web-v2');
      expect(rendered.parameters.hosts!.value).toEqual(['a', 'b', 'c']);
      expect(rendered.steps[0]!.inputs.runCommand).toEqual(['echo web-v2 on a,b,c for web', 'echo web']);
      expect(store.asked.sort()).toEqual(['/app/hosts', '/app/name']);
    });

    it('marks SecureString values as secret wherever they go', async () => {
      const document = doc({
        parameters: { token: { type: 'String' }, label: { type: 'String', default: 'l' } },
        mainSteps: [
          { action: 'aws:runShellScript', name: 'uses', inputs: { runCommand: ['curl -H "Authorization: {{ token }}" x'] } },
          { action: 'aws:runShellScript', name: 'clean', inputs: { runCommand: ['echo {{ label }}'] } },
        ],
      });
      const rendered = await renderCommand({ document, parameters: { token: ['{{ssm:/app/token}}'] }, readParameter: store });
      expect(rendered.parameters.token!.secret).toBe(true);
      expect(rendered.steps.map((s) => s.secret)).toEqual([true, false]);
      expect(rendered.secretValues).toEqual(['s3cr3t-token']);
      expect(maskSecrets('token was s3cr3t-token!', rendered.secretValues)).toBe('token was ****!');
    });

    it('checks allowedPattern against the value read from the store', async () => {
      const document = echo({ message: { type: 'String', allowedPattern: '[a-z]+' } });
      const err = await refusal(renderCommand({ document, parameters: { message: ['{{ssm:/app/bad}}'] }, readParameter: store }));
      expect(err).toMatchObject({ type: 'InvalidParameters', message: expect.stringContaining('Parameter message does not match') });
    });

    it('refuses a reference to a parameter that does not exist', async () => {
      const document = echo({ message: { type: 'String' } });
      const err = await refusal(renderCommand({ document, parameters: { message: ['{{ssm:/app/none}}'] }, readParameter: store }));
      expect(err).toMatchObject({ type: 'InvalidParameters', message: expect.stringContaining('{{ssm:/app/none}}') });
    });
  });
});
