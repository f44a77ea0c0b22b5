import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AGENT_RELEASE_VERSION, compareVersions, type AgentReleaseList } from '@tend/protocol';
import { notRun, STOPPED_PREEMPTIVELY_RESPONSE_CODE, type Plugin, type PluginContext, type PluginResult } from '../plugin.js';
import { isWatchdog, stopProcesses, WATCHDOG_COMMAND } from './agent-processes.js';
import { clearHandoff, readHandoff, readOutcome, readWatchdog, writeHandoff, type Launch } from './handoff.js';
import { bundleVersion, downloadRelease, fetchReleases } from './release-client.js';

export const UPDATE_AGENT_ACTION = 'aws:updateSsmAgent';

/** How long the new agent has to be welcomed by the server, unless TEND_AGENT_UPDATE_TIMEOUT_SECONDS says otherwise. */
export const DEFAULT_UPDATE_TIMEOUT_SECONDS = 60;

export interface UpdateAgentOptions {
  /** The agent's state dir: the hand-off to the next process goes under it. */
  stateDir: string;
  /** The server the agent is registered with; releases come from it. */
  serverUrl: string;
  /** The version this agent runs. */
  currentVersion: string;
  /** The running bundle (tend-agent.cjs); undefined when the agent runs from a source checkout, which cannot be updated this way. */
  bundleFile: string | undefined;
  /** Stops this agent process so that the new version can take its place. */
  restart: () => void;
  /** How the agent was started, to start it the same way (default: this process's node, flags and arguments). */
  launch?: Launch;
  /**
   * Environment holding TEND_AGENT_UPDATE_TIMEOUT_SECONDS (how long the new agent has to connect),
   * TEND_AGENT_SUPERVISED (true: a supervisor such as systemd restarts the agent when it exits; false or
   * unset: the agent starts its successor itself) and INVOCATION_ID (set by systemd). Default process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** How long the watchdog may take to start (default 15 s). */
  watchdogStartMs?: number;
}

/** The bundle the agent runs from: the script node was given, when it is a .cjs file (a checkout runs bin/tend.js). */
export function runningBundleFile(): string | undefined {
  const script = process.argv[1];
  return script && script.endsWith('.cjs') ? path.resolve(script) : undefined;
}

/** This process's way of starting, minus an activation code: a registered node never needs it again, and it is written to disk. */
export function currentLaunch(): Launch {
  const args: string[] = [];
  const given = process.argv.slice(2);
  for (let i = 0; i < given.length; i++) {
    if (given[i] === '--activation-code') i++;
    else if (!given[i]!.startsWith('--activation-code=')) args.push(given[i]!);
  }
  return { node: process.execPath, execArgv: process.execArgv, args, cwd: process.cwd() };
}

/** `<dir>/tend-agent.cjs` → `<dir>/tend-agent.previous.cjs` (.cjs kept: node must load it as CommonJS wherever it is). */
export function previousBundleFile(bundleFile: string): string {
  return bundleFile.replace(/(\.cjs)?$/, '.previous.cjs');
}

interface Settings {
  timeoutMs: number;
  supervised: boolean;
}

function settingsFrom(env: NodeJS.ProcessEnv): Settings | string {
  const rawTimeout = env.TEND_AGENT_UPDATE_TIMEOUT_SECONDS;
  const seconds = rawTimeout === undefined || rawTimeout === '' ? DEFAULT_UPDATE_TIMEOUT_SECONDS : Number(rawTimeout);
  if (!Number.isFinite(seconds) || seconds <= 0) return `TEND_AGENT_UPDATE_TIMEOUT_SECONDS must be a positive number of seconds, not "${rawTimeout}".`;
  const supervised = env.TEND_AGENT_SUPERVISED ?? '';
  if (supervised !== '' && supervised !== 'true' && supervised !== 'false') return `TEND_AGENT_SUPERVISED must be true or false, not "${supervised}".`;
  if (supervised === '' && env.INVOCATION_ID) {
    // systemd sets INVOCATION_ID for every service. A unit that does not say TEND_AGENT_SUPERVISED was written
    // before agent updates existed, most likely with the default KillMode, which would kill the watchdog with the agent.
    return (
      'This agent runs under systemd, but its unit does not set TEND_AGENT_SUPERVISED=true: it predates agent updates, and its ' +
      'KillMode would stop the update watchdog with the agent. Run install.sh again to rewrite the unit ' +
      '(or add KillMode=process and Environment=TEND_AGENT_SUPERVISED=true to it), then retry.'
    );
  }
  return { timeoutMs: seconds * 1000, supervised: supervised === 'true' };
}

interface Inputs {
  /** '' for the newest. */
  targetVersion: string;
  allowDowngrade: boolean;
}

function parseInputs(inputs: Record<string, unknown>): Inputs | string {
  const version = inputs.targetVersion ?? inputs.version ?? '';
  if (typeof version !== 'string' || (version !== '' && !AGENT_RELEASE_VERSION.test(version))) {
    return 'Input targetVersion must be empty (the newest release) or a version such as 1.2.3.';
  }
  const downgrade = inputs.allowDowngrade ?? 'false';
  if (downgrade !== true && downgrade !== false && downgrade !== 'true' && downgrade !== 'false') return 'Input allowDowngrade must be true or false.';
  return { targetVersion: version, allowDowngrade: downgrade === true || downgrade === 'true' };
}

/**
 * aws:updateSsmAgent (the document AWS-UpdateSSMAgent): replaces this
 * agent with a release the server holds and restarts onto it.
 *
 * The version is resolved against GET /agent/releases (empty = newest; an
 * older one only with allowDowngrade; the running one = Success, nothing
 * done). The bundle is downloaded next to the running one, its SHA-256
 * checked against the listing and `node <it> --version` must print the
 * version asked for. Then the running bundle is copied to
 * tend-agent.previous.cjs, the hand-off for the next processes is written
 * (handoff.ts), the watchdog is started from the previous bundle
 * (watchdog.ts), the new file is renamed over the running one (atomic) and
 * the agent restarts. The step is handed off: the new agent reports Success
 * once the server has welcomed it (update-trial.ts), or the watchdog puts
 * the old agent back and stores a Failed result, which the old agent
 * reports. Anything that fails before the rename leaves the agent as it was.
 */
export function createUpdateAgentPlugin(options: UpdateAgentOptions): Plugin {
  const stateDir = path.resolve(options.stateDir);

  async function run(rawInputs: Record<string, unknown>, context: PluginContext): Promise<PluginResult> {
    const startedAt = Date.now();
    const printed: string[] = [];
    const say = (line: string) => {
      printed.push(line);
      context.output.write('stdout', line + '\n');
    };
    const failed = (message: string) => notRun(context, message, startedAt);

    const inputs = parseInputs(rawInputs);
    if (typeof inputs === 'string') return failed(inputs);

    let list: AgentReleaseList;
    try {
      list = await fetchReleases(options.serverUrl, context.signal);
    } catch (err) {
      return failed(`Could not list the agent releases on ${options.serverUrl}: ${messageOf(err)}`);
    }
    const target = inputs.targetVersion || list.latest;
    const release = list.releases.find((r) => r.version === target);
    if (!release) return failed(`The server holds no agent release ${target}; it holds ${list.releases.map((r) => r.version).join(', ')}.`);
    const current = options.currentVersion;
    const order = compareVersions(target, current);
    if (order === 0) {
      say(`The agent is already at version ${current}; nothing to update.`);
      return { status: 'Success', responseCode: 0, startedAt, endedAt: Date.now() };
    }
    if (order < 0 && !inputs.allowDowngrade) {
      return failed(`Version ${target} is older than the running ${current}; set allowDowngrade to true to install it.`);
    }
    const bundleFile = options.bundleFile;
    if (!bundleFile) {
      return failed('This agent does not run from the single-file bundle (tend-agent.cjs), so it cannot replace itself; update its source checkout instead.');
    }
    if (!context.invocationId || !context.stepName) return failed('aws:updateSsmAgent runs only as part of a command invocation.');
    const settings = settingsFrom(options.env ?? process.env);
    if (typeof settings === 'string') return failed(settings);
    const busy = await updateInProgress(stateDir);
    if (busy) return failed(busy);

    say(`Updating the agent from ${current} to ${target}.`);
    const download = path.join(path.dirname(bundleFile), `.tend-agent-${target}.${randomBytes(4).toString('hex')}.cjs`);
    const launch = options.launch ?? currentLaunch();
    try {
      await downloadRelease(options.serverUrl, release, download, context.signal);
      say(`Downloaded ${release.size} bytes; SHA-256 ${release.sha256} matches the server's listing.`);
      const version = await bundleVersion(launch.node, download, context.signal);
      if (version !== target) throw new Error(`the downloaded agent says it is version "${version.slice(0, 100)}", not ${target}`);
      say(`The new agent runs: --version prints ${version}.`);
    } catch (err) {
      await fs.rm(download, { force: true });
      if (context.signal.aborted) {
        return { status: 'Cancelled', responseCode: STOPPED_PREEMPTIVELY_RESPONSE_CODE, message: 'Cancelled before anything was replaced.', startedAt, endedAt: Date.now() };
      }
      return failed(`The update to ${target} was not installed: ${messageOf(err)}`);
    }

    // From here on a cancel is not honoured: the files are being swapped, and the outcome will be reported.
    const previousFile = previousBundleFile(bundleFile);
    const restarting = `Restarting onto ${target}; if it is not connected to the server within ${settings.timeoutMs / 1000} s, ${current} is put back.`;
    const undo = async (why: string) => {
      await fs.rm(download, { force: true });
      await clearHandoff(stateDir).catch(() => {});
      return failed(`The update to ${target} was not installed: ${why}. Agent ${current} stays.`);
    };
    try {
      await copyDurably(bundleFile, previousFile);
      await clearHandoff(stateDir);
      await writeHandoff(stateDir, {
        v: 1,
        invocationId: context.invocationId,
        stepName: context.stepName,
        fromVersion: current,
        toVersion: target,
        bundleFile,
        previousFile,
        launch,
        supervised: settings.supervised,
        agentPid: process.pid,
        timeoutMs: settings.timeoutMs,
        output: [...printed, restarting].map((line) => line + '\n').join(''),
        createdAt: Date.now(),
      });
    } catch (err) {
      return undo(messageOf(err));
    }
    // The watchdog before the swap: from the moment the new file is in place, something that is not the new code watches.
    const watchdog = await startWatchdog(launch, previousFile, stateDir, options.watchdogStartMs ?? 15_000);
    if (typeof watchdog === 'string') return undo(`the update watchdog did not start (${watchdog})`);
    try {
      await fs.rename(download, bundleFile);
    } catch (err) {
      await stopProcesses([watchdog], 1_000);
      return undo(messageOf(err));
    }
    say(restarting);
    context.logger.info('restarting onto the new agent version', { from: current, to: target, supervised: settings.supervised });
    options.restart();
    return { status: 'Success', responseCode: 0, handedOff: true, startedAt, endedAt: Date.now() };
  }

  return { name: UPDATE_AGENT_ACTION, run };
}

/** Why another update is still running, or undefined (a finished or abandoned hand-off is cleared). */
async function updateInProgress(stateDir: string): Promise<string | undefined> {
  try {
    const handoff = await readHandoff(stateDir);
    if (!handoff) return undefined;
    const watchdog = await readWatchdog(stateDir);
    if (!(await readOutcome(stateDir)) && watchdog && isWatchdog(watchdog.pid)) {
      return `Another agent update (to ${handoff.toVersion}, invocation ${handoff.invocationId}) is still waiting for its outcome.`;
    }
  } catch {
    // An unreadable hand-off is abandoned.
  }
  await clearHandoff(stateDir);
  return undefined;
}

/** `from` copied to `to` via a flushed temporary file and a rename: `to` is always a whole bundle. */
async function copyDurably(from: string, to: string): Promise<void> {
  const temp = path.join(path.dirname(to), `.${path.basename(to)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.copyFile(from, temp);
    const handle = await fs.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, to);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/**
 * Starts the watchdog from the previous (known good) bundle, detached so
 * that it outlives this process, and waits until it has written its pid.
 * Returns its pid, or why it did not start.
 */
async function startWatchdog(launch: Launch, previousFile: string, stateDir: string, timeoutMs: number): Promise<number | string> {
  const child = spawn(launch.node, [...launch.execArgv, previousFile, WATCHDOG_COMMAND, '--state-dir', stateDir], {
    cwd: launch.cwd,
    env: process.env,
    detached: true,
    // Its log lines go where the agent's go (the journal, the terminal).
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let ended: string | undefined;
  child.once('error', (err) => (ended = err.message));
  child.once('exit', (code, signal) => (ended = signal ? `killed by ${signal}` : `it exited with status ${code}`));
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ready = await readWatchdog(stateDir).catch(() => undefined);
    if (ready && ready.pid === child.pid) {
      child.unref();
      return ready.pid;
    }
    if (ended) return ended;
    if (Date.now() >= until) {
      child.kill('SIGKILL');
      return `no sign of it after ${timeoutMs / 1000} s`;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
