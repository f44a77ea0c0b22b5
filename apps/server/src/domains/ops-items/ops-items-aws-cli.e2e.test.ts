import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { awsCliFor, awsJson as awsJsonOf, type AwsCli } from '../../../../cli/src/testing/aws-cli.js';

/** The real AWS CLI (v1, botocore) through an OpsItem's life: create, read, deduplicate, resolve, list. */
describeEachDatabase('OpsItems through the aws CLI', (dialect) => {
  let t: TestServer;
  let cli: AwsCli;
  const awsJson = (...args: string[]) => awsJsonOf(cli, ...args);

  beforeAll(async () => {
    t = await startTestServer(dialect);
    cli = awsCliFor(t);
  });
  afterAll(async () => {
    await t?.close();
    cli?.close();
  });

  it('creates, gets, refuses a duplicate, resolves and lists an OpsItem', async () => {
    const operationalData = JSON.stringify({
      '/aws/dedup': { Value: '{"dedupString":"web-1-disk"}', Type: 'SearchableString' },
      node: { Value: 'web-1', Type: 'SearchableString' },
    });
    const { OpsItemId, OpsItemArn } = await awsJson(
      'create-ops-item',
      '--title', 'Disk almost full',
      '--description', 'The root volume of web-1 is 95% full.',
      '--source', 'monitoring',
      '--priority', '2',
      '--severity', '2',
      '--category', 'Availability',
      '--operational-data', operationalData,
      '--tags', 'Key=Team,Value=ops',
    );
    expect(OpsItemId).toMatch(/^oi-[0-9a-f]{12}$/);
    expect(OpsItemArn).toBe(`arn:aws:ssm:us-east-1:123456789012:opsitem/${OpsItemId}`);

    const { OpsItem } = await awsJson('get-ops-item', '--ops-item-id', OpsItemId);
    expect(OpsItem).toMatchObject({ OpsItemId, Title: 'Disk almost full', Status: 'Open', Priority: 2, Severity: '2', Version: '1', OperationalData: { node: { Value: 'web-1' } } });
    // CLI v1 prints timestamps as the epoch seconds it received.
    expect(Math.abs(OpsItem.CreatedTime * 1000 - Date.now())).toBeLessThan(60_000);

    const duplicate = await cli.run('create-ops-item', '--title', 'Again', '--description', 'Same disk.', '--source', 'monitoring', '--operational-data', operationalData);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr).toContain('OpsItemAlreadyExistsException');
    expect(duplicate.stderr).toContain(OpsItemId);

    await awsJson('update-ops-item', '--ops-item-id', OpsItemId, '--status', 'Resolved');
    const { OpsItemSummaries } = await awsJson('describe-ops-items', '--ops-item-filters', 'Key=Status,Values=Resolved,Operator=Equal');
    expect(OpsItemSummaries.map((s: { OpsItemId: string }) => s.OpsItemId)).toEqual([OpsItemId]);
    // Resolved, it no longer deduplicates.
    const { OpsItemId: reopened } = await awsJson('create-ops-item', '--title', 'Disk almost full again', '--description', 'Same disk.', '--source', 'monitoring', '--operational-data', operationalData);
    expect(reopened).not.toBe(OpsItemId);
  });
});
