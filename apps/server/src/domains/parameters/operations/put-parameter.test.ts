import { describe, expect, it } from 'vitest';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION } from '../../../testing/test-server.js';
import { closeTestServer, everythingStored, parameterEvents, put, useTestServer } from './test-support.js';

const policy = (type: string, attributes: object) => ({ Type: type, Version: '1.0', Attributes: attributes });
const inAYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString();

describeEachDatabase('PutParameter', (dialect) => {
  const server = useTestServer(dialect);

  it('creates version 1 and answers Version and Tier; the caller is the last modifier', async () => {
    const { ssm } = server();
    expect(await put(ssm, '/app/dev/db-host', 'db.internal')).toMatchObject({ Version: 1, Tier: 'Standard' });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/app/dev/db-host' }));
    expect(Parameter).toMatchObject({
      Name: '/app/dev/db-host',
      Type: 'String',
      Value: 'db.internal',
      Version: 1,
      DataType: 'text',
      ARN: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/app/dev/db-host`,
    });
    const described = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/app/dev/db-host'] }] }),
    );
    expect(described.Parameters?.[0]?.LastModifiedUser).toBe(`arn:aws:iam::${TEST_ACCOUNT}:root`);
  });

  it('refuses to replace an existing parameter without Overwrite, and writes the next version with it', async () => {
    const { ssm } = server();
    await put(ssm, 'overwrite-me', 'one');
    await expect(put(ssm, 'overwrite-me', 'two')).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    // Type may be left out on overwrite: the current one is kept.
    expect(await ssm.send(new PutParameterCommand({ Name: 'overwrite-me', Value: 'two', Overwrite: true }))).toMatchObject({ Version: 2 });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: 'overwrite-me' }));
    expect(Parameter).toMatchObject({ Value: 'two', Version: 2, Type: 'String' });
  });

  it('needs a Type to create', async () => {
    const { ssm } = server();
    await expect(ssm.send(new PutParameterCommand({ Name: 'no-type', Value: 'x' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('treats /a and a as the same parameter', async () => {
    const { ssm } = server();
    await put(ssm, '/same-top', 'first');
    await expect(put(ssm, 'same-top', 'again')).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    await put(ssm, 'same-top', 'second', { Overwrite: true });
    const viaBare = await ssm.send(new GetParameterCommand({ Name: 'same-top' }));
    const viaSlash = await ssm.send(new GetParameterCommand({ Name: '/same-top' }));
    expect(viaBare.Parameter).toMatchObject({ Value: 'second', Version: 2 });
    expect(viaSlash.Parameter).toEqual(viaBare.Parameter);
    expect(viaBare.Parameter?.ARN).toBe(`arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/same-top`);
  });

  it('keeps description, pattern and key of the current version when an overwrite leaves them out', async () => {
    const { ssm } = server();
    await put(ssm, '/keep/meta', '42', { Description: 'the answer', AllowedPattern: '^\\d+$' });
    await put(ssm, '/keep/meta', '43', { Overwrite: true });
    await expect(put(ssm, '/keep/meta', 'forty-four', { Overwrite: true })).rejects.toMatchObject({ name: 'ParameterPatternMismatchException' });
    const { Parameters } = await ssm.send(new GetParameterHistoryCommand({ Name: '/keep/meta' }));
    expect(Parameters?.map((p) => [p.Version, p.Description, p.AllowedPattern])).toEqual([
      [1, 'the answer', '^\\d+$'],
      [2, 'the answer', '^\\d+$'],
    ]);
  });

  describe('name rules', () => {
    it.each([
      ['a name with a space', '/app/has space'],
      ['a character outside a-zA-Z0-9_.-/', '/app/semi;colon'],
      ['the aws prefix', 'aws-thing'],
      ['the AWS prefix behind a slash', '/AWS/thing'],
      ['the ssm prefix in any case', '/SsM/thing'],
      ['a hierarchical name without a leading slash', 'app/dev/x'],
      ['an empty segment', '/app//x'],
      ['a trailing slash', '/app/dev/'],
    ])('refuses %s with ValidationException', async (_why, name) => {
      await expect(put(server().ssm, name, 'v')).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('allows 15 levels and refuses a 16th with HierarchyLevelLimitExceededException', async () => {
      const { ssm } = server();
      const levels = (n: number) => '/' + Array.from({ length: n }, (_, i) => `l${i + 1}`).join('/');
      expect(await put(ssm, levels(15), 'deep')).toMatchObject({ Version: 1 });
      await expect(put(ssm, levels(16), 'too deep')).rejects.toMatchObject({ name: 'HierarchyLevelLimitExceededException' });
    });

    it('counts the ARN prefix in the 1011-character limit', async () => {
      const { ssm } = server();
      const prefix = `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/`;
      const longest = '/' + 'n'.repeat(1011 - prefix.length);
      expect(await put(ssm, longest, 'fits')).toMatchObject({ Version: 1 });
      await expect(put(ssm, longest + 'x', 'too long')).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('reserves /tend/ for the service', async () => {
      await expect(put(server().ssm, '/tend/mine', 'v')).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(put(server().ssm, '/tend/service/server/version', 'v', { Overwrite: true })).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    });

    it('strips spaces around a name', async () => {
      const { ssm } = server();
      await put(ssm, '  /trimmed/name ', 'v');
      expect((await ssm.send(new GetParameterCommand({ Name: '/trimmed/name' }))).Parameter?.Name).toBe('/trimmed/name');
    });
  });

  describe('tiers', () => {
    it('holds 4096 characters in Standard and 8192 in Advanced', async () => {
      const { ssm } = server();
      expect(await put(ssm, '/tier/std-max', 'x'.repeat(4096))).toMatchObject({ Tier: 'Standard' });
      await expect(put(ssm, '/tier/std-over', 'x'.repeat(4097))).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(put(ssm, '/tier/std-over', 'x'.repeat(4097), { Tier: 'Standard' })).rejects.toMatchObject({ name: 'ValidationException' });
      expect(await put(ssm, '/tier/adv-max', 'x'.repeat(8192), { Tier: 'Advanced' })).toMatchObject({ Tier: 'Advanced' });
      await expect(put(ssm, '/tier/adv-over', 'x'.repeat(8193), { Tier: 'Advanced' })).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('lets Intelligent-Tiering choose Standard unless the value is large or policies are given', async () => {
      const { ssm } = server();
      expect(await put(ssm, '/tier/it-small', 'small', { Tier: 'Intelligent-Tiering' })).toMatchObject({ Tier: 'Standard' });
      expect(await put(ssm, '/tier/it-large', 'x'.repeat(5000), { Tier: 'Intelligent-Tiering' })).toMatchObject({ Tier: 'Advanced' });
      const policies = JSON.stringify([policy('Expiration', { Timestamp: inAYear() })]);
      expect(await put(ssm, '/tier/it-policy', 'small', { Tier: 'Intelligent-Tiering', Policies: policies })).toMatchObject({ Tier: 'Advanced' });
    });

    it('never downgrades Advanced to Standard, and keeps Advanced when no tier is asked for', async () => {
      const { ssm } = server();
      await put(ssm, '/tier/upgraded', 'v1');
      expect(await put(ssm, '/tier/upgraded', 'v2', { Overwrite: true, Tier: 'Advanced' })).toMatchObject({ Version: 2, Tier: 'Advanced' });
      await expect(put(ssm, '/tier/upgraded', 'v3', { Overwrite: true, Tier: 'Standard' })).rejects.toMatchObject({ name: 'ValidationException' });
      expect(await put(ssm, '/tier/upgraded', 'v3', { Overwrite: true })).toMatchObject({ Version: 3, Tier: 'Advanced' });
      expect(await put(ssm, '/tier/upgraded', 'v4', { Overwrite: true, Tier: 'Intelligent-Tiering' })).toMatchObject({ Tier: 'Advanced' });
    });
  });

  describe('policies', () => {
    it('stores valid policies on an Advanced parameter and reports them as Pending', async () => {
      const { ssm } = server();
      const policies = [
        policy('Expiration', { Timestamp: inAYear() }),
        policy('ExpirationNotification', { Before: '15', Unit: 'Days' }),
        policy('NoChangeNotification', { After: '20', Unit: 'Hours' }),
      ];
      await put(ssm, '/policies/ok', 'v', { Tier: 'Advanced', Policies: JSON.stringify(policies) });
      const { Parameters } = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/policies/ok'] }] }));
      expect(Parameters?.[0]?.Policies).toEqual(
        policies.map((p) => ({ PolicyText: JSON.stringify(p), PolicyType: p.Type, PolicyStatus: 'Pending' })),
      );
    });

    it.each([
      ['not JSON', '{oops', 'InvalidPolicyTypeException'],
      ['not an array', JSON.stringify(policy('Expiration', { Timestamp: '2099-01-01T00:00:00Z' })), 'InvalidPolicyTypeException'],
      ['an unknown type', JSON.stringify([policy('SelfDestruct', {})]), 'InvalidPolicyTypeException'],
      ['a wrong version', JSON.stringify([{ Type: 'Expiration', Version: '2.0', Attributes: { Timestamp: '2099-01-01T00:00:00Z' } }]), 'InvalidPolicyAttributeException'],
      ['a bad timestamp', JSON.stringify([policy('Expiration', { Timestamp: 'tomorrow' })]), 'InvalidPolicyAttributeException'],
      ['a past timestamp', JSON.stringify([policy('Expiration', { Timestamp: '2001-01-01T00:00:00Z' })]), 'InvalidPolicyAttributeException'],
      ['a bad unit', JSON.stringify([policy('NoChangeNotification', { After: '3', Unit: 'Weeks' })]), 'InvalidPolicyAttributeException'],
      ['two expirations', JSON.stringify([policy('Expiration', { Timestamp: '2099-01-01T00:00:00Z' }), policy('Expiration', { Timestamp: '2098-01-01T00:00:00Z' })]), 'IncompatiblePolicyException'],
    ])('refuses %s', async (_why, policies, error) => {
      await expect(put(server().ssm, '/policies/bad', 'v', { Tier: 'Advanced', Policies: policies })).rejects.toMatchObject({ name: error });
    });

    it('refuses policies on the Standard tier', async () => {
      const policies = JSON.stringify([policy('NoChangeNotification', { After: '3', Unit: 'Days' })]);
      await expect(put(server().ssm, '/policies/std', 'v', { Tier: 'Standard', Policies: policies })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(put(server().ssm, '/policies/std', 'v', { Policies: policies })).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });

  describe('values', () => {
    it('checks AllowedPattern and refuses a pattern that is not a regular expression', async () => {
      const { ssm } = server();
      expect(await put(ssm, '/pattern/digits', '12345', { AllowedPattern: '^\\d+$' })).toMatchObject({ Version: 1 });
      await expect(put(ssm, '/pattern/letters', 'abc', { AllowedPattern: '^\\d+$' })).rejects.toMatchObject({ name: 'ParameterPatternMismatchException' });
      await expect(put(ssm, '/pattern/broken', 'abc', { AllowedPattern: '([a-z' })).rejects.toMatchObject({ name: 'InvalidAllowedPatternException' });
    });

    it('never repeats a refused value in the error message', async () => {
      const err = await put(server().ssm, '/pattern/secret', 'hunter2-not-digits', { Type: 'SecureString', AllowedPattern: '^\\d+$' }).catch((e) => e);
      expect(err.name).toBe('ParameterPatternMismatchException');
      expect(err.message).not.toContain('hunter2');
    });

    it('interrupts a pattern that would backtrack forever', async () => {
      const started = Date.now();
      await expect(put(server().ssm, '/pattern/redos', 'a'.repeat(40) + 'b', { AllowedPattern: '^(a+)+$' })).rejects.toMatchObject({
        name: 'InvalidAllowedPatternException',
      });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('accepts the aws:ec2:image data type only for AMI ids', async () => {
      const { ssm } = server();
      expect(await put(ssm, '/ami/short', 'ami-0123abcd', { DataType: 'aws:ec2:image' })).toMatchObject({ Version: 1 });
      expect(await put(ssm, '/ami/long', 'ami-0123456789abcdef0', { DataType: 'aws:ec2:image' })).toMatchObject({ Version: 1 });
      await expect(put(ssm, '/ami/bad', 'ami-xyz', { DataType: 'aws:ec2:image' })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(put(ssm, '/ami/other', 'v', { DataType: 'json' })).rejects.toMatchObject({ name: 'ValidationException' });
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/ami/long' }));
      expect(Parameter?.DataType).toBe('aws:ec2:image');
    });

    it('takes a KeyId only for SecureString and defaults it to alias/aws/ssm', async () => {
      const { ssm } = server();
      await expect(put(ssm, '/key/plain', 'v', { KeyId: 'alias/custom' })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(put(ssm, '/key/odd', 'v', { Type: 'SecureString', KeyId: 'not a key' })).rejects.toMatchObject({ name: 'InvalidKeyId' });
      await put(ssm, '/key/default', 'v', { Type: 'SecureString' });
      await put(ssm, '/key/custom', 'v', { Type: 'SecureString', KeyId: 'alias/custom' });
      const { Parameters } = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Values: ['/key'] }] }));
      expect(Parameters?.map((p) => [p.Name, p.KeyId])).toEqual([
        ['/key/custom', 'alias/custom'],
        ['/key/default', 'alias/aws/ssm'],
      ]);
    });

    it('refuses Tags together with Overwrite', async () => {
      const { ssm } = server();
      await put(ssm, '/tags/with-overwrite', 'v');
      await expect(put(ssm, '/tags/with-overwrite', 'v2', { Overwrite: true, Tags: [{ Key: 'team', Value: 'a' }] })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(put(ssm, '/tags/dup', 'v', { Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] })).rejects.toMatchObject({
        name: 'ValidationException',
      });
    });
  });

  describe('SecureString', () => {
    it('never stores the plaintext, and returns it only WithDecryption', async () => {
      const t = server();
      const secret = 'Sup3r-Secret-Plaintext-7f2c9a';
      await put(t.ssm, '/secure/db-password', secret, { Type: 'SecureString' });
      await put(t.ssm, '/secure/db-password', secret + '-v2', { Overwrite: true });

      const sealed = await t.ssm.send(new GetParameterCommand({ Name: '/secure/db-password' }));
      expect(sealed.Parameter?.Type).toBe('SecureString');
      expect(sealed.Parameter?.Value).not.toContain(secret);
      const clear = await t.ssm.send(new GetParameterCommand({ Name: '/secure/db-password', WithDecryption: true }));
      expect(clear.Parameter?.Value).toBe(secret + '-v2');
      const first = await t.ssm.send(new GetParameterCommand({ Name: '/secure/db-password:1', WithDecryption: true }));
      expect(first.Parameter?.Value).toBe(secret);

      const stored = await everythingStored(t);
      expect(stored).toContain('/secure/db-password');
      expect(stored).not.toContain(secret);
    });
  });

  describe('version retention', () => {
    it('keeps the newest 100 versions, dropping the oldest on each new one', async () => {
      const { ssm } = server();
      for (let v = 1; v <= 102; v++) await put(ssm, '/retention/plain', `value ${v}`, { Overwrite: true, Type: 'String' });
      const versions: number[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ssm.send(new GetParameterHistoryCommand({ Name: '/retention/plain', NextToken }));
        versions.push(...(page.Parameters ?? []).map((p) => p.Version!));
        NextToken = page.NextToken;
      } while (NextToken);
      expect(versions).toEqual(Array.from({ length: 100 }, (_, i) => i + 3));
      await expect(ssm.send(new GetParameterCommand({ Name: '/retention/plain:2' }))).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });
    });

    it('refuses the 101st version while the oldest carries a label, writing nothing', async () => {
      const t = server();
      for (let v = 1; v <= 100; v++) await put(t.ssm, '/retention/labelled', `value ${v}`, { Overwrite: true, Type: 'String' });
      await t.ssm.send(new LabelParameterVersionCommand({ Name: '/retention/labelled', ParameterVersion: 1, Labels: ['golden'] }));
      const eventsBefore = (await parameterEvents(t)).length;

      await expect(put(t.ssm, '/retention/labelled', 'value 101', { Overwrite: true })).rejects.toMatchObject({
        name: 'ParameterMaxVersionLimitExceeded',
      });
      const { Parameter } = await t.ssm.send(new GetParameterCommand({ Name: '/retention/labelled' }));
      expect(Parameter).toMatchObject({ Version: 100, Value: 'value 100' });
      expect((await t.ssm.send(new GetParameterCommand({ Name: '/retention/labelled:golden' }))).Parameter?.Value).toBe('value 1');
      expect((await parameterEvents(t)).length).toBe(eventsBefore);
      const versions = await t.server.services.db
        .selectFrom('parameter_versions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('name_key', '=', '/retention/labelled')
        .executeTakeFirstOrThrow();
      expect(Number(versions.n)).toBe(100);
    });
  });

  describe('concurrent writes', () => {
    it('gives concurrent overwrites distinct, consecutive versions', async () => {
      const { ssm } = server();
      await put(ssm, '/race/overwrite', 'v0');
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => put(ssm, '/race/overwrite', `v${i + 1}`, { Overwrite: true })));
      expect(results.map((r) => r.Version).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
      expect((await ssm.send(new GetParameterCommand({ Name: '/race/overwrite' }))).Parameter?.Version).toBe(13);
    });

    it('lets exactly one of several concurrent creates win', async () => {
      const { ssm } = server();
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => put(ssm, '/race/create', `v${i}`)));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).name] : []));
      expect(new Set(errors)).toEqual(new Set(['ParameterAlreadyExists']));
    });
  });

  it("records the request's time, which a test clock sets", async () => {
    // Within SigV4's 15-minute window of the real clock, but fixed.
    const fixed = new Date(Math.floor(Date.now() / 1000) * 1000 + 5 * 60_000);
    const t = await startTestServer(dialect, { clock: () => fixed });
    try {
      await put(t.ssm, '/clock/set', 'v');
      const { Parameter } = await t.ssm.send(new GetParameterCommand({ Name: '/clock/set' }));
      expect(Parameter?.LastModifiedDate?.getTime()).toBe(fixed.getTime());
    } finally {
      await closeTestServer(t);
    }
  });

  it('writes a parameter.change event per change, never with the value', async () => {
    const t = server();
    await put(t.ssm, '/events/one', 'event-value-a1', { Type: 'SecureString' });
    await put(t.ssm, '/events/one', 'event-value-a2', { Overwrite: true });
    const events = (await parameterEvents(t)).filter((e) => e.name === '/events/one');
    expect(events).toEqual([
      { name: '/events/one', version: 1, type: 'SecureString', operation: 'Create' },
      { name: '/events/one', version: 2, type: 'SecureString', operation: 'Update' },
    ]);
    const rows = await t.server.services.db.selectFrom('outbox_events').select('payload').execute();
    expect(JSON.stringify(rows)).not.toContain('event-value');
  });
});
