import { z } from 'zod';
import { ServiceError } from '../../rpc/errors.js';

/** A parsed identity policy: what Tend evaluates. */
export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  actions?: RegExp[];
  notActions?: RegExp[];
  resources?: RegExp[];
  notResources?: RegExp[];
}

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const statementSchema = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Principal: z.unknown().optional(),
    NotPrincipal: z.unknown().optional(),
    Condition: z.unknown().optional(),
  })
  .strict();
const documentSchema = z
  .object({
    Version: z.enum(['2012-10-17', '2008-10-17']).optional(),
    Id: z.string().optional(),
    Statement: z.union([statementSchema, z.array(statementSchema).min(1)]),
  })
  .strict();

/** Largest policy document accepted, as IAM's inline user policy limit. */
export const MAX_POLICY_DOCUMENT_CHARS = 2048 * 5;

/**
 * Parses and checks an IAM-style policy document. Anything Tend would not
 * enforce (conditions, principals) is refused rather than silently ignored,
 * so a policy never grants more than it reads as granting.
 */
export function parsePolicyDocument(text: string): PolicyStatement[] {
  if (text.length > MAX_POLICY_DOCUMENT_CHARS) {
    throw new ServiceError('MalformedPolicyDocumentException', `Policy document is longer than ${MAX_POLICY_DOCUMENT_CHARS} characters`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ServiceError('MalformedPolicyDocumentException', 'Policy document is not valid JSON');
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ServiceError(
      'MalformedPolicyDocumentException',
      `Policy document is malformed at '${issue.path.join('.') || '(root)'}': ${issue.message}`,
    );
  }
  const statements = Array.isArray(parsed.data.Statement) ? parsed.data.Statement : [parsed.data.Statement];
  return statements.map((s, i) => {
    const where = `Statement ${i + 1}${s.Sid ? ` (${s.Sid})` : ''}`;
    if (s.Condition !== undefined) throw new ServiceError('MalformedPolicyDocumentException', `${where}: Condition is not supported`);
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) {
      throw new ServiceError('MalformedPolicyDocumentException', `${where}: identity policies cannot name a Principal`);
    }
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
      throw new ServiceError('MalformedPolicyDocumentException', `${where}: exactly one of Action or NotAction is required`);
    }
    if ((s.Resource === undefined) === (s.NotResource === undefined)) {
      throw new ServiceError('MalformedPolicyDocumentException', `${where}: exactly one of Resource or NotResource is required`);
    }
    for (const a of list(s.Action ?? s.NotAction)) {
      if (a !== '*' && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(a)) {
        throw new ServiceError('MalformedPolicyDocumentException', `${where}: action '${a}' must look like 'ssm:GetParameter'`);
      }
    }
    return {
      effect: s.Effect,
      actions: s.Action ? list(s.Action).map((a) => wildcard(a, true)) : undefined,
      notActions: s.NotAction ? list(s.NotAction).map((a) => wildcard(a, true)) : undefined,
      resources: s.Resource ? list(s.Resource).map((r) => wildcard(r, false)) : undefined,
      notResources: s.NotResource ? list(s.NotResource).map((r) => wildcard(r, false)) : undefined,
    };
  });
}

/**
 * IAM evaluation: an explicit Deny anywhere wins, otherwise any Allow
 * grants, otherwise the request is implicitly denied.
 */
export function isActionAllowed(statements: PolicyStatement[], action: string, resource: string): boolean {
  let allowed = false;
  for (const s of statements) {
    if (!matchesAction(s, action) || !matchesResource(s, resource)) continue;
    if (s.effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

function matchesAction(s: PolicyStatement, action: string): boolean {
  if (s.actions) return s.actions.some((re) => re.test(action));
  return !s.notActions!.some((re) => re.test(action));
}

function matchesResource(s: PolicyStatement, resource: string): boolean {
  if (s.resources) return s.resources.some((re) => re.test(resource));
  return !s.notResources!.some((re) => re.test(resource));
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `*` matches any run of characters and `?` any one; actions match case-insensitively, ARNs exactly. */
function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}
