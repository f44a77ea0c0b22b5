import { z } from 'zod';
import { frame } from './frame-base.js';

/**
 * Run Command frames (issue 4). The server renders documents and parameters
 * before sending, so the agent only runs steps and reports; the database is
 * the truth, and every frame names its invocation so both ends can apply it
 * idempotently.
 *
 * Compatibility: a server that speaks these frames lists
 * AGENT_FEATURES.invocations in its welcome. An agent only volunteers
 * frames (pending.request, re-sent results) to such a server, because an
 * older server closes the connection on a frame type it does not handle.
 */
export const AGENT_FEATURES = {
  invocations: 'invocations.v1',
} as const;

/**
 * Largest frame an authenticated agent may send: a result with a patch
 * report carries the node's whole package list (2,000 packages ≈ 300 KB).
 * Before authentication the gateway keeps the small limit.
 */
export const MAX_AGENT_FRAME_BYTES = 16 * 1024 * 1024;

/** Characters of one stream a result carries inline (GetCommandInvocation's StandardOutputContent limit). */
export const RESULT_OUTPUT_CHARS = 24_000;
/** Largest `data` of one output frame, and the default chunk size. */
export const MAX_OUTPUT_CHUNK_CHARS = 16_000;
export const DEFAULT_OUTPUT_CHUNK_CHARS = 8_000;

/** Ids become file names in the agent's state dir: no slashes, no leading dot. */
const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/);
const stepName = z.string().min(1).max(128);
const epochMs = z.number().int().nonnegative();

export const invocationStepSchema = z.object({
  name: stepName,
  /** Plugin action, e.g. aws:runShellScript. */
  action: z.string().min(1).max(128),
  /** Rendered inputs; the plugin validates their shape. */
  inputs: z.record(z.unknown()),
  /** Extra environment (SSM_<name> of ENV_VAR parameters); may hold secrets, so never logged or persisted. */
  env: z.record(z.string().max(32_768)).optional(),
});
export type InvocationStep = z.infer<typeof invocationStepSchema>;

/** Server → agent. */
export const invocationStartFrame = frame('invocation.start', {
  invocationId: id,
  commandId: z.string().min(1).max(128),
  documentName: z.string().min(1).max(128),
  steps: z.array(invocationStepSchema).min(1).max(100),
  /** Epoch ms by which the whole invocation must be over (the document's executionTimeout). */
  executionDeadline: epochMs,
  outputChunkChars: z.number().int().min(256).max(MAX_OUTPUT_CHUNK_CHARS).optional(),
});
export const invocationCancelFrame = frame('invocation.cancel', { invocationId: id });
/** The server stored the result: the agent may forget it. */
export const invocationResultAckFrame = frame('invocation.result.ack', { invocationId: id });

/** Agent → server. */
export const pendingRequestFrame = frame('pending.request', {});
export const invocationAcceptedFrame = frame('invocation.accepted', { invocationId: id });
export const invocationOutputFrame = frame('invocation.output', {
  invocationId: id,
  step: stepName,
  stream: z.enum(['stdout', 'stderr']),
  /** 0, 1, 2, … per invocation across steps and streams: the server orders and de-duplicates by it. */
  seq: z.number().int().nonnegative(),
  data: z.string().max(MAX_OUTPUT_CHUNK_CHARS),
});

export const invocationStatusSchema = z.enum(['Success', 'Failed', 'TimedOut', 'Cancelled']);
export type InvocationStatus = z.infer<typeof invocationStatusSchema>;

export const stepResultSchema = z.object({
  name: stepName,
  status: invocationStatusSchema,
  responseCode: z.number().int(),
  stdout: z.string().max(RESULT_OUTPUT_CHARS),
  stderr: z.string().max(RESULT_OUTPUT_CHARS),
  /** The step wrote more than the inline views hold (or more than the agent keeps). */
  outputTruncated: z.boolean(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

/**
 * Structured data a step reports besides its output, by kind (e.g. `patch`,
 * see patch/patch-report.ts): the server validates `data` against the
 * kind's schema and records it in the same transaction as the result.
 */
export const stepReportSchema = z.object({
  step: stepName,
  kind: z.string().min(1).max(64),
  data: z.unknown(),
});
export type StepReport = z.infer<typeof stepReportSchema>;

export const invocationResultFrame = frame('invocation.result', {
  invocationId: id,
  status: invocationStatusSchema,
  responseCode: z.number().int(),
  /** Steps that ran, in order; steps after the first failure did not run and are not listed. */
  steps: z.array(stepResultSchema).max(100),
  startedAt: epochMs,
  endedAt: epochMs,
  /** Why, when the steps do not say it (e.g. the agent restarted mid-command). */
  message: z.string().max(1_000).optional(),
  reports: z.array(stepReportSchema).max(100).optional(),
});
export type InvocationStartFrame = z.infer<typeof invocationStartFrame>;
export type InvocationResultFrame = z.infer<typeof invocationResultFrame>;
export type InvocationOutputFrame = z.infer<typeof invocationOutputFrame>;

export const commandServerFrames = [invocationStartFrame, invocationCancelFrame, invocationResultAckFrame] as const;
export const commandAgentFrames = [pendingRequestFrame, invocationAcceptedFrame, invocationOutputFrame, invocationResultFrame] as const;
