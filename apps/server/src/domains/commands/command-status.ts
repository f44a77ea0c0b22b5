/**
 * Status catalogues of Run Command, with the values Systems Manager puts on the wire.
 *
 * Status is the coarse enum the SDK models (CommandInvocationStatus, CommandStatus in
 * @aws-sdk/client-ssm dist-types/models/enums.d.ts). StatusDetails is a free string in the SDK
 * whose allowed values are only listed in doc comments (Command.StatusDetails,
 * CommandInvocation.StatusDetails, GetCommandInvocationResult.StatusDetails) and in the user guide
 * page "Understanding command statuses". We type both so that a typo cannot reach a client.
 */

export const INVOCATION_STATUSES = [
  'Pending',
  'InProgress',
  'Delayed',
  'Success',
  'Cancelled',
  'TimedOut',
  'Failed',
  'Cancelling',
] as const;
export type InvocationStatus = (typeof INVOCATION_STATUSES)[number];

/**
 * The cancelled detail is spelled "Cancelled" as in the SDK doc comments (the SDK is the
 * authority for shapes here); the user guide spells it "Canceled". One constant, so switching is
 * a one-line change if a real endpoint proves otherwise.
 */
export const CANCELLED_DETAIL = 'Cancelled' as const;

export const INVOCATION_STATUS_DETAILS = [
  'Pending',
  'In Progress',
  'Delayed',
  'Success',
  'Delivery Timed Out',
  'Execution Timed Out',
  'Failed',
  CANCELLED_DETAIL,
  'Undeliverable',
  'Terminated',
  'Invalid Platform',
  'Access Denied',
] as const;
export type InvocationStatusDetails = (typeof INVOCATION_STATUS_DETAILS)[number];

export const COMMAND_STATUSES = ['Pending', 'InProgress', 'Success', 'Cancelling', 'Cancelled', 'Failed', 'TimedOut'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** A command can report every invocation-level detail plus the aggregate-only ones. */
export const COMMAND_STATUS_DETAILS = [
  ...INVOCATION_STATUS_DETAILS,
  'Cancelling',
  'Incomplete',
  'Rate Exceeded',
  'No Instances In Tag',
] as const;
export type CommandStatusDetails = (typeof COMMAND_STATUS_DETAILS)[number];

/** Details from which nothing further happens (the CompletedCount doc comment lists the first seven; the last two are refusals before running). */
const TERMINAL_DETAILS: ReadonlySet<InvocationStatusDetails> = new Set<InvocationStatusDetails>([
  'Success',
  'Failed',
  'Execution Timed Out',
  'Delivery Timed Out',
  CANCELLED_DETAIL,
  'Terminated',
  'Undeliverable',
  'Invalid Platform',
  'Access Denied',
]);

export function isTerminalDetail(details: InvocationStatusDetails): boolean {
  return TERMINAL_DETAILS.has(details);
}

/** ErrorCount and the MaxErrors budget: "the status is Failed or Execution Timed Out" (Command.ErrorCount doc). */
export function isErrorDetail(details: InvocationStatusDetails): boolean {
  return details === 'Failed' || details === 'Execution Timed Out';
}

/**
 * The coarse Status that goes with each detail. The enum has fewer values than the details, so
 * several details collapse: both timeouts are TimedOut; Terminated is a cancellation by the system,
 * so Cancelled; refusals (Undeliverable, Invalid Platform, Access Denied) are Failed.
 */
const STATUS_FOR_DETAIL: Record<InvocationStatusDetails, InvocationStatus> = {
  Pending: 'Pending',
  'In Progress': 'InProgress',
  Delayed: 'Delayed',
  Success: 'Success',
  'Delivery Timed Out': 'TimedOut',
  'Execution Timed Out': 'TimedOut',
  Failed: 'Failed',
  [CANCELLED_DETAIL]: 'Cancelled',
  Undeliverable: 'Failed',
  Terminated: 'Cancelled',
  'Invalid Platform': 'Failed',
  'Access Denied': 'Failed',
};

export function invocationStatusFor(details: InvocationStatusDetails): InvocationStatus {
  return STATUS_FOR_DETAIL[details];
}
