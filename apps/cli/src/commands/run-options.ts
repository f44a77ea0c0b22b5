import type { SendCommandCommandInput, Target } from '@aws-sdk/client-ssm';
import { CliError } from '../errors.js';
import { positiveInteger } from './option-parsers.js';

/** The document `tend run` sends unless told otherwise: the script runs in a shell on each node. */
export const DEFAULT_DOCUMENT = 'AWS-RunShellScript';

/** What `tend run` was given, as commander parses it. */
export interface RunRequest {
  targets: string[];
  instanceIds: string[];
  document: string;
  documentVersion?: string;
  parameter: string[];
  comment?: string;
  timeoutSeconds?: string;
  executionTimeout?: string;
  workingDirectory?: string;
  maxConcurrency?: string;
  maxErrors?: string;
}

/**
 * A target as `KEY=value[,value…]` (`tag:Env=prod,staging`, `tag-key=Env`,
 * `resource-groups:Name=web`, `InstanceIds=mi-1,mi-2`), or in the AWS CLI's
 * own form `Key=tag:Env,Values=prod,staging` so commands copied from
 * Systems Manager's documentation work as they are.
 */
export function parseTarget(text: string): Target {
  const aws = /^Key=([^,]+),Values=(.+)$/.exec(text);
  const [key, values] = aws ? [aws[1]!, aws[2]!] : [text.slice(0, Math.max(0, text.indexOf('='))), text.slice(text.indexOf('=') + 1)];
  const list = values.split(',').filter(Boolean);
  if (!key || list.length === 0) {
    throw new CliError('ValidationException', `--targets takes KEY=value[,value…], e.g. tag:Env=prod or resource-groups:Name=web; got "${text}"`);
  }
  return { Key: key, Values: list };
}

/**
 * `--parameter name=value` options as the API's Parameters: a name given
 * more than once gets every value, in order (a StringList).
 */
export function parseParameters(texts: readonly string[]): Record<string, string[]> {
  const parameters: Record<string, string[]> = {};
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new CliError('ValidationException', `--parameter takes name=value; got "${text}"`);
    (parameters[text.slice(0, eq)] ??= []).push(text.slice(eq + 1));
  }
  return parameters;
}

/**
 * SendCommand's input for `tend run`. The script (each argument one line of
 * it) fills the document's `commands` parameter; the shortcuts
 * --working-directory and --execution-timeout fill AWS-RunShellScript's
 * parameters of those names, so saying a value twice is refused rather than
 * one silently winning.
 */
export function sendCommandInput(script: readonly string[], request: RunRequest): SendCommandCommandInput {
  const instanceIds = request.instanceIds.flatMap((ids) => ids.split(',')).filter(Boolean);
  const targets = request.targets.map(parseTarget);
  if (instanceIds.length === 0 && targets.length === 0) {
    throw new CliError('ValidationException', 'say where to run: --targets tag:Env=prod (or tag-key=…, resource-groups:Name=…) or --instance-ids mi-…');
  }
  const parameters = parseParameters(request.parameter);
  const shortcuts: Array<[string, string | undefined]> = [
    ['commands', script.length ? 'script' : undefined],
    ['workingDirectory', request.workingDirectory !== undefined ? '--working-directory' : undefined],
    ['executionTimeout', request.executionTimeout !== undefined ? '--execution-timeout' : undefined],
  ];
  for (const [name, source] of shortcuts) {
    if (source && parameters[name]) throw new CliError('ValidationException', `the ${source} and --parameter ${name}=… both set ${name}; give one`);
  }
  if (script.length) parameters.commands = [...script];
  if (request.workingDirectory !== undefined) parameters.workingDirectory = [request.workingDirectory];
  if (request.executionTimeout !== undefined) parameters.executionTimeout = [String(positiveInteger('--execution-timeout', request.executionTimeout))];
  if (request.document === DEFAULT_DOCUMENT && !parameters.commands) {
    throw new CliError('ValidationException', "nothing to run: give the script after --, e.g. tend run --targets tag:Env=prod -- 'uptime'");
  }
  return {
    DocumentName: request.document,
    DocumentVersion: request.documentVersion,
    // Both given goes to the server as is: it refuses the mix with its own ValidationException.
    InstanceIds: instanceIds.length ? instanceIds : undefined,
    Targets: targets.length ? targets : undefined,
    Parameters: Object.keys(parameters).length ? parameters : undefined,
    Comment: request.comment,
    TimeoutSeconds: request.timeoutSeconds !== undefined ? positiveInteger('--timeout-seconds', request.timeoutSeconds) : undefined,
    MaxConcurrency: request.maxConcurrency,
    MaxErrors: request.maxErrors,
  };
}
