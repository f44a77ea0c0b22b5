import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../rpc/errors.js';
import { commandDocumentOf, contentIn, examineDocument } from './document-content.js';

/** A schemaVersion 2.2 Command document with the given parts over a minimal valid one. */
function command(parts: { parameters?: unknown; mainSteps?: unknown; [key: string]: unknown } = {}): string {
  return JSON.stringify({
    schemaVersion: '2.2',
    description: 'test',
    parameters: { message: { type: 'String', default: 'hi' } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['echo {{ message }}'] } }],
    ...parts,
  });
}

/** The error a content gets, as type and message. */
function refusal(content: string, type: Parameters<typeof examineDocument>[0] = 'Command', format: 'JSON' | 'YAML' = 'JSON') {
  try {
    examineDocument(type, content, format);
  } catch (err) {
    if (err instanceof ServiceError) return { type: err.type, message: err.message };
    throw err;
  }
  throw new Error('the content was accepted');
}

describe('Command document content', () => {
  it('accepts a 2.2 document and derives its facts', () => {
    const facts = examineDocument(
      'Command',
      command({
        parameters: {
          commands: { type: 'StringList', minItems: 1, description: 'lines' },
          timeout: { type: 'Integer', default: 60 },
          verbose: { type: 'Boolean', default: false },
          env: { type: 'StringMap', default: { A: '1' } },
          mounts: { type: 'MapList', default: [{ path: '/a' }] },
          name: { type: 'String', default: 'x', allowedValues: ['x', 'y'], interpolationType: 'ENV_VAR' },
        },
        mainSteps: [
          { action: 'aws:runShellScript', name: 'linux', precondition: { StringEquals: ['platformType', 'Linux'] }, inputs: { runCommand: '{{ commands }}', timeoutSeconds: '{{ timeout }}' } },
          { action: 'aws:runPowerShellScript', name: 'windows', precondition: { StringEquals: ['platformType', 'Windows'] }, inputs: { runCommand: ['Write-Output {{ name }}'] } },
        ],
      }),
      'JSON',
    );
    expect(facts.schemaVersion).toBe('2.2');
    expect(facts.description).toBe('test');
    expect(facts.platformTypes).toEqual(['Windows', 'Linux']);
    expect(facts.parameters).toEqual([
      { Name: 'commands', Type: 'StringList', Description: 'lines', DefaultValue: undefined },
      { Name: 'timeout', Type: 'Integer', Description: undefined, DefaultValue: '60' },
      { Name: 'verbose', Type: 'Boolean', Description: undefined, DefaultValue: 'false' },
      { Name: 'env', Type: 'StringMap', Description: undefined, DefaultValue: '{"A":"1"}' },
      { Name: 'mounts', Type: 'MapList', Description: undefined, DefaultValue: '[{"path":"/a"}]' },
      { Name: 'name', Type: 'String', Description: undefined, DefaultValue: 'x' },
    ]);
  });

  it('reads YAML, keeping an unquoted schemaVersion as written', () => {
    const yaml = ['schemaVersion: 2.2', 'description: yaml doc', 'mainSteps:', '  - action: aws:runShellScript', '    name: run', '    inputs:', '      runCommand:', '        - uptime', ''].join('\n');
    expect(examineDocument('Command', yaml, 'YAML')).toMatchObject({ schemaVersion: '2.2', platformTypes: ['Linux', 'MacOS'] });
    const session = 'schemaVersion: 1.0\ndescription: session prefs\nsessionType: Standard_Stream\ninputs: {}\n';
    expect(examineDocument('Session', session, 'YAML').schemaVersion).toBe('1.0');
  });

  it('refuses what is not JSON or YAML, with the reason', () => {
    expect(refusal('{"schemaVersion": "2.2",')).toMatchObject({ type: 'InvalidDocumentContent', message: expect.stringContaining('not valid JSON') });
    expect(refusal('schemaVersion: "2.2"\nmainSteps: []')).toMatchObject({ message: expect.stringContaining('set DocumentFormat to YAML') });
    expect(refusal('a: [1\n', 'Command', 'YAML')).toMatchObject({ type: 'InvalidDocumentContent', message: expect.stringContaining('not valid YAML') });
    expect(refusal('a: 1\na: 2\n', 'Command', 'YAML')).toMatchObject({ type: 'InvalidDocumentContent' });
    expect(refusal('[1, 2]')).toMatchObject({ type: 'InvalidDocumentContent', message: expect.stringContaining('must be a map') });
    expect(refusal('{"mainSteps": []}')).toMatchObject({ type: 'InvalidDocumentContent', message: expect.stringContaining('schemaVersion') });
  });

  it('refuses schema versions the type does not have, and oversized content', () => {
    expect(refusal(command({ schemaVersion: '1.2' }))).toMatchObject({ type: 'InvalidDocumentSchemaVersion', message: expect.stringContaining('2.2') });
    expect(refusal(JSON.stringify({ schemaVersion: '2.2', mainSteps: [] }), 'Automation')).toMatchObject({ type: 'InvalidDocumentSchemaVersion' });
    const huge = command({ description: 'x'.repeat(70 * 1024) });
    expect(refusal(huge)).toMatchObject({ type: 'MaxDocumentSizeExceeded' });
  });

  it.each([
    ['an unknown top-level field', { runtimeConfig: {} }, 'runtimeConfig'],
    ['no steps', { mainSteps: [] }, 'mainSteps'],
    ['an unknown action', { mainSteps: [{ action: 'aws:formatDisk', name: 'x', inputs: {} }] }, 'mainSteps[0].action'],
    ['an action named like an Object method', { mainSteps: [{ action: 'constructor', name: 'x', inputs: {} }] }, 'mainSteps[0].action'],
    ['a step without a name', { mainSteps: [{ action: 'aws:runShellScript', inputs: { runCommand: ['x'] } }] }, 'mainSteps[0].name'],
    [
      'two steps of one name',
      {
        mainSteps: [
          { action: 'aws:runShellScript', name: 'same', inputs: { runCommand: ['a'] } },
          { action: 'aws:runShellScript', name: 'same', inputs: { runCommand: ['b'] } },
        ],
      },
      'mainSteps[1].name',
    ],
    ['a script step without runCommand', { mainSteps: [{ action: 'aws:runShellScript', name: 'x', inputs: {} }] }, 'mainSteps[0].inputs.runCommand'],
    ['an input the action does not take', { mainSteps: [{ action: 'aws:runShellScript', name: 'x', inputs: { runCommand: ['a'], shell: 'zsh' } }] }, 'mainSteps[0].inputs.shell'],
    ['runCommand that is not text', { mainSteps: [{ action: 'aws:runShellScript', name: 'x', inputs: { runCommand: [1, 2] } }] }, 'mainSteps[0].inputs.runCommand'],
    [
      'a precondition other than platformType',
      { mainSteps: [{ action: 'aws:runShellScript', name: 'x', precondition: { StringEquals: ['arch', 'x86'] }, inputs: { runCommand: ['a'] } }] },
      'mainSteps[0].precondition',
    ],
    [
      'a precondition the action cannot meet',
      { mainSteps: [{ action: 'aws:runShellScript', name: 'x', precondition: { StringEquals: ['platformType', 'Windows'] }, inputs: { runCommand: ['a'] } }] },
      'mainSteps[0].precondition',
    ],
    ['a reference to an undeclared parameter', { mainSteps: [{ action: 'aws:runShellScript', name: 'x', inputs: { runCommand: ['echo {{ missing }}'] } }] }, 'mainSteps[0].inputs.runCommand[0]'],
    ['an unknown parameter type', { parameters: { p: { type: 'Float' } } }, 'parameters.p.type'],
    ['an unknown parameter attribute', { parameters: { p: { type: 'String', allowedPatern: 'x' } } }, 'parameters.p.allowedPatern'],
    ['a parameter name with a dash', { parameters: { 'my-param': { type: 'String' } } }, 'parameters.my-param'],
    ['a default of the wrong type', { parameters: { p: { type: 'Integer', default: 'ten' } } }, 'parameters.p.default'],
    ['a default outside allowedValues', { parameters: { p: { type: 'String', default: 'c', allowedValues: ['a', 'b'] } } }, 'parameters.p.default'],
    ['a default that fails allowedPattern', { parameters: { p: { type: 'String', default: 'a b', allowedPattern: '^[a-z]+$' } } }, 'parameters.p.default'],
    ['an allowedPattern that is not a regular expression', { parameters: { p: { type: 'String', allowedPattern: '([a-z' } } }, 'parameters.p.allowedPattern'],
    ['minItems on a String', { parameters: { p: { type: 'String', minItems: 1 } } }, 'parameters.p.minItems'],
    ['an interpolation type other than ENV_VAR', { parameters: { p: { type: 'String', interpolationType: 'SHELL' } } }, 'parameters.p.interpolationType'],
    ['ENV_VAR on a map', { parameters: { p: { type: 'StringMap', interpolationType: 'ENV_VAR' } } }, 'parameters.p.interpolationType'],
  ])('refuses %s, naming the field', (_what, parts, field) => {
    const refused = refusal(command(parts as Record<string, unknown>));
    expect(refused.type).toBe('InvalidDocumentContent');
    expect(refused.message.startsWith(`${field}:`)).toBe(true);
  });

  it('leaves double braces that are not references alone', () => {
    const doc = command({ mainSteps: [{ action: 'aws:runShellScript', name: 'x', inputs: { runCommand: ["docker inspect -f '{{ .State.Running }}' web"] } }] });
    expect(() => examineDocument('Command', doc, 'JSON')).not.toThrow();
  });

  it('accepts other document types structurally', () => {
    const automation = JSON.stringify({ schemaVersion: '0.3', description: 'restart', parameters: { InstanceId: { type: 'String' } }, mainSteps: [{ name: 'a', action: 'aws:sleep' }] });
    expect(examineDocument('Automation', automation, 'JSON')).toMatchObject({
      schemaVersion: '0.3',
      parameters: [{ Name: 'InstanceId', Type: 'String' }],
      platformTypes: ['Windows', 'Linux', 'MacOS'],
    });
    expect(refusal(JSON.stringify({ schemaVersion: '0.3', parameters: [] }), 'Automation')).toMatchObject({ type: 'InvalidDocumentContent' });
  });

  it('converts between JSON and YAML both ways', () => {
    const json = command();
    const yaml = contentIn(json, 'JSON', 'YAML');
    expect(yaml).toContain('schemaVersion: "2.2"');
    expect(JSON.parse(contentIn(yaml, 'YAML', 'JSON'))).toEqual(JSON.parse(json));
    expect(contentIn(json, 'JSON', 'JSON')).toBe(json);
    expect(commandDocumentOf({ content: yaml, format: 'YAML' }).steps[0]!.name).toBe('run');
  });
});
