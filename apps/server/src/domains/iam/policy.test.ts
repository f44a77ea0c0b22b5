import { describe, expect, it } from 'vitest';
import { isActionAllowed, parsePolicyDocument } from './policy.js';

const allow = (Action: unknown, Resource: unknown = '*') => ({ Effect: 'Allow', Action, Resource });
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const PARAM = (name: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/${name}`;

describe('policy evaluation', () => {
  it('matches actions case-insensitively and with * wildcards', () => {
    const s = parsePolicyDocument(doc(allow('SSM:getparameter*')));
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('a'))).toBe(true);
    expect(isActionAllowed(s, 'ssm:GetParametersByPath', PARAM('a'))).toBe(true);
    expect(isActionAllowed(s, 'ssm:PutParameter', PARAM('a'))).toBe(false);
    expect(isActionAllowed(s, 'iam:GetParameter', PARAM('a'))).toBe(false);
  });

  it('treats ? as exactly one character', () => {
    const s = parsePolicyDocument(doc(allow('ssm:GetParameter?', PARAM('app/v?'))));
    expect(isActionAllowed(s, 'ssm:GetParameters', PARAM('app/v1'))).toBe(true);
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('app/v1'))).toBe(false);
    expect(isActionAllowed(s, 'ssm:GetParameters', PARAM('app/v12'))).toBe(false);
    expect(isActionAllowed(s, 'ssm:GetParameters', PARAM('app/v'))).toBe(false);
  });

  it('matches resources exactly apart from wildcards: case matters and regex characters are literal', () => {
    const s = parsePolicyDocument(doc(allow('ssm:*', PARAM('app/dev/*')), allow('ssm:*', PARAM('a.b'))));
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('app/dev/x/y'))).toBe(true);
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('App/dev/x'))).toBe(false);
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('app/devx'))).toBe(false);
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('aXb'))).toBe(false);
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('a.b'))).toBe(true);
  });

  it('lets an explicit Deny win over any Allow, in either order', () => {
    const deny = { Effect: 'Deny', Action: 'ssm:GetParameter', Resource: PARAM('app/dev/secret') };
    for (const s of [parsePolicyDocument(doc(allow('ssm:*'), deny)), parsePolicyDocument(doc(deny, allow('ssm:*')))]) {
      expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('app/dev/secret'))).toBe(false);
      expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('app/dev/other'))).toBe(true);
      expect(isActionAllowed(s, 'ssm:PutParameter', PARAM('app/dev/secret'))).toBe(true);
    }
  });

  it('denies implicitly when nothing allows', () => {
    expect(isActionAllowed([], 'ssm:GetParameter', PARAM('a'))).toBe(false);
    const onlyDeny = parsePolicyDocument(doc({ Effect: 'Deny', Action: '*', Resource: '*' }));
    expect(isActionAllowed(onlyDeny, 'ssm:GetParameter', PARAM('a'))).toBe(false);
  });

  it('supports NotAction and NotResource', () => {
    const s = parsePolicyDocument(doc({ Effect: 'Allow', NotAction: ['ssm:Delete*', 'iam:*'], NotResource: PARAM('locked/*') }));
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('a'))).toBe(true);
    expect(isActionAllowed(s, 'ssm:DeleteParameter', PARAM('a'))).toBe(false);
    expect(isActionAllowed(s, 'iam:CreateUser', PARAM('a'))).toBe(false);
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('locked/x'))).toBe(false);
  });

  it('accepts a single statement object and string or list members', () => {
    const s = parsePolicyDocument(JSON.stringify({ Statement: { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [PARAM('a'), PARAM('b')] } }));
    expect(isActionAllowed(s, 'ssm:GetParameter', PARAM('b'))).toBe(true);
  });

  it.each([
    ['not JSON', '{'],
    ['a Condition', doc({ ...allow('ssm:*'), Condition: { StringEquals: { 'aws:username': 'x' } } })],
    ['a Principal', doc({ ...allow('ssm:*'), Principal: '*' })],
    ['both Action and NotAction', doc({ ...allow('ssm:*'), NotAction: 'iam:*' })],
    ['no Resource', doc({ Effect: 'Allow', Action: 'ssm:*' })],
    ['an unknown Effect', doc({ Effect: 'Maybe', Action: 'ssm:*', Resource: '*' })],
    ['a malformed action', doc(allow('GetParameter'))],
    ['an unknown member', doc({ ...allow('ssm:*'), Extra: 1 })],
    ['an empty statement list', JSON.stringify({ Statement: [] })],
    ['a document over the size limit', doc(allow('ssm:*', PARAM('x'.repeat(11_000))))],
  ])('refuses a document with %s', (_what, text) => {
    expect(() => parsePolicyDocument(text)).toThrow(expect.objectContaining({ type: 'MalformedPolicyDocumentException' }));
  });
});
