import { beforeAll, describe, expect, it } from 'vitest';
import {
  GetParametersByPathCommand,
  LabelParameterVersionCommand,
  type GetParametersByPathCommandInput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase, TEST_ACCOUNT, TEST_REGION } from '../../../testing/test-server.js';
import { TEND_VERSION } from '../../../version.js';
import { put, useTestServer, userWithPolicy } from './test-support.js';

/** Every page of a path query, following NextToken; also how many pages it took. */
async function allPages(ssm: SSMClient, input: GetParametersByPathCommandInput) {
  const parameters = [];
  let pages = 0;
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new GetParametersByPathCommand({ ...input, NextToken }));
    parameters.push(...(page.Parameters ?? []));
    NextToken = page.NextToken;
    pages++;
  } while (NextToken);
  return { parameters, pages };
}

const names = (list: { Name?: string }[]) => list.map((p) => p.Name);
const arnPrefix = `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter`;

describeEachDatabase('GetParametersByPath', (dialect) => {
  const server = useTestServer(dialect);
  const many = Array.from({ length: 37 }, (_, i) => `/fleet/node-${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    const { ssm } = server();
    await put(ssm, '/app/dev/db/host', 'dev-db');
    await put(ssm, '/app/dev/db/password', 'dev-db-password-plain', { Type: 'SecureString', KeyId: 'alias/app' });
    await put(ssm, '/app/dev/log-level', 'debug');
    await put(ssm, '/app/dev/hosts', 'a,b', { Type: 'StringList' });
    await put(ssm, '/app/dev-other/flag', 'x');
    await put(ssm, '/app/prod/log-level', 'warn');
    await put(ssm, '/app/dev/log-level', 'trace', { Overwrite: true });
    await ssm.send(new LabelParameterVersionCommand({ Name: '/app/dev/log-level', ParameterVersion: 1, Labels: ['stable'] }));
    await ssm.send(new LabelParameterVersionCommand({ Name: '/app/prod/log-level', Labels: ['stable'] }));
    await put(ssm, 'top-a', '1');
    await put(ssm, '/top-b', '2');
    for (const name of many) await put(ssm, name, name);
    await put(ssm, '/fleet/sub/deeper', 'nested');
  });

  it('returns only direct children unless Recursive', async () => {
    const { ssm } = server();
    const oneLevel = await allPages(ssm, { Path: '/app/dev' });
    expect(names(oneLevel.parameters)).toEqual(['/app/dev/hosts', '/app/dev/log-level']);
    const recursive = await allPages(ssm, { Path: '/app/dev', Recursive: true });
    expect(names(recursive.parameters)).toEqual(['/app/dev/db/host', '/app/dev/db/password', '/app/dev/hosts', '/app/dev/log-level']);
    // "/app/dev-other" shares the prefix but is not below "/app/dev".
    expect(names(recursive.parameters)).not.toContain('/app/dev-other/flag');
    const trailingSlash = await allPages(ssm, { Path: '/app/dev/' });
    expect(names(trailingSlash.parameters)).toEqual(names(oneLevel.parameters));
  });

  it('lists top-level parameters under "/" (with or without their leading slash)', async () => {
    const { parameters } = await allPages(server().ssm, { Path: '/' });
    expect(names(parameters)).toEqual(['top-a', '/top-b']);
  });

  it('pages with NextToken through many parameters without gaps or repeats', async () => {
    const { ssm } = server();
    const first = await ssm.send(new GetParametersByPathCommand({ Path: '/fleet', MaxResults: 10 }));
    expect(first.Parameters).toHaveLength(10);
    expect(first.NextToken).toEqual(expect.any(String));
    const oneLevel = await allPages(ssm, { Path: '/fleet', MaxResults: 10 });
    expect(names(oneLevel.parameters)).toEqual(many);
    expect(oneLevel.pages).toBe(4);
    const recursive = await allPages(ssm, { Path: '/fleet', Recursive: true, MaxResults: 7 });
    expect(names(recursive.parameters)).toEqual([...many, '/fleet/sub/deeper']);
    const defaultSize = await ssm.send(new GetParametersByPathCommand({ Path: '/fleet' }));
    expect(defaultSize.Parameters).toHaveLength(10);
  });

  it('refuses a NextToken that is not one it issued for this query', async () => {
    const { ssm } = server();
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/fleet', NextToken: 'garbage' }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
    const { NextToken } = await ssm.send(new GetParametersByPathCommand({ Path: '/fleet', MaxResults: 5 }));
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/app', Recursive: true, NextToken }))).rejects.toMatchObject({
      name: 'InvalidNextToken',
    });
  });

  it('decrypts SecureStrings only WithDecryption', async () => {
    const { ssm } = server();
    const sealed = await allPages(ssm, { Path: '/app/dev/db' });
    const password = sealed.parameters.find((p) => p.Name === '/app/dev/db/password');
    expect(password?.Type).toBe('SecureString');
    expect(password?.Value).not.toContain('dev-db-password-plain');
    const clear = await allPages(ssm, { Path: '/app/dev/db', WithDecryption: true });
    expect(clear.parameters.find((p) => p.Name === '/app/dev/db/password')?.Value).toBe('dev-db-password-plain');
  });

  describe('filters', () => {
    it('filters by Type and KeyId', async () => {
      const { ssm } = server();
      const secure = await allPages(ssm, { Path: '/app', Recursive: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] });
      expect(names(secure.parameters)).toEqual(['/app/dev/db/password']);
      const lists = await allPages(ssm, { Path: '/app', Recursive: true, ParameterFilters: [{ Key: 'Type', Option: 'BeginsWith', Values: ['StringL'] }] });
      expect(names(lists.parameters)).toEqual(['/app/dev/hosts']);
      const byKey = await allPages(ssm, { Path: '/app', Recursive: true, ParameterFilters: [{ Key: 'KeyId', Values: ['alias/app'] }] });
      expect(names(byKey.parameters)).toEqual(['/app/dev/db/password']);
    });

    it('returns the labelled version with a Label filter', async () => {
      const { ssm } = server();
      const { parameters } = await allPages(ssm, { Path: '/app', Recursive: true, ParameterFilters: [{ Key: 'Label', Values: ['stable'] }] });
      expect(parameters.map((p) => [p.Name, p.Version, p.Value])).toEqual([
        ['/app/dev/log-level', 1, 'debug'],
        ['/app/prod/log-level', 1, 'warn'],
      ]);
    });

    it.each([
      ['Name', { Key: 'Name', Values: ['/app'] }, 'InvalidFilterKey'],
      ['Tier', { Key: 'Tier', Values: ['Standard'] }, 'InvalidFilterKey'],
      ['a tag', { Key: 'tag:team', Values: ['a'] }, 'InvalidFilterKey'],
      ['Label with BeginsWith', { Key: 'Label', Option: 'BeginsWith', Values: ['st'] }, 'InvalidFilterOption'],
      ['Type with Contains', { Key: 'Type', Option: 'Contains', Values: ['String'] }, 'InvalidFilterOption'],
      ['an unknown Type', { Key: 'Type', Values: ['Number'] }, 'InvalidFilterValue'],
      ['a Type without values', { Key: 'Type' }, 'InvalidFilterValue'],
    ])('refuses %s', async (_why, filter, error) => {
      await expect(server().ssm.send(new GetParametersByPathCommand({ Path: '/app', ParameterFilters: [filter] }))).rejects.toMatchObject({ name: error });
    });
  });

  it('validates Path and MaxResults', async () => {
    const { ssm } = server();
    await expect(ssm.send(new GetParametersByPathCommand({ Path: 'app/dev' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/app//dev' }))).rejects.toMatchObject({ name: 'ValidationException' });
    const deep = '/' + Array.from({ length: 16 }, (_, i) => `l${i}`).join('/');
    await expect(ssm.send(new GetParametersByPathCommand({ Path: deep }))).rejects.toMatchObject({ name: 'HierarchyLevelLimitExceededException' });
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/app', MaxResults: 11 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/app', MaxResults: 0 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('needs the action on the path and leaves out parameters the caller is denied', async () => {
    const t = server();
    const reader = await userWithPolicy(t, 'path-reader', [
      { Effect: 'Allow', Action: 'ssm:GetParametersByPath', Resource: `${arnPrefix}/app/*` },
      { Effect: 'Deny', Action: 'ssm:GetParametersByPath', Resource: `${arnPrefix}/app/dev/db/password` },
    ]);
    const { parameters } = await allPages(reader.ssm, { Path: '/app/dev', Recursive: true, WithDecryption: true });
    expect(names(parameters)).toEqual(['/app/dev/db/host', '/app/dev/hosts', '/app/dev/log-level']);
    await expect(reader.ssm.send(new GetParametersByPathCommand({ Path: '/fleet' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    reader.ssm.destroy();
  });

  it('lists the public parameters under /tend/service, and only there', async () => {
    const { ssm } = server();
    const all = await allPages(ssm, { Path: '/tend/service', Recursive: true });
    expect(all.parameters.map((p) => [p.Name, p.Value, p.Version, p.Type])).toEqual([
      ['/tend/service/agent/latest-version', TEND_VERSION, 1, 'String'],
      ['/tend/service/server/version', TEND_VERSION, 1, 'String'],
    ]);
    const paged = await allPages(ssm, { Path: '/tend', Recursive: true, MaxResults: 1 });
    expect(names(paged.parameters)).toEqual(names(all.parameters));
    const direct = await allPages(ssm, { Path: '/tend/service/server' });
    expect(names(direct.parameters)).toEqual(['/tend/service/server/version']);
    expect(names((await allPages(ssm, { Path: '/tend/service' })).parameters)).toEqual([]);
    const everything = await allPages(ssm, { Path: '/', Recursive: true });
    expect(names(everything.parameters).some((n) => n?.startsWith('/tend/'))).toBe(false);
    expect(everything.parameters).toHaveLength(6 + 2 + many.length + 1);
  });
});
