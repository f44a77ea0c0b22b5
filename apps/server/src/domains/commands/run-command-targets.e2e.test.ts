import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SendCommandCommandInput } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { cleanEnv, runProcess } from '../../../../cli/src/testing/run-tend.js';
import { nodeTagQuery } from '../targets/managed-node-fixtures.js';
import { finished, invocationsOf, listedCommandIds, runShell, startFleet, type TestFleet } from './run-command-test-support.js';

/**
 * Which nodes SendCommand designates, end to end: the targets are resolved
 * by the server and each designated node's real agent runs the script.
 * Refused requests record nothing. The AWS CLI and boto3 send by tag too,
 * to show the request and answer shapes parse in real clients.
 */
describeEachDatabase('Run Command targets', (dialect) => {
  let t: TestServer;
  let fleet: TestFleet;
  let home: string;
  /** Node ids by position in the fleet, sorted (the order invocations are listed in does not matter). */
  const nodes = (...positions: number[]) => positions.map((p) => fleet.ids[p]!).sort();

  // n0 prod web (Team), n1 prod db, n2 staging web, n3 dev (Patch).
  const TAGS: Record<string, string>[] = [
    { Env: 'prod', Role: 'web', Team: 'blue' },
    { Env: 'prod', Role: 'db' },
    { Env: 'staging', Role: 'web' },
    { Env: 'dev', Patch: 'weekly' },
  ];

  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await startFleet(t, TAGS.length, { tags: (i) => TAGS[i]! });
    // An empty home, so no ~/.aws on this machine can change what the clients do.
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-rc-targets-home-'));
  }, 60_000);
  afterAll(async () => {
    await fleet?.stopAll();
    await t?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  /** Sends `echo targeted` and answers the nodes that ran it, after checking each did so successfully. */
  async function ranOn(targets: Pick<SendCommandCommandInput, 'InstanceIds' | 'Targets'>): Promise<string[]> {
    const id = await runShell(t, targets, ['echo targeted']);
    const command = await finished(t, id);
    const invocations = await invocationsOf(t, id);
    expect(command).toMatchObject({ Status: 'Success', StatusDetails: 'Success', TargetCount: invocations.size, CompletedCount: invocations.size, ErrorCount: 0 });
    for (const invocation of invocations.values()) {
      expect(invocation).toMatchObject({ Status: 'Success', StatusDetails: 'Success' });
      expect(invocation.CommandPlugins![0]!.Output).toBe('targeted\n');
    }
    return [...invocations.keys()].sort();
  }

  it('targets tag:Env=prod: exactly the nodes with that tag', async () => {
    expect(await ranOn({ Targets: [{ Key: 'tag:Env', Values: ['prod'] }] })).toEqual(nodes(0, 1));
  });

  it('ORs the values of one tag key and ANDs different keys', async () => {
    expect(await ranOn({ Targets: [{ Key: 'tag:Env', Values: ['prod', 'staging'] }] })).toEqual(nodes(0, 1, 2));
    expect(
      await ranOn({
        Targets: [
          { Key: 'tag:Env', Values: ['prod', 'staging'] },
          { Key: 'tag:Role', Values: ['web'] },
        ],
      }),
    ).toEqual(nodes(0, 2));
  });

  it('targets tag-key: nodes having any of the keys, whatever the value', async () => {
    expect(await ranOn({ Targets: [{ Key: 'tag-key', Values: ['Patch'] }] })).toEqual(nodes(3));
    expect(await ranOn({ Targets: [{ Key: 'tag-key', Values: ['Patch', 'Team'] }] })).toEqual(nodes(0, 3));
  });

  it('targets resource-groups:Name: the members of a group made through Tend.CreateGroup', async () => {
    const name = `web-servers-${dialect}`;
    await t.api.tend('CreateGroup', { Name: name, ResourceQuery: nodeTagQuery([{ Key: 'Role', Values: ['web'] }]) });
    const members = await t.api.tend('ListGroupResources', { Group: name });
    expect(members.Resources.map((r: { Identifier: { ResourceArn: string } }) => r.Identifier.ResourceArn.split('/').pop()).sort()).toEqual(nodes(0, 2));
    expect(await ranOn({ Targets: [{ Key: 'resource-groups:Name', Values: [name] }] })).toEqual(nodes(0, 2));
  });

  it('targets InstanceIds: just those nodes', async () => {
    expect(await ranOn({ InstanceIds: nodes(1, 3) })).toEqual(nodes(1, 3));
    expect(await ranOn({ Targets: [{ Key: 'InstanceIds', Values: nodes(2) }] })).toEqual(nodes(2));
  });

  it('finishes a tag target that matches nothing at once: Success, No Instances In Tag, TargetCount 0', async () => {
    const id = await runShell(t, { Targets: [{ Key: 'tag:Env', Values: ['nowhere'] }] }, ['echo never']);
    const command = await finished(t, id, 5_000);
    expect(command).toMatchObject({ Status: 'Success', StatusDetails: 'No Instances In Tag', TargetCount: 0, CompletedCount: 0, ErrorCount: 0 });
    expect((await invocationsOf(t, id)).size).toBe(0);
  });

  it('refuses an unknown instance id with InvalidInstanceId and records nothing, not even for the known node', async () => {
    const before = await listedCommandIds(t);
    const unknown = 'mi-0123456789abcdef0';
    await expect(runShell(t, { InstanceIds: [unknown] }, ['echo never'])).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(runShell(t, { InstanceIds: [fleet.ids[0]!, unknown] }, ['echo never'])).rejects.toMatchObject({
      name: 'InvalidInstanceId',
      message: expect.stringContaining(unknown),
    });
    expect(await listedCommandIds(t)).toEqual(before);
  });

  it.each([
    ['MaxConcurrency', 'lots'],
    ['MaxConcurrency', '0'],
    ['MaxConcurrency', '101%'],
    ['MaxErrors', '-1'],
    ['MaxErrors', 'ten%'],
    ['MaxErrors', '12345678'],
  ])('refuses %s %j with ValidationException and records nothing', async (member, value) => {
    const before = await listedCommandIds(t);
    await expect(runShell(t, { InstanceIds: nodes(0) }, ['echo never'], { [member]: value })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(value),
    });
    expect(await listedCommandIds(t)).toEqual(before);
  });

  it('refuses an unknown document with InvalidDocument and records nothing', async () => {
    const before = await listedCommandIds(t);
    await expect(runShell(t, { InstanceIds: nodes(0) }, ['echo never'], { DocumentName: 'No-Such-Document' })).rejects.toMatchObject({ name: 'InvalidDocument' });
    expect(await listedCommandIds(t)).toEqual(before);
  });

  it('sends by tag with the AWS CLI, which parses every answer', async () => {
    const env = cleanEnv({
      HOME: home,
      AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SSM: t.url,
    });
    const aws = async (...args: string[]) => {
      const run = await runProcess('aws', ['--output', 'json', 'ssm', ...args], { env });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout);
    };
    const sent = await aws(
      'send-command',
      '--document-name', 'AWS-RunShellScript',
      '--targets', 'Key=tag:Env,Values=prod',
      '--parameters', JSON.stringify({ commands: ['echo from-aws-cli'] }),
      '--comment', 'aws cli',
      '--max-concurrency', '50%',
    );
    expect(sent.Command).toMatchObject({ DocumentName: 'AWS-RunShellScript', Targets: [{ Key: 'tag:Env', Values: ['prod'] }], MaxConcurrency: '50%', TargetCount: 2 });
    const id: string = sent.Command.CommandId;
    await finished(t, id);

    const listed = await aws('list-commands', '--command-id', id);
    expect(listed.Commands).toEqual([expect.objectContaining({ CommandId: id, Status: 'Success', CompletedCount: 2, Comment: 'aws cli' })]);
    const invocations = await aws('list-command-invocations', '--command-id', id, '--details');
    expect(invocations.CommandInvocations.map((i: { InstanceId: string }) => i.InstanceId).sort()).toEqual(nodes(0, 1));
    for (const invocation of invocations.CommandInvocations) {
      expect(invocation).toMatchObject({ Status: 'Success', CommandPlugins: [expect.objectContaining({ Name: 'runShellScript', ResponseCode: 0, Output: 'from-aws-cli\n' })] });
    }
    const one = await aws('get-command-invocation', '--command-id', id, '--instance-id', fleet.ids[0]!);
    expect(one).toMatchObject({ Status: 'Success', ResponseCode: 0, StandardOutputContent: 'from-aws-cli\n' });
  });

  it('sends by tag with boto3, and its command_executed waiter sees each node succeed', async () => {
    const script = `
import json, boto3
ssm = boto3.client("ssm")
sent = ssm.send_command(DocumentName="AWS-RunShellScript", Targets=[{"Key": "tag:Env", "Values": ["prod"]}],
                        Parameters={"commands": ["echo from-boto3"]}, Comment="boto3")["Command"]
cid = sent["CommandId"]
invocations = ssm.list_command_invocations(CommandId=cid)["CommandInvocations"]
waiter = ssm.get_waiter("command_executed")
for inv in invocations:
    waiter.wait(CommandId=cid, InstanceId=inv["InstanceId"], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
command = ssm.list_commands(CommandId=cid)["Commands"][0]
details = ssm.list_command_invocations(CommandId=cid, Details=True)["CommandInvocations"]
print(json.dumps({
    "sent": {"targets": sent["Targets"], "target_count": sent["TargetCount"], "requested": type(sent["RequestedDateTime"]).__name__},
    "command": {"id": command["CommandId"], "status": command["Status"], "completed": command["CompletedCount"]},
    "invocations": sorted([inv["InstanceId"], inv["Status"], inv["CommandPlugins"][0]["Output"]] for inv in details),
}))
`;
    const run = await runProcess('python3', ['-c', script], {
      env: cleanEnv({
        HOME: home,
        AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_SSM: t.url,
      }),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toEqual({
      sent: { targets: [{ Key: 'tag:Env', Values: ['prod'] }], target_count: 2, requested: 'datetime' },
      command: { id: expect.any(String), status: 'Success', completed: 2 },
      invocations: nodes(0, 1).map((id) => [id, 'Success', 'from-boto3\n']),
    });
  });
});
