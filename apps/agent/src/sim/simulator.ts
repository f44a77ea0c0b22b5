import { setMaxListeners } from 'node:events';
import path from 'node:path';
import type { NodeInfo } from '@tend/protocol';
import type { BackoffOptions } from '../backoff.js';
import { AgentRejectedError, runConnection } from '../connection.js';
import { FrameHandlers } from '../frame-handlers.js';
import { loadPrivateKey } from '../identity.js';
import { silentLogger, type Logger } from '../logger.js';
import { AGENT_VERSION } from '../node-info.js';
import { ensureRegistered, RegistrationRefusedError } from '../registration.js';
import { readState } from '../state.js';
import { platformFor, selectPlatforms } from './platforms.js';
import { SimInvocations, type SimCommandOptions } from './sim-invocations.js';
import { tagsFor, type TagSpec } from './sim-tags.js';

export interface SimActivation {
  id: string;
  code: string;
}

export interface SimulatorOptions {
  serverUrl: string;
  /**
   * Activations for nodes not registered yet, each taking an equal share of
   * the nodes in order (an activation allows at most 1,000 registrations).
   */
  activations: readonly SimActivation[];
  nodes: number;
  /** Node identities live in <stateDir>/nodes/<index>/, so a restart reuses them. */
  stateDir: string;
  tags?: readonly TagSpec[];
  /** Platform keys to draw from; the whole realistic mix by default. */
  platforms?: readonly string[];
  /** Node names and computer names are `<prefix>-<index>` (default "sim"). */
  namePrefix?: string;
  /** Registrations and first handshakes in flight at once (default 50). */
  concurrency?: number;
  signal: AbortSignal;
  logger?: Logger;
  /** Extra frame handlers; the simulated Run Command handlers are added to them (one registry for every node). */
  handlers?: FrameHandlers;
  /** Reconnection backoff of every node (tests shorten it). */
  backoff?: BackoffOptions;
  /** How simulated nodes answer Run Command: step delay, share of failing nodes. */
  commands?: SimCommandOptions;
  onProgress?: (progress: SimProgress) => void;
  progressIntervalMs?: number;
}

export interface SimProgress {
  total: number;
  /** Nodes with an instance id (registered now or in an earlier run). */
  registered: number;
  online: number;
  /** Nodes the server refused: registration refused or identity rejected. */
  refused: number;
  elapsedMs: number;
}

export interface SimSummary extends SimProgress {
  /** Each distinct refusal message once. */
  refusals: string[];
}

export const MAX_SIM_NODES = 99_999;

/** <stateDir>/nodes/00042: zero-padded so a listing sorts like the fleet. */
export function simNodeDir(stateDir: string, index: number): string {
  return path.join(stateDir, 'nodes', String(index).padStart(5, '0'));
}

/** A private 10.64.0.0/10 address per node, unique for every index the simulator allows. */
export function simIpAddress(index: number): string {
  return `10.${64 + (index >>> 16)}.${(index >>> 8) & 255}.${index & 255}`;
}

/**
 * Runs `nodes` simulated agents in this process, each with its own identity
 * and its own real WebSocket. Resolves once every node has stopped: after
 * `signal` aborts, or earlier if the server refused them all.
 */
export async function runSimulator(options: SimulatorOptions): Promise<SimSummary> {
  const { nodes: total, signal } = options;
  if (!Number.isInteger(total) || total < 1 || total > MAX_SIM_NODES) throw new Error(`--nodes must be between 1 and ${MAX_SIM_NODES}`);
  const logger = options.logger ?? silentLogger;
  // Every node's connection (and registration in flight) listens to the one signal: that is by design, not a leak.
  setMaxListeners(2 * total + 100, signal);
  // One registry and one invocation table for the whole fleet: per-node handler objects would cost memory for nothing.
  const handlers = options.handlers ?? new FrameHandlers();
  const invocations = new SimInvocations({ ...options.commands, signal }).register(handlers);
  const platforms = selectPlatforms(options.platforms);
  const tagSpecs = options.tags ?? [];
  const prefix = options.namePrefix ?? 'sim';
  const perActivation = Math.ceil(total / Math.max(1, options.activations.length));
  const started = Date.now();
  const counts = { registered: 0, online: 0, refused: 0 };
  const refusals = new Set<string>();
  // An activation that refused once (limit, expiry, wrong code) refuses the rest of its share too.
  const refusedActivations = new Map<number, string>();
  const connections: Array<Promise<void>> = [];
  // The first new registration of each activation goes alone: a wrong code then costs one
  // refused attempt instead of one per worker (the server rate-limits wrong guesses).
  const firstRegistrations = new Map<number, Promise<void>>();

  const snapshot = (): SimProgress => ({ total, ...counts, elapsedMs: Date.now() - started });
  let lastReported = '';
  const report = () => {
    const progress = snapshot();
    const key = `${progress.registered}/${progress.online}/${progress.refused}`;
    if (key === lastReported) return;
    lastReported = key;
    options.onProgress?.(progress);
  };
  const progressTimer = setInterval(report, options.progressIntervalMs ?? 1000);

  const refuse = (message: string) => {
    counts.refused++;
    if (!refusals.has(message)) logger.error('node refused', { message });
    refusals.add(message);
  };

  const startNode = async (index: number): Promise<void> => {
    const activationIndex = Math.floor((index - 1) / perActivation);
    const activation = options.activations[activationIndex];
    const platform = platformFor(index, platforms);
    const name = `${prefix}-${String(index).padStart(5, '0')}`;
    const info: NodeInfo = {
      computerName: name,
      ipAddress: simIpAddress(index),
      platformType: 'Linux',
      platformName: platform.platformName,
      platformVersion: platform.platformVersion,
      agentVersion: AGENT_VERSION,
    };
    const stateDir = simNodeDir(options.stateDir, index);
    let openGate: (() => void) | undefined;
    if (activation && !(await readState(stateDir))?.instanceId) {
      const gate = firstRegistrations.get(activationIndex);
      if (gate) await gate;
      else firstRegistrations.set(activationIndex, new Promise<void>((resolve) => (openGate = resolve)));
    }
    const earlierRefusal = refusedActivations.get(activationIndex);
    let state;
    try {
      state = await ensureRegistered({
        stateDir,
        serverUrl: options.serverUrl,
        // A node of a refused activation still starts if it registered in an earlier run.
        activationId: earlierRefusal ? undefined : activation?.id,
        activationCode: earlierRefusal ? undefined : activation?.code,
        name,
        tags: tagsFor(index, tagSpecs),
        info: () => info,
        signal,
        logger,
        durable: false,
      });
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof RegistrationRefusedError) {
        refusedActivations.set(activationIndex, err.message);
        return refuse(err.message);
      }
      if (earlierRefusal) return refuse(earlierRefusal);
      throw err;
    } finally {
      openGate?.();
    }
    counts.registered++;
    invocations.addNode(state.instanceId, { platformKey: platform.key, index });
    const firstStatus = deferred();
    const connection = runConnection({
      serverUrl: state.serverUrl,
      instanceId: state.instanceId,
      privateKey: loadPrivateKey(state.privateKey),
      info: () => info,
      signal,
      handlers,
      logger,
      backoff: options.backoff,
      onStatus: (online) => {
        counts.online += online ? 1 : -1;
        firstStatus.resolve();
      },
    }).catch((err: unknown) => {
      if (!(err instanceof AgentRejectedError)) throw err;
      refuse(err.message);
    });
    connections.push(connection);
    // Hold the slot until the first handshake is done, so a restart does not open thousands of handshakes at once.
    await firstStatus.wait(connection, 20_000);
  };

  let next = 1;
  const worker = async () => {
    while (next <= total && !signal.aborted) await startNode(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 50, total) }, worker));
    report();
    await Promise.all(connections);
  } finally {
    clearInterval(progressTimer);
  }
  return { ...snapshot(), refusals: [...refusals] };
}

/** A one-shot latch with a bounded wait that leaves no timer behind. */
function deferred() {
  let release: () => void = () => {};
  const promise = new Promise<void>((resolve) => (release = resolve));
  return {
    resolve: () => release(),
    async wait(alsoEnding: Promise<unknown>, timeoutMs: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([promise, alsoEnding.then(() => undefined, () => undefined), timeout]);
      clearTimeout(timer);
    },
  };
}
