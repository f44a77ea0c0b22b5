import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateActivationCommand, DescribeActivationsCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { createUserWithKey, policyDocument } from '../../iam/iam-test-fixtures.js';

describeEachDatabase('AmazonSSM.CreateActivation', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  const describeOne = async (id: string) =>
    (await t.ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [id] }] }))).ActivationList![0]!;

  it('returns a uuid and a 20-character code, with Systems Manager defaults', async () => {
    const before = Date.now();
    const out = await t.ssm.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole' }));
    expect(out.ActivationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.ActivationCode).toMatch(/^[A-Za-z0-9]{20}$/);
    const listed = await describeOne(out.ActivationId!);
    expect(listed).toEqual({
      ActivationId: out.ActivationId,
      IamRole: 'SSMServiceRole',
      RegistrationLimit: 1,
      RegistrationsCount: 0,
      ExpirationDate: expect.any(Date),
      Expired: false,
      CreatedDate: expect.any(Date),
      Tags: [],
    });
    const lifetime = listed.ExpirationDate!.getTime() - listed.CreatedDate!.getTime();
    expect(lifetime).toBe(24 * 3600 * 1000);
    expect(listed.CreatedDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(JSON.stringify(listed)).not.toContain(out.ActivationCode);
  });

  it('keeps description, default name, limit, expiry and tags', async () => {
    const ExpirationDate = new Date(Math.floor(Date.now() / 1000) * 1000 + 7 * 24 * 3600 * 1000);
    const out = await t.ssm.send(
      new CreateActivationCommand({
        IamRole: 'SSMServiceRole',
        Description: 'rack 12',
        DefaultInstanceName: 'rack12-node',
        RegistrationLimit: 1000,
        ExpirationDate,
        Tags: [{ Key: 'env', Value: 'prod' }],
      }),
    );
    expect(await describeOne(out.ActivationId!)).toMatchObject({
      Description: 'rack 12',
      DefaultInstanceName: 'rack12-node',
      RegistrationLimit: 1000,
      ExpirationDate,
      Tags: [{ Key: 'env', Value: 'prod' }],
    });
    // Two activations never share a code.
    const again = await t.ssm.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole' }));
    expect(again.ActivationCode).not.toBe(out.ActivationCode);
  });

  it('validates limit, expiry, role and tags', async () => {
    const create = (input: object) => t.ssm.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', ...input }));
    for (const RegistrationLimit of [0, 1001]) await expect(create({ RegistrationLimit })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(create({ ExpirationDate: new Date(Date.now() + 31 * 24 * 3600 * 1000) })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('30 days'),
    });
    await expect(create({ ExpirationDate: new Date(Date.now() - 1000) })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(create({ IamRole: '' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(create({ Tags: [{ Key: 'aws:x', Value: '1' }] })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(create({ Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })) })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('needs ssm:CreateActivation', async () => {
    const reader = await createUserWithKey(t, 'activation-reader', policyDocument({ Effect: 'Allow', Action: 'ssm:DescribeActivations', Resource: '*' }));
    await expect(reader.ssm.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(reader.ssm.send(new DescribeActivationsCommand({}))).resolves.toMatchObject({ ActivationList: expect.any(Array) });
  });
});
