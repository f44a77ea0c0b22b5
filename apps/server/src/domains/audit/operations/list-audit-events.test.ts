import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';

const ROOT_ARN = `arn:aws:iam::${TEST_ACCOUNT}:root`;

describeEachDatabase('Tend.ListAuditEvents', (dialect) => {
  let t: TestServer;
  // The request clock, moved within SigV4's 15-minute window to spread events in time.
  let offsetMs = 0;
  const times: Record<string, number> = {};
  let reader: Awaited<ReturnType<typeof createUserWithKey>>;

  beforeAll(async () => {
    t = await startTestServer(dialect, { clock: () => new Date(Date.now() + offsetMs) });
    offsetMs = -10 * 60_000;
    times.old = Date.now() + offsetMs;
    await t.api.tend('CreateUser', { UserName: 'early' });
    offsetMs = 0;
    times.mid = Date.now();
    reader = await createUserWithKey(t, 'reader', policyDocument({ Effect: 'Allow', Action: 'tend:ListAuditEvents', Resource: '*' }));
    await t.api.tend('CreateUser', { UserName: 'early' }).catch(() => {}); // EntityAlreadyExistsException
    await t.api.tend('ListUsers'); // not state-changing: not audited
    await reader.api.tend('CreateUser', { UserName: 'sneaky' }).catch(() => {}); // AccessDeniedException
  });
  afterAll(async () => t?.close());

  it('lists state-changing calls newest first with who, what, when, where and how it ended', async () => {
    const { AuditEvents, NextToken } = await t.api.tend('ListAuditEvents');
    expect(NextToken).toBeUndefined();
    expect(AuditEvents.map((e: { Operation: string; Outcome: string }) => `${e.Operation} ${e.Outcome}`)).toEqual([
      'Tend.CreateUser AccessDeniedException',
      'Tend.CreateUser EntityAlreadyExistsException',
      'Tend.CreateAccessKey Success',
      'Tend.PutUserPolicy Success',
      'Tend.CreateUser Success',
      'Tend.CreateUser Success',
    ]);
    const denied = AuditEvents[0];
    expect(denied).toEqual({
      EventId: expect.any(String),
      EventTime: expect.any(Number),
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      PrincipalArn: `arn:aws:iam::${TEST_ACCOUNT}:user/reader`,
      AccessKeyId: reader.credentials.accessKeyId,
      Operation: 'Tend.CreateUser',
      Resources: [`arn:aws:iam::${TEST_ACCOUNT}:user/sneaky`],
      SourceIpAddress: '127.0.0.1',
      Outcome: 'AccessDeniedException',
      ErrorMessage: expect.stringContaining('not authorized'),
    });
    expect(Math.abs(denied.EventTime - Date.now() / 1000)).toBeLessThan(60);
    expect(AuditEvents[2]).not.toHaveProperty('ErrorMessage');
    expect(AuditEvents[5].EventTime).toBeCloseTo(times.old! / 1000, -1);
  });

  it('filters by time range, principal, operation and outcome', async () => {
    const list = async (input: object) =>
      (await t.api.tend('ListAuditEvents', input)).AuditEvents.map((e: { Operation: string; Outcome: string }) => `${e.Operation} ${e.Outcome}`);
    const midSeconds = (times.mid! - 1000) / 1000;
    expect(await list({ EndTime: midSeconds })).toEqual(['Tend.CreateUser Success']);
    expect(await list({ StartTime: midSeconds })).toHaveLength(5);
    expect(await list({ Filters: [{ Key: 'PrincipalArn', Values: [`arn:aws:iam::${TEST_ACCOUNT}:user/reader`] }] })).toEqual(['Tend.CreateUser AccessDeniedException']);
    expect(await list({ Filters: [{ Key: 'Outcome', Values: ['AccessDeniedException', 'EntityAlreadyExistsException'] }] })).toHaveLength(2);
    expect(
      await list({
        Filters: [
          { Key: 'Operation', Values: ['Tend.CreateUser'] },
          { Key: 'PrincipalArn', Values: [ROOT_ARN] },
        ],
        StartTime: midSeconds,
      }),
    ).toEqual(['Tend.CreateUser EntityAlreadyExistsException', 'Tend.CreateUser Success']);
  });

  it('pages with MaxResults and NextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.api.tend('ListAuditEvents', { MaxResults: 4, ...(token ? { NextToken: token } : {}) });
      seen.push(...page.AuditEvents.map((e: { EventId: string }) => e.EventId));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    const all = (await t.api.tend('ListAuditEvents')).AuditEvents.map((e: { EventId: string }) => e.EventId);
    expect(seen).toEqual(all);
  });

  it('refuses bad input', async () => {
    await expect(t.api.tend('ListAuditEvents', { NextToken: 'garbage' })).rejects.toMatchObject({ name: 'InvalidNextToken' });
    await expect(t.api.tend('ListAuditEvents', { MaxResults: 101 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListAuditEvents', { MaxResults: 0 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListAuditEvents', { Filters: [{ Key: 'Color', Values: ['red'] }] })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(t.api.tend('ListAuditEvents', { StartTime: 200, EndTime: 100 })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      t.api.tend('ListAuditEvents', { Filters: [{ Key: 'Outcome', Values: ['a'] }, { Key: 'Outcome', Values: ['b'] }] }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('needs tend:ListAuditEvents', async () => {
    const nosy = await createUserWithKey(t, 'nosy', policyDocument({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }));
    await expect(nosy.api.tend('ListAuditEvents')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(reader.api.tend('ListAuditEvents', { MaxResults: 1 })).resolves.toMatchObject({ AuditEvents: [expect.any(Object)] });
  });
});
