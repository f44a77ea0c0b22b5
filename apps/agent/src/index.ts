export { runAgent, type AgentOptions } from './agent.js';
export { runConnection, websocketUrl, AgentRejectedError, type ConnectionOptions } from './connection.js';
export { FrameHandlers, type FrameContext } from './frame-handlers.js';
export { registerNode, ensureRegistered, RegistrationRefusedError, type RegisteredState } from './registration.js';
export { readState, writeState, stateFilePath, type AgentState } from './state.js';
export { collectNodeInfo, AGENT_VERSION } from './node-info.js';
export { createLogger, parseLogLevel, silentLogger, type Logger, type LogLevel } from './logger.js';
export { Backoff } from './backoff.js';
export { PluginRegistry, STOPPED_PREEMPTIVELY_RESPONSE_CODE, NOT_RUN_RESPONSE_CODE, type Plugin, type PluginContext, type PluginResult, type PluginStatus } from './plugins/plugin.js';
export { OutputSink, LIST_INVOCATIONS_OUTPUT_CHARS, GET_INVOCATION_OUTPUT_CHARS, type OutputStream, type OutputSinkOptions, type OutputListener } from './plugins/output-sink.js';
export { createRunShellScriptPlugin, runShellScriptPlugin, RUN_SHELL_SCRIPT_ACTION, type RunShellScriptOptions } from './plugins/run-shell-script/run-shell-script.js';
export { createRunPatchBaselinePlugin, defaultRebootCommand, RUN_PATCH_BASELINE_ACTION, type RunPatchBaselineOptions, type RunPatchBaselinePlugin } from './plugins/run-patch-baseline/run-patch-baseline.js';
export { createUpdateAgentPlugin, runningBundleFile, previousBundleFile, UPDATE_AGENT_ACTION, type UpdateAgentOptions } from './plugins/update-agent/update-agent.js';
export { runUpdateWatchdog, type WatchdogOptions } from './plugins/update-agent/watchdog.js';
export { InvocationRunner, AGENT_RESTARTED_MESSAGE, type InvocationRunnerOptions } from './invocations/invocation-runner.js';
export { runSimulator, type SimulatorOptions, type SimProgress, type SimSummary } from './sim/simulator.js';
export { parseTagSpecs, type TagSpec } from './sim/sim-tags.js';
export { SIM_PLATFORMS } from './sim/platforms.js';

/** Exit status of an agent the server refused (activation or node): systemd units use it in RestartPreventExitStatus. */
export const EXIT_REFUSED = 77;
