import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { GetCommandInvocationCommand, ListCommandsCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { createTestActivation, registerTestNode } from '../nodes/node-test-support.js';
import { CommandHistory } from './command-history.js';

const DAY_MS = 86_400_000;

describeEachDatabase('command history', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  /** A pruner of this server's history as it will look `daysLater` days from now. */
  const prunerAt = (daysLater: number) =>
    new CommandHistory({
      store: t.server.services.commands.store,
      output: t.server.services.commands.outputStore,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(Date.now() + daysLater * DAY_MS),
      days: 30,
    });
  const outputRoot = () => path.join(t.dataDir, 'command-output');
  const listed = async () => ((await t.ssm.send(new ListCommandsCommand({}))).Commands ?? []).map((c) => c.CommandId);

  it('deletes finished commands older than the kept days with their invocations and output, and keeps the rest', async () => {
    // Finished at once: no node has this tag.
    const finished = await t.ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', Targets: [{ Key: 'tag:Env', Values: ['nowhere'] }], Parameters: { commands: ['true'] } }),
    );
    const finishedId = finished.Command!.CommandId!;
    // Still waiting: its node never connects.
    const node = await registerTestNode(t, await createTestActivation(t));
    const waiting = await t.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [node.instanceId], Parameters: { commands: ['true'] } }));
    const waitingId = waiting.Command!.CommandId!;
    t.server.services.commands.outputStore.append(finishedId, node.instanceId, 'aws-runShellScript', 'stdout', 'kept until pruned\n');
    // Another replica pruned this one: only its old output is left here.
    const orphan = randomUUID();
    t.server.services.commands.outputStore.append(orphan, node.instanceId, 'aws-runShellScript', 'stdout', 'orphaned\n');
    const old = new Date(Date.now() - 40 * DAY_MS);
    fs.utimesSync(path.join(outputRoot(), orphan), old, old);
    // Not a command's directory: never touched.
    fs.mkdirSync(path.join(outputRoot(), 'notes'), { recursive: true });
    fs.utimesSync(path.join(outputRoot(), 'notes'), old, old);

    expect(await prunerAt(29).prune()).toEqual({ commands: 0, outputs: 1 });
    expect(fs.existsSync(path.join(outputRoot(), orphan))).toBe(false);
    expect(await listed()).toEqual(expect.arrayContaining([finishedId, waitingId]));

    expect(await prunerAt(31).prune()).toEqual({ commands: 1, outputs: 1 });
    expect(await listed()).not.toContain(finishedId);
    expect(await listed()).toContain(waitingId);
    expect(fs.existsSync(path.join(outputRoot(), finishedId))).toBe(false);
    expect(fs.existsSync(path.join(outputRoot(), 'notes'))).toBe(true);
    await expect(t.ssm.send(new GetCommandInvocationCommand({ CommandId: waitingId, InstanceId: node.instanceId }))).resolves.toMatchObject({ CommandId: waitingId, Status: expect.stringMatching(/^(Pending|InProgress|Delayed)$/) });
    const rows = await t.server.services.db.selectFrom('command_invocations').select('command_id').where('command_id', '=', finishedId).execute();
    expect(rows).toEqual([]);

    // Nothing more to do: a second pruning (another replica's) changes nothing.
    expect(await prunerAt(31).prune()).toEqual({ commands: 0, outputs: 0 });
  });
});
