import { documentError } from './document-rules.js';
import { TEMPLATE_REFERENCE, scriptKindOf, type CommandDocument } from './command-document.js';
import { checkParameterValue, isPlainObject, valueAsText, type DocumentParameterType, type ParameterSpec, type ParameterValue } from './document-parameters.js';

/** A Parameter Store value, as `{{ssm:name}}` reads it. */
export interface StoredParameterValue {
  /** Clear text: SecureStrings decrypted. */
  value: string;
  type: 'String' | 'StringList' | 'SecureString';
}

/**
 * Reads a Parameter Store reference: a name or ARN, optionally with
 * `:version` or `:label`. Undefined when there is no such parameter. The
 * caller decides who may read what (see parameter-store-reader.ts).
 */
export type ParameterStoreReader = (reference: string) => Promise<StoredParameterValue | undefined>;

export interface RenderRequest {
  document: CommandDocument;
  /** SendCommand's Parameters: each parameter's values as strings. */
  parameters?: Record<string, string[]>;
  readParameter: ParameterStoreReader;
}

export interface RenderedParameter {
  type: DocumentParameterType;
  value: ParameterValue;
  /** A SecureString went into the value: keep it out of storage, logs and answers. */
  secret: boolean;
  fromDefault: boolean;
}

export interface RenderedStep {
  name: string;
  action: string;
  platformType?: string;
  /** The step's inputs with every reference replaced: what the agent's plugin receives. */
  inputs: Record<string, unknown>;
  /** `SSM_<name>` for each ENV_VAR parameter; set for script steps only, the ones that can read it. */
  environment: Record<string, string>;
  /** A SecureString reached the inputs or the environment: send it, never store or log it in clear. */
  secret: boolean;
}

export interface RenderedCommand {
  parameters: Record<string, RenderedParameter>;
  steps: RenderedStep[];
  /** The clear SecureString values that went into the command, to mask in output and logs (see maskSecrets). */
  secretValues: string[];
}

/** Replaces each secret value in a text (a step's output, a log line) with asterisks. */
export function maskSecrets(text: string, secretValues: string[]): string {
  // Longest first, so a secret that contains another is masked whole.
  let masked = text;
  for (const secret of [...secretValues].sort((a, b) => b.length - a.length)) masked = masked.split(secret).join('****');
  return masked;
}

/**
 * Renders a Command document for SendCommand, with nothing but the
 * document, the caller's parameters and a Parameter Store reader:
 *
 * 1. every parameter the caller gives must be declared; every declared one
 *    without a default must be given;
 * 2. `{{ssm:…}}` in values and defaults is read from Parameter Store;
 * 3. each value is checked against its type, allowedValues, allowedPattern
 *    and length limits (InvalidParameters naming the parameter; the value
 *    itself is never repeated, as it may be a secret);
 * 4. `{{ name }}` and `{{ssm:…}}` in step inputs are replaced textually
 *    (typed, when the reference is the whole string), except ENV_VAR
 *    parameters in script steps: those become a reference to the
 *    `SSM_<name>` variable, so the value never enters the script's text.
 *
 * Replacement is one pass over the document's own text: nothing a value
 * brings in is ever expanded.
 */
export async function renderCommand(request: RenderRequest): Promise<RenderedCommand> {
  const { document } = request;
  // Maps, not objects, for anything keyed by a name from outside: a parameter may be called "constructor".
  const given = new Map(Object.entries(request.parameters ?? {}));
  const specs = new Map(document.parameters.map((p) => [p.name, p]));
  for (const name of given.keys()) {
    if (!specs.has(name)) throw invalidParameters(`Parameter ${name} is not declared by the document.`);
  }

  const secrets = new Set<string>();
  const reads = new Map<string, Promise<StoredParameterValue | undefined>>();
  /** Every `{{ssm:…}}` in a text, read once per render; `owner` says where it was for the error. */
  const readReferences = async (text: string, owner: string): Promise<{ found: Map<string, StoredParameterValue>; secret: boolean }> => {
    const found = new Map<string, StoredParameterValue>();
    let secret = false;
    for (const match of text.matchAll(TEMPLATE_REFERENCE)) {
      const ref = match[1]!;
      if (!ref.startsWith('ssm:') || found.has(ref)) continue;
      let pending = reads.get(ref);
      if (!pending) reads.set(ref, (pending = request.readParameter(ref.slice('ssm:'.length))));
      const stored = await pending;
      if (!stored) throw invalidParameters(`${owner} refers to {{${ref}}}, which is not a parameter in Parameter Store.`);
      if (stored.type === 'SecureString') {
        secret = true;
        if (stored.value) secrets.add(stored.value);
      }
      found.set(ref, stored);
    }
    return { found, secret };
  };
  const storedText = (found: Map<string, StoredParameterValue>) => (match: string, ref: string) => found.get(ref)?.value ?? match;

  const parameters = new Map<string, RenderedParameter>();
  for (const spec of document.parameters) {
    const raw = given.get(spec.name) ?? spec.defaultItems;
    if (raw === undefined) throw invalidParameters(`Parameter ${spec.name} is required: the document gives it no default.`);
    let secret = false;
    const items: string[] = [];
    for (const item of raw) {
      const { found, secret: fromSecret } = await readReferences(item, `Parameter ${spec.name}`);
      secret ||= fromSecret;
      const whole = wholeReference(item);
      const list = whole ? found.get(whole) : undefined;
      // A StringList parameter given a whole StringList from Parameter Store takes its items.
      if (spec.type === 'StringList' && list?.type === 'StringList') items.push(...list.value.split(','));
      else items.push(found.size ? item.replace(TEMPLATE_REFERENCE, storedText(found)) : item);
    }
    const checked = checkParameterValue(spec, items);
    if ('problem' in checked) throw invalidParameters(`Parameter ${spec.name} ${checked.problem}.`);
    parameters.set(spec.name, { type: spec.type, value: checked.value, secret, fromDefault: !given.has(spec.name) });
  }

  const steps: RenderedStep[] = [];
  for (const step of document.steps) {
    const script = scriptKindOf(step.action);
    let secret = false;
    const parameterText = (ref: string): string => {
      if (script && specs.get(ref)!.interpolation === 'env') return variableReference(script, ref);
      const parameter = parameters.get(ref)!;
      secret ||= parameter.secret;
      return valueAsText(parameter.value);
    };
    const fillText = async (text: string): Promise<unknown> => {
      const { found, secret: fromSecret } = await readReferences(text, `Step ${step.name}`);
      secret ||= fromSecret;
      const whole = wholeReference(text);
      if (whole && !whole.startsWith('ssm:') && !(script && specs.get(whole)!.interpolation === 'env')) {
        const parameter = parameters.get(whole)!;
        secret ||= parameter.secret;
        return structuredClone(parameter.value);
      }
      return text.replace(TEMPLATE_REFERENCE, (match, ref: string) => (ref.startsWith('ssm:') ? storedText(found)(match, ref) : parameterText(ref)));
    };
    const fill = async (value: unknown): Promise<unknown> => {
      if (typeof value === 'string') return fillText(value);
      if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (const item of value) {
          const filled = await fill(item);
          // A whole-string reference to a list, inside a list, contributes its items rather than a nested list.
          if (typeof item === 'string' && wholeReference(item) && Array.isArray(filled)) out.push(...filled);
          else out.push(filled);
        }
        return out;
      }
      if (isPlainObject(value)) {
        const entries: [string, unknown][] = [];
        for (const [key, item] of Object.entries(value)) entries.push([key, await fill(item)]);
        // fromEntries defines each key, where assignment would treat "__proto__" as the prototype.
        return Object.fromEntries(entries);
      }
      return value;
    };
    const inputs = (await fill(step.inputs)) as Record<string, unknown>;
    const environment: Record<string, string> = {};
    if (script) {
      for (const spec of document.parameters) {
        if (spec.interpolation !== 'env') continue;
        const parameter = parameters.get(spec.name)!;
        environment[environmentName(spec)] = valueAsText(parameter.value);
        secret ||= parameter.secret;
      }
    }
    steps.push({ name: step.name, action: step.action, platformType: step.platformType, inputs, environment, secret });
  }
  return { parameters: Object.fromEntries(parameters), steps, secretValues: [...secrets] };
}

/** The environment variable an ENV_VAR parameter is passed in. */
export function environmentName(spec: Pick<ParameterSpec, 'name'>): string {
  return `SSM_${spec.name}`;
}

/**
 * How a script reads the variable. The shell expands `${SSM_x}` to the
 * value without parsing it again, so `;`, `$(…)` or backquotes in it are
 * just characters.
 */
function variableReference(script: 'shell' | 'powershell', name: string): string {
  return script === 'shell' ? `\${SSM_${name}}` : `$env:SSM_${name}`;
}

/** The reference a string consists of, when it is exactly one (`"{{ commands }}"`). */
function wholeReference(text: string): string | undefined {
  const match = /^\{\{\s*(ssm:[^\s{}]+|[A-Za-z0-9_]+)\s*\}\}$/.exec(text);
  return match?.[1];
}

function invalidParameters(message: string) {
  return documentError('InvalidParameters', message);
}
