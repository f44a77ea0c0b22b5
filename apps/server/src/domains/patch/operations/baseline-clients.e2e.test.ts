import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../../testing/test-server.js';
import { cleanEnv, runProcess } from '../../../../../cli/src/testing/run-tend.js';
import { PREDEFINED_BASELINE_IDS } from '../patch-baseline-rules.js';
import { predefinedArn } from './baseline-test-support.js';

/**
 * Every baseline and patch group operation through the AWS CLI and boto3,
 * to show that requests, answers and errors parse in real clients.
 */
describeEachDatabase('patch baselines through the AWS CLI and boto3', (dialect) => {
  let t: TestServer;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    // An empty home, so no ~/.aws on this machine can change what the clients do.
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-patch-clients-home-'));
    env = cleanEnv({
      HOME: home,
      AWS_ACCESS_KEY_ID: t.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: t.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SSM: t.url,
    });
  });
  afterAll(async () => {
    await t?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('creates, reads, registers, lists, updates and deletes with the AWS CLI', async () => {
    const aws = async (...args: string[]) => {
      const run = await runProcess('aws', ['--output', 'json', 'ssm', ...args], { env });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return run.stdout.trim() ? JSON.parse(run.stdout) : {};
    };
    const { BaselineId: id } = await aws(
      'create-patch-baseline',
      '--name', 'cli-ubuntu',
      '--operating-system', 'UBUNTU',
      '--approval-rules', 'PatchRules=[{PatchFilterGroup={PatchFilters=[{Key=PRIORITY,Values=[Required,Important]}]},ApproveAfterDays=2,ComplianceLevel=CRITICAL}]',
      '--rejected-patches', 'telnet',
      '--tags', 'Key=Env,Value=prod',
    );
    expect(id).toMatch(/^pb-[0-9a-f]{17}$/);
    await aws('register-patch-baseline-for-patch-group', '--baseline-id', id, '--patch-group', 'web');
    const got = await aws('get-patch-baseline', '--baseline-id', id);
    expect(got).toMatchObject({ BaselineId: id, Name: 'cli-ubuntu', OperatingSystem: 'UBUNTU', PatchGroups: ['web'], RejectedPatches: ['telnet'] });
    // AWS CLI v1 prints timestamps as the epoch seconds it received.
    expect(got.CreatedDate).toBeGreaterThan(1_600_000_000);

    const listed = await aws('describe-patch-baselines', '--filters', 'Key=OWNER,Values=Self');
    expect(listed.BaselineIdentities).toEqual([{ BaselineId: id, BaselineName: 'cli-ubuntu', OperatingSystem: 'UBUNTU', DefaultBaseline: false }]);
    const groups = await aws('describe-patch-groups');
    expect(groups.Mappings).toEqual([{ PatchGroup: 'web', BaselineIdentity: expect.objectContaining({ BaselineId: id }) }]);
    expect(await aws('get-patch-baseline-for-patch-group', '--patch-group', 'web', '--operating-system', 'UBUNTU')).toEqual({ BaselineId: id, PatchGroup: 'web', OperatingSystem: 'UBUNTU' });
    expect(await aws('get-default-patch-baseline', '--operating-system', 'UBUNTU')).toEqual({ BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.UBUNTU), OperatingSystem: 'UBUNTU' });
    expect(await aws('register-default-patch-baseline', '--baseline-id', id)).toEqual({ BaselineId: id });
    expect(await aws('register-default-patch-baseline', '--baseline-id', predefinedArn(PREDEFINED_BASELINE_IDS.UBUNTU))).toEqual({
      BaselineId: predefinedArn(PREDEFINED_BASELINE_IDS.UBUNTU),
    });
    const props = await aws('describe-patch-properties', '--operating-system', 'UBUNTU', '--property', 'PRIORITY');
    expect(props.Properties).toContainEqual({ Name: 'Required' });
    const updated = await aws('update-patch-baseline', '--baseline-id', id, '--rejected-patches-action', 'BLOCK');
    expect(updated).toMatchObject({ RejectedPatchesAction: 'BLOCK', RejectedPatches: ['telnet'] });
    expect((await aws('list-tags-for-resource', '--resource-type', 'PatchBaseline', '--resource-id', id)).TagList).toEqual([{ Key: 'Env', Value: 'prod' }]);

    const refused = await runProcess('aws', ['ssm', 'delete-patch-baseline', '--baseline-id', id], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('ResourceInUseException');
    await aws('deregister-patch-baseline-for-patch-group', '--baseline-id', id, '--patch-group', 'web');
    expect(await aws('delete-patch-baseline', '--baseline-id', id)).toEqual({ BaselineId: id });
  }, 180_000);

  it('does the same with boto3, whose modeled exceptions catch Tend\'s errors', async () => {
    const script = `
import json, boto3
ssm = boto3.client("ssm")
out = {}
bid = ssm.create_patch_baseline(Name="boto-rocky", OperatingSystem="ROCKY_LINUX", ClientToken="boto-1",
    ApprovalRules={"PatchRules": [{"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security"]}, {"Key": "SEVERITY", "Values": ["Critical"]}]}, "ApproveUntilDate": "2024-06-30"}]},
    Tags=[{"Key": "Team", "Value": "db"}])["BaselineId"]
out["same_token"] = ssm.create_patch_baseline(Name="boto-rocky", OperatingSystem="ROCKY_LINUX", ClientToken="boto-1",
    ApprovalRules={"PatchRules": [{"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security"]}, {"Key": "SEVERITY", "Values": ["Critical"]}]}, "ApproveUntilDate": "2024-06-30"}]},
    Tags=[{"Key": "Team", "Value": "db"}])["BaselineId"] == bid
ssm.register_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="db")
other = ssm.create_patch_baseline(Name="boto-rocky-2", OperatingSystem="ROCKY_LINUX")["BaselineId"]
try:
    ssm.register_patch_baseline_for_patch_group(BaselineId=other, PatchGroup="db")
    out["already"] = "no error"
except ssm.exceptions.AlreadyExistsException as e:
    out["already"] = e.response["Error"]["Code"]
try:
    ssm.get_patch_baseline(BaselineId="pb-0123456789abcdef0")
except ssm.exceptions.DoesNotExistException as e:
    out["missing"] = e.response["Error"]["Code"]
try:
    ssm.create_patch_baseline(Name="boto-bad", OperatingSystem="ROCKY_LINUX",
        GlobalFilters={"PatchFilters": [{"Key": "PRIORITY", "Values": ["Required"]}]})
except ssm.exceptions.ClientError as e:
    out["invalid"] = e.response["Error"]["Code"]
got = ssm.get_patch_baseline(BaselineId=bid)
out["got"] = {"name": got["Name"], "os": got["OperatingSystem"], "groups": got["PatchGroups"], "until": got["ApprovalRules"]["PatchRules"][0]["ApproveUntilDate"], "created": type(got["CreatedDate"]).__name__}
names = []
for page in ssm.get_paginator("describe_patch_baselines").paginate(PaginationConfig={"PageSize": 4}):
    names += [b["BaselineName"] for b in page["BaselineIdentities"]]
out["names"] = names
out["groups"] = [m["PatchGroup"] for m in ssm.describe_patch_groups(Filters=[{"Key": "NAME_PREFIX", "Values": ["d"]}])["Mappings"]]
out["for_group"] = ssm.get_patch_baseline_for_patch_group(PatchGroup="db", OperatingSystem="ROCKY_LINUX")["BaselineId"] == bid
out["default"] = ssm.get_default_patch_baseline(OperatingSystem="ROCKY_LINUX")["BaselineId"]
ssm.deregister_patch_baseline_for_patch_group(BaselineId=bid, PatchGroup="db")
ssm.delete_patch_baseline(BaselineId=bid)
ssm.delete_patch_baseline(BaselineId=other)
print(json.dumps(out))
`;
    const run = await runProcess('python3', ['-c', script], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      same_token: true,
      already: 'AlreadyExistsException',
      missing: 'DoesNotExistException',
      invalid: 'ValidationException',
      got: { name: 'boto-rocky', os: 'ROCKY_LINUX', groups: ['db'], until: '2024-06-30', created: 'datetime' },
      groups: ['db'],
      for_group: true,
      default: predefinedArn(PREDEFINED_BASELINE_IDS.ROCKY_LINUX),
    });
    // Every page was read: the eight predefined baselines and both of boto3's, in name order.
    expect(out.names.filter((n: string) => n.startsWith('AWS-') || n.startsWith('boto-'))).toHaveLength(10);
    expect(out.names).toEqual(expect.arrayContaining(['AWS-RockyLinuxDefaultPatchBaseline', 'boto-rocky', 'boto-rocky-2']));
    expect(out.names).toEqual([...out.names].sort());
  }, 120_000);
});
