import { PLATFORM_TYPES, type PlatformType } from './document-rules.js';
import { ContentProblem, isPlainObject, readParameterSpec, type ParameterSpec } from './document-parameters.js';

/** Schema versions of Command documents Tend runs: 2.2, and 2.0 (the same steps without preconditions). */
export const COMMAND_SCHEMA_VERSIONS = ['2.2', '2.0'] as const;

interface ActionSpec {
  /** Platforms the plugin exists on, for DocumentDescription.PlatformTypes. */
  platforms: readonly PlatformType[];
  /** Script plugins run their input as code: ENV_VAR parameters reach them only through the environment. */
  script?: 'shell' | 'powershell';
  /** Input names the plugin requires and, when listed, the only ones it accepts. */
  required?: readonly string[];
  allowed?: readonly string[];
}

const EVERYWHERE = PLATFORM_TYPES;
const SCRIPT_INPUTS = ['runCommand', 'workingDirectory', 'timeoutSeconds'];

/**
 * The actions a Command document's steps may name: Systems Manager's
 * plugins, so documents written for it load unchanged, plus Tend's
 * `aws:runPatchBaseline`. Whether a node can run a step is the agent's
 * business; here an action is simply known or not.
 */
export const COMMAND_ACTIONS: Readonly<Record<string, ActionSpec>> = {
  'aws:runShellScript': { platforms: ['Linux', 'MacOS'], script: 'shell', required: ['runCommand'], allowed: SCRIPT_INPUTS },
  'aws:runPowerShellScript': { platforms: EVERYWHERE, script: 'powershell', required: ['runCommand'], allowed: SCRIPT_INPUTS },
  'aws:runPatchBaseline': {
    platforms: EVERYWHERE,
    required: ['Operation'],
    allowed: ['Operation', 'SnapshotId', 'InstallOverrideList', 'RebootOption', 'BaselineOverride', 'AssociationId'],
  },
  'aws:updateSsmAgent': { platforms: EVERYWHERE, allowed: ['agentName', 'source', 'targetVersion', 'allowDowngrade'] },
  'aws:softwareInventory': { platforms: EVERYWHERE },
  'aws:runDocument': { platforms: EVERYWHERE, required: ['documentPath'], allowed: ['documentType', 'documentPath', 'documentParameters'] },
  'aws:downloadContent': { platforms: EVERYWHERE, required: ['sourceType', 'sourceInfo'], allowed: ['sourceType', 'sourceInfo', 'destinationPath'] },
  'aws:configurePackage': { platforms: EVERYWHERE },
  'aws:refreshAssociation': { platforms: EVERYWHERE },
  'aws:runDockerAction': { platforms: ['Windows', 'Linux'] },
  'aws:configureDocker': { platforms: ['Windows', 'Linux'] },
  'aws:domainJoin': { platforms: ['Windows', 'Linux'] },
  'aws:psModule': { platforms: ['Windows'] },
  'aws:applications': { platforms: ['Windows'] },
  'aws:cloudWatch': { platforms: ['Windows'] },
  'aws:updateAgent': { platforms: ['Windows'] },
};

/** How a script plugin's input runs, when its action has one. */
export function scriptKindOf(action: string): 'shell' | 'powershell' | undefined {
  return actionSpec(action)?.script;
}

/** The action's spec; own keys only, so a step naming `constructor` is an unknown action, not Object's. */
function actionSpec(action: string): ActionSpec | undefined {
  return Object.hasOwn(COMMAND_ACTIONS, action) ? COMMAND_ACTIONS[action] : undefined;
}

export interface CommandStep {
  name: string;
  action: string;
  /** As written, with `{{ … }}` references still in place. */
  inputs: Record<string, unknown>;
  /** From `precondition: {StringEquals: [platformType, X]}`: the step runs only there. */
  platformType?: PlatformType;
}

/** A Command document, checked: what Run Command needs to render it. */
export interface CommandDocument {
  schemaVersion: string;
  description?: string;
  /** In declaration order. */
  parameters: ParameterSpec[];
  steps: CommandStep[];
  platformTypes: PlatformType[];
}

/**
 * `{{ name }}` and `{{ ssm:/path }}` in text. Only what looks like a
 * parameter or a Parameter Store reference counts: other double braces
 * (a Go template in a docker command, say) are left as they are.
 */
export const TEMPLATE_REFERENCE = /\{\{\s*(ssm:[^\s{}]+|[A-Za-z0-9_]+)\s*\}\}/g;

const TOP_LEVEL_KEYS = new Set(['schemaVersion', 'description', 'parameters', 'mainSteps']);
const STEP_KEYS = new Set(['action', 'name', 'inputs', 'precondition', 'maxAttempts', 'timeoutSeconds', 'onFailure', 'isCritical', 'isEnd', 'nextStep', 'finallyStep']);
const STEP_NAME = /^[A-Za-z0-9_.\-]{1,128}$/;

/**
 * Checks a schemaVersion 2.x Command document's body (already parsed) and
 * returns its model. Throws ContentProblem naming the field at fault.
 */
export function readCommandDocument(body: Record<string, unknown>, schemaVersion: string): CommandDocument {
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL_KEYS.has(key)) throw new ContentProblem(`${key}: is not a field of a schemaVersion ${schemaVersion} Command document`);
  }
  const doc: CommandDocument = { schemaVersion, parameters: [], steps: [], platformTypes: [] };
  if (body.description !== undefined) {
    if (typeof body.description !== 'string') throw new ContentProblem('description: must be a string');
    doc.description = body.description;
  }
  if (body.parameters !== undefined) {
    if (!isPlainObject(body.parameters)) throw new ContentProblem('parameters: must be a map from parameter name to its definition');
    doc.parameters = Object.entries(body.parameters).map(([name, raw]) => readParameterSpec(name, raw));
  }
  if (!Array.isArray(body.mainSteps) || body.mainSteps.length === 0) throw new ContentProblem('mainSteps: must be a non-empty list of steps');
  const declared = new Set(doc.parameters.map((p) => p.name));
  const names = new Set<string>();
  doc.steps = body.mainSteps.map((raw, i) => {
    const step = readStep(raw, `mainSteps[${i}]`, schemaVersion);
    if (names.has(step.name)) throw new ContentProblem(`mainSteps[${i}].name: "${step.name}" is already the name of another step`);
    names.add(step.name);
    forEachString(step.inputs, `mainSteps[${i}].inputs`, (text, path) => {
      for (const match of text.matchAll(TEMPLATE_REFERENCE)) {
        const ref = match[1]!;
        if (!ref.startsWith('ssm:') && !declared.has(ref)) {
          throw new ContentProblem(`${path}: {{ ${ref} }} does not name a parameter declared under parameters`);
        }
      }
    });
    return step;
  });
  const platforms = new Set(doc.steps.flatMap((s) => (s.platformType ? [s.platformType] : actionSpec(s.action)!.platforms)));
  doc.platformTypes = PLATFORM_TYPES.filter((p) => platforms.has(p));
  return doc;
}

function readStep(raw: unknown, path: string, schemaVersion: string): CommandStep {
  if (!isPlainObject(raw)) throw new ContentProblem(`${path}: must be a map with action, name and inputs`);
  for (const key of Object.keys(raw)) if (!STEP_KEYS.has(key)) throw new ContentProblem(`${path}.${key}: is not a field of a step`);
  const action = raw.action;
  if (typeof action !== 'string') throw new ContentProblem(`${path}.action: is required`);
  const spec = actionSpec(action);
  if (!spec) throw new ContentProblem(`${path}.action: ${action} is not an action Tend knows (known: ${Object.keys(COMMAND_ACTIONS).join(', ')})`);
  if (typeof raw.name !== 'string' || !STEP_NAME.test(raw.name)) {
    throw new ContentProblem(`${path}.name: is required: 1-128 letters, digits, "_", "-" or "."`);
  }
  if (!isPlainObject(raw.inputs)) throw new ContentProblem(`${path}.inputs: must be a map of the action's inputs`);
  const inputs = raw.inputs;
  for (const name of spec.required ?? []) if (inputs[name] === undefined) throw new ContentProblem(`${path}.inputs.${name}: is required by ${action}`);
  if (spec.allowed) {
    for (const name of Object.keys(inputs)) if (!spec.allowed.includes(name)) throw new ContentProblem(`${path}.inputs.${name}: is not an input of ${action}`);
  }
  if (spec.script) {
    const run = inputs.runCommand;
    if (typeof run !== 'string' && !(Array.isArray(run) && run.every((line) => typeof line === 'string'))) {
      throw new ContentProblem(`${path}.inputs.runCommand: must be a list of command lines (or one string)`);
    }
    if (inputs.workingDirectory !== undefined && typeof inputs.workingDirectory !== 'string') {
      throw new ContentProblem(`${path}.inputs.workingDirectory: must be a string`);
    }
    const timeout = inputs.timeoutSeconds;
    if (timeout !== undefined && typeof timeout !== 'string' && !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0)) {
      throw new ContentProblem(`${path}.inputs.timeoutSeconds: must be a whole number of seconds`);
    }
  }
  const step: CommandStep = { name: raw.name, action, inputs };
  if (raw.precondition !== undefined) {
    if (schemaVersion !== '2.2') throw new ContentProblem(`${path}.precondition: needs schemaVersion 2.2`);
    step.platformType = readPrecondition(raw.precondition, `${path}.precondition`);
    if (!spec.platforms.includes(step.platformType)) throw new ContentProblem(`${path}.precondition: ${action} does not run on ${step.platformType}`);
  }
  return step;
}

/** The only precondition Systems Manager defines: `{StringEquals: [platformType, Windows|Linux|MacOS]}`. */
function readPrecondition(raw: unknown, path: string): PlatformType {
  const equals = isPlainObject(raw) && Object.keys(raw).length === 1 ? raw.StringEquals : undefined;
  if (!Array.isArray(equals) || equals.length !== 2 || equals[0] !== 'platformType' || !(PLATFORM_TYPES as readonly unknown[]).includes(equals[1])) {
    throw new ContentProblem(`${path}: must be {StringEquals: [platformType, Windows|Linux|MacOS]}`);
  }
  return equals[1] as PlatformType;
}

/** Calls `visit` on every string in a nested value, with its path (keys are not templates). */
export function forEachString(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => forEachString(item, `${path}[${i}]`, visit));
  else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) forEachString(item, `${path}.${key}`, visit);
}
