import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AddTagsToResourceCommand,
  DescribeInstanceInformationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  type Command,
  type CommandInvocation,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import { runAgent } from '../../../../agent/src/agent.js';
import { readState } from '../../../../agent/src/state.js';
import type { TestServer } from '../../testing/test-server.js';
import { createTestActivation } from '../nodes/node-test-support.js';

/**
 * Real agents for Run Command tests: the agent's own code (registration,
 * WebSocket, invocation runner, aws:runShellScript running real shells),
 * each node with its own state dir, run in the test process so dozens cost
 * little. Tests that need an agent process (kill -9) start `tend agent`.
 */
export interface TestAgent {
  instanceId: string;
  stateDir: string;
  /** Stops the agent as SIGTERM would: running invocations are killed and reported on its next start. */
  stop(): Promise<void>;
  /** Starts it again with the same state dir (same node). */
  start(): void;
  readonly running: boolean;
}

export interface TestFleet {
  agents: TestAgent[];
  ids: string[];
  stopAll(): Promise<void>;
}

const COMMAND_TERMINAL = new Set(['Success', 'Cancelled', 'Failed', 'TimedOut']);

/** Registers and connects `count` agents (tags applied before they are used) and waits until every one is connected. */
/** A server agents can join: an in-process test server, or a `tend server` process reached by URL. */
export type FleetServer = Pick<TestServer, 'url' | 'ssm'> & Partial<Pick<TestServer, 'server'>>;

export async function startFleet(t: FleetServer, count: number, options: { tags?: (index: number) => Record<string, string> } = {}): Promise<TestFleet> {
  const activation = await createTestActivation(t as TestServer, { RegistrationLimit: count });
  const agents: TestAgent[] = [];
  for (let index = 0; index < count; index++) {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-rc-agent-'));
    let controller: AbortController | undefined;
    let task: Promise<void> = Promise.resolve();
    const agent: TestAgent = {
      instanceId: '',
      stateDir,
      get running() {
        return controller !== undefined;
      },
      start() {
        if (controller) return;
        const own = new AbortController();
        controller = own;
        task = runAgent({ stateDir, serverUrl: t.url, ...activation, name: `node-${index}`, signal: own.signal }).catch((err: unknown) => {
          if (!own.signal.aborted) console.error(`test agent ${index} stopped:`, err);
        });
      },
      async stop() {
        controller?.abort();
        controller = undefined;
        await task;
      },
    };
    agent.start();
    agents.push(agent);
  }
  // The state file is written with the key before registering; the node id is in it once registration is done.
  for (const agent of agents) {
    const instanceId = await until<string>(async () => {
      try {
        return (await readState(agent.stateDir))?.instanceId;
      } catch {
        return undefined;
      }
    }, 20_000, 'agent registration');
    (agent as { instanceId: string }).instanceId = instanceId;
  }
  for (const [index, agent] of agents.entries()) {
    const tags = options.tags?.(index);
    if (tags && Object.keys(tags).length) {
      await t.ssm.send(
        new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: agent.instanceId, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
      );
    }
  }
  await connected(t, agents);
  return {
    agents,
    ids: agents.map((a) => a.instanceId),
    async stopAll() {
      await Promise.all(agents.map((a) => a.stop()));
      for (const a of agents) fs.rmSync(a.stateDir, { recursive: true, force: true });
    },
  };
}

/** Waits until each agent holds a live connection (in-process server), or shows Online (a server process). */
export async function connected(t: FleetServer, agents: TestAgent[]): Promise<void> {
  const gateway = t.server?.services.agents;
  await until(async () => {
    if (gateway) return agents.every((a) => gateway.isConnected(a.instanceId));
    const out = await t.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: agents.map((a) => a.instanceId) }] }));
    return out.InstanceInformationList?.filter((n) => n.PingStatus === 'Online').length === agents.length;
  }, 20_000, 'agents connected');
}

/** Polls `check` every 50 ms until it returns something truthy. */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** SendCommand of AWS-RunShellScript (or any input) through the SDK; answers the command id. */
export async function runShell(t: Pick<TestServer, 'ssm'>, targets: Pick<SendCommandCommandInput, 'InstanceIds' | 'Targets'>, commands: string[], extra: Partial<SendCommandCommandInput> = {}): Promise<string> {
  const out = await t.ssm.send(
    new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', ...targets, ...extra, Parameters: { commands, ...(extra.Parameters ?? {}) } }),
  );
  return out.Command!.CommandId!;
}

export async function getCommand(t: Pick<TestServer, 'ssm'>, commandId: string): Promise<Command> {
  const out = await t.ssm.send(new ListCommandsCommand({ CommandId: commandId }));
  return out.Commands![0]!;
}

/** Every command id ListCommands answers (all pages), sorted: to show a refused SendCommand recorded nothing. */
export async function listedCommandIds(t: TestServer): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await t.ssm.send(new ListCommandsCommand({ MaxResults: 50, NextToken }));
    ids.push(...(page.Commands ?? []).map((c) => c.CommandId!));
    NextToken = page.NextToken;
  } while (NextToken);
  return ids.sort();
}

/** Waits until the command is in a terminal status and returns it. */
export async function finished(t: Pick<TestServer, 'ssm'>, commandId: string, timeoutMs = 20_000): Promise<Command> {
  return until(async () => {
    const command = await getCommand(t, commandId);
    return COMMAND_TERMINAL.has(command.Status!) ? command : undefined;
  }, timeoutMs, `command ${commandId} finished`);
}

/** Every invocation of a command (with Details), keyed by node. */
export async function invocationsOf(t: Pick<TestServer, 'ssm'>, commandId: string): Promise<Map<string, CommandInvocation>> {
  const all = new Map<string, CommandInvocation>();
  let NextToken: string | undefined;
  do {
    const page = await t.ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, Details: true, NextToken }));
    for (const inv of page.CommandInvocations ?? []) all.set(inv.InstanceId!, inv);
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

/** Whether a process id is alive (signal 0 probes without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
