import { describe, expect, it } from 'vitest';
import { parseParameters, parseTarget, sendCommandInput, type RunRequest } from './run-options.js';

const request = (extra: Partial<RunRequest> = {}): RunRequest => ({ targets: [], instanceIds: [], document: 'AWS-RunShellScript', parameter: [], ...extra });

describe('tend run options', () => {
  it('reads targets in the short form and in the AWS CLI form', () => {
    expect(parseTarget('tag:Env=prod')).toEqual({ Key: 'tag:Env', Values: ['prod'] });
    expect(parseTarget('tag:Env=prod,staging')).toEqual({ Key: 'tag:Env', Values: ['prod', 'staging'] });
    expect(parseTarget('resource-groups:Name=web')).toEqual({ Key: 'resource-groups:Name', Values: ['web'] });
    expect(parseTarget('Key=tag:Role,Values=web,db')).toEqual({ Key: 'tag:Role', Values: ['web', 'db'] });
    expect(parseTarget('tag:Url=a=b')).toEqual({ Key: 'tag:Url', Values: ['a=b'] });
    for (const bad of ['tag:Env', '=prod', 'tag:Env=', 'tag:Env=,']) {
      expect(() => parseTarget(bad), bad).toThrow(/--targets takes KEY=value/);
    }
  });

  it('reads parameters, a repeated name collecting its values', () => {
    expect(parseParameters(['service=nginx', 'hosts=a', 'hosts=b', 'query=x=1'])).toEqual({ service: ['nginx'], hosts: ['a', 'b'], query: ['x=1'] });
    expect(() => parseParameters(['=x'])).toThrow(/--parameter takes name=value/);
  });

  it('builds SendCommand: one script line per argument, shortcuts into the document parameters', () => {
    expect(
      sendCommandInput(['apt-get update', 'uptime'], request({ targets: ['tag:Env=prod'], workingDirectory: '/srv', executionTimeout: '30', timeoutSeconds: '60', maxConcurrency: '10%', maxErrors: '1', comment: 'hi' })),
    ).toEqual({
      DocumentName: 'AWS-RunShellScript',
      Targets: [{ Key: 'tag:Env', Values: ['prod'] }],
      Parameters: { commands: ['apt-get update', 'uptime'], workingDirectory: ['/srv'], executionTimeout: ['30'] },
      Comment: 'hi',
      TimeoutSeconds: 60,
      MaxConcurrency: '10%',
      MaxErrors: '1',
    });
    expect(sendCommandInput(['uptime'], request({ instanceIds: ['mi-00000000000000001,mi-00000000000000002', 'mi-00000000000000003'] })).InstanceIds).toEqual([
      'mi-00000000000000001',
      'mi-00000000000000002',
      'mi-00000000000000003',
    ]);
    // Another document needs no script.
    expect(sendCommandInput([], request({ targets: ['tag-key=Role'], document: 'Restart-Web', parameter: ['service=nginx'] }))).toMatchObject({
      DocumentName: 'Restart-Web',
      Targets: [{ Key: 'tag-key', Values: ['Role'] }],
      Parameters: { service: ['nginx'] },
    });
  });

  it('refuses what cannot be meant', () => {
    expect(() => sendCommandInput(['uptime'], request())).toThrow(/say where to run/);
    expect(() => sendCommandInput([], request({ targets: ['tag:Env=prod'] }))).toThrow(/nothing to run: give the script after --/);
    expect(() => sendCommandInput(['uptime'], request({ targets: ['tag:Env=prod'], parameter: ['commands=ls'] }))).toThrow(/script and --parameter commands=… both set commands/);
    expect(() => sendCommandInput(['uptime'], request({ targets: ['tag:Env=prod'], workingDirectory: '/a', parameter: ['workingDirectory=/b'] }))).toThrow(/--working-directory/);
    expect(() => sendCommandInput(['uptime'], request({ targets: ['tag:Env=prod'], executionTimeout: 'soon' }))).toThrow(/--execution-timeout takes a positive whole number/);
    expect(() => sendCommandInput(['uptime'], request({ targets: ['tag:Env=prod'], timeoutSeconds: '0' }))).toThrow(/--timeout-seconds/);
  });
});
