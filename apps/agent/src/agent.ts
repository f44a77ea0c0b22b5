import os from 'node:os';
import type { NodeInfo } from '@tend/protocol';
import { AgentRejectedError, runConnection } from './connection.js';
import { FrameHandlers } from './frame-handlers.js';
import { InvocationRunner } from './invocations/invocation-runner.js';
import { PluginRegistry } from './plugins/plugin.js';
import { createRunPatchBaselinePlugin } from './plugins/run-patch-baseline/run-patch-baseline.js';
import { createRunShellScriptPlugin } from './plugins/run-shell-script/run-shell-script.js';
import { createUpdateAgentPlugin, runningBundleFile } from './plugins/update-agent/update-agent.js';
import { openUpdateTrial } from './plugins/update-agent/update-trial.js';
import { loadPrivateKey } from './identity.js';
import { silentLogger, type Logger } from './logger.js';
import { AGENT_VERSION, collectNodeInfo, primaryIpv4 } from './node-info.js';
import { ensureRegistered } from './registration.js';
import { stateFilePath } from './state.js';

export interface AgentOptions {
  stateDir: string;
  /** Required on the first start; afterwards the saved URL is used unless this overrides it. */
  serverUrl?: string;
  /** First start only; a registered node never sends the code again. */
  activationId?: string;
  activationCode?: string;
  name?: string;
  /** Root of the managed system: described to the server (its /etc/os-release), patched chrooted into it. '/' by default. */
  systemRoot?: string;
  /** Shell command that reboots the node after patching (aws:runPatchBaseline RebootIfNeeded); `systemctl reboot` or `/sbin/reboot` by default. */
  rebootCommand?: string;
  /** Stops the agent; runAgent resolves once the connection is closed. */
  signal: AbortSignal;
  logger?: Logger;
  /** Command handlers (later issues); the connection handles the handshake itself. */
  handlers?: FrameHandlers;
  /** Plugins for Run Command; aws:runShellScript, aws:runPatchBaseline and aws:updateSsmAgent by default. */
  plugins?: PluginRegistry;
}

/**
 * Runs one agent until `signal` aborts: registers on the first start (state
 * in `stateDir`), then keeps one authenticated connection to the server.
 * Rejects with RegistrationRefusedError or AgentRejectedError when the
 * server refuses the activation or the node; both are final.
 */
export async function runAgent(options: AgentOptions): Promise<void> {
  const logger = options.logger ?? silentLogger;
  const facts = await collectNodeInfo({ systemRoot: options.systemRoot });
  const state = await ensureRegistered({
    stateDir: options.stateDir,
    serverUrl: options.serverUrl,
    activationId: options.activationId,
    activationCode: options.activationCode,
    name: options.name,
    info: () => facts,
    signal: options.signal,
    logger,
  });
  if (!state.registeredNow) logger.info('using saved registration', { instanceId: state.instanceId, stateFile: stateFilePath(options.stateDir) });
  if (options.signal.aborted) return;
  // An agent update stops this process so that the new version takes its place: runAgent then resolves as on a stop.
  const restart = new AbortController();
  const signal = AbortSignal.any([options.signal, restart.signal]);
  // This process may be the new version of an update that waits for it to connect (plugins/update-agent).
  const trial = await openUpdateTrial({ stateDir: options.stateDir, version: AGENT_VERSION, logger, signal });
  // Also the one that finishes a patch operation interrupted by its own reboot (see resume below).
  const patch = createRunPatchBaselinePlugin({ stateDir: options.stateDir, systemRoot: options.systemRoot, rebootCommand: options.rebootCommand, signal, logger });
  // Loaded before connecting, so results and interrupted invocations are ready to report at the first welcome.
  const runner = new InvocationRunner({
    stateDir: options.stateDir,
    plugins:
      options.plugins ??
      new PluginRegistry()
        .register(createRunShellScriptPlugin())
        .register(patch)
        .register(
          createUpdateAgentPlugin({
            stateDir: options.stateDir,
            serverUrl: state.serverUrl,
            currentVersion: AGENT_VERSION,
            bundleFile: runningBundleFile(),
            restart: () => restart.abort(),
          }),
        ),
    logger,
    resume: (record) => trial?.resume(record) ?? patch.resume(record),
  });
  await runner.load();
  const handlers = options.handlers ?? new FrameHandlers();
  runner.register(handlers);
  if (trial) handlers.onOnline(() => trial.confirm());
  try {
    await runConnection({
      serverUrl: state.serverUrl,
      instanceId: state.instanceId,
      privateKey: loadPrivateKey(state.privateKey),
      info: liveInfo(facts),
      signal,
      handlers,
      logger,
    });
  } catch (err) {
    if (!(err instanceof AgentRejectedError)) throw err;
    // Re-registering on our own would undo an operator's deregistration: tell them how instead.
    const hint = `To register this machine again, move ${stateFilePath(options.stateDir)} away and start the agent with an activation.`;
    throw new AgentRejectedError(err.code, `${err.message} ${hint}`);
  } finally {
    // The stop signal aborts running invocations; wait until their process trees are gone before returning.
    await runner.drain();
  }
}

/**
 * Hostname and address can change while the agent runs (DHCP, a rename);
 * the platform only changes with a reboot into another system, which
 * restarts the agent. Returns the previous object while nothing changed.
 */
function liveInfo(initial: NodeInfo): () => NodeInfo {
  let current = initial;
  return () => {
    const computerName = os.hostname() || current.computerName;
    const ipAddress = primaryIpv4();
    if (computerName !== current.computerName || ipAddress !== current.ipAddress) current = { ...current, computerName, ipAddress };
    return current;
  };
}
