import type { Logger } from '../logger.js';
import type { OutputSink } from './output-sink.js';

/**
 * Final state of one plugin step, named as Systems Manager names the
 * invocation statuses so the server can map them without a translation table.
 */
export type PluginStatus = 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

/**
 * Exit code Systems Manager's Linux agent reports when it stopped a command
 * itself, for a cancel as well as an execution timeout: 128 + SIGKILL. The
 * status (TimedOut or Cancelled) is what tells the two apart.
 */
export const STOPPED_PREEMPTIVELY_RESPONSE_CODE = 137;

/** Response code of a step that never started its work (bad input, unknown action, …). */
export const NOT_RUN_RESPONSE_CODE = 1;

export interface PluginResult {
  status: PluginStatus;
  /** The script's exit code, or one of the codes above. */
  responseCode: number;
  /** One line for humans when the status needs explaining; never contains environment values. */
  message?: string;
  startedAt: number;
  endedAt: number;
  /**
   * The step goes on in another agent process (an agent update restarts
   * the agent): the runner reports nothing now and leaves the invocation's
   * in-flight record for that process to finish (InvocationRunnerOptions.resume).
   */
  handedOff?: boolean;
  /** Structured data for the server besides the output (e.g. a patch report); sent with the invocation result. */
  report?: { kind: string; data: unknown };
}

export interface PluginContext {
  /** Aborted when the command is cancelled (or the agent stops): the plugin must stop and clean up. */
  signal: AbortSignal;
  /** Epoch ms by which the step must be over (from the document's executionTimeout). */
  deadline: number;
  logger: Logger;
  output: OutputSink;
  /**
   * Variables added to the agent's own environment for this step, e.g.
   * SSM_<name> for ENV_VAR-interpolated parameters. They may hold secrets:
   * plugins pass them on and never log them.
   */
  env: Record<string, string>;
  /** Default working directory when the step's inputs name none. */
  workingDirectory?: string;
  /** Where per-invocation scratch files go (the agent's state dir); the OS temp dir when absent. */
  scratchDir?: string;
  /** The invocation and step being run, for a plugin whose step outlives this process (aws:updateSsmAgent). */
  invocationId?: string;
  stepName?: string;
}

export interface Plugin {
  /** The document action this plugin implements, e.g. `aws:runShellScript`. */
  readonly name: string;
  /**
   * Runs one step. Expected failures (bad inputs, non-zero exit, timeout)
   * come back as a result; a throw is a bug, and the registry turns it into
   * a Failed result too so one plugin cannot take the agent down.
   */
  run(inputs: Record<string, unknown>, context: PluginContext): Promise<PluginResult>;
}

/** Builds a Failed result for a step that could not start, with the reason also written to its stderr. */
export function notRun(context: PluginContext, message: string, startedAt = Date.now()): PluginResult {
  // Systems Manager shows such reasons in the invocation's error output; do the same.
  context.output.write('stderr', message + '\n');
  return { status: 'Failed', responseCode: NOT_RUN_RESPONSE_CODE, message, startedAt, endedAt: Date.now() };
}

/** Plugins by action name. */
export class PluginRegistry {
  private readonly plugins = new Map<string, Plugin>();

  register(plugin: Plugin): this {
    if (this.plugins.has(plugin.name)) throw new Error(`a plugin for ${plugin.name} is already registered`);
    this.plugins.set(plugin.name, plugin);
    return this;
  }

  get(action: string): Plugin | undefined {
    return this.plugins.get(action);
  }

  actions(): string[] {
    return [...this.plugins.keys()].sort();
  }

  /**
   * Runs the plugin for `action`. Never throws: a document naming an action
   * this agent lacks (an older agent, a typo) is a Failed step, not a crash.
   */
  async run(action: string, inputs: Record<string, unknown>, context: PluginContext): Promise<PluginResult> {
    const startedAt = Date.now();
    const plugin = this.plugins.get(action);
    if (!plugin) {
      return notRun(context, `Unknown plugin action "${action}": this agent supports ${this.actions().join(', ') || 'no actions'}.`, startedAt);
    }
    try {
      return await plugin.run(inputs, context);
    } catch (err) {
      context.logger.error('plugin failed unexpectedly', { action, err });
      return notRun(context, `Plugin ${action} failed: ${err instanceof Error ? err.message : String(err)}`, startedAt);
    }
  }
}
