import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { cleanEnv, runProcess } from '../../../../cli/src/testing/run-tend.js';
import { seedFleet, type SeededFleet } from './patch-test-support.js';

// The compliance reporting API through the clients people use: the AWS CLI and boto3.
const BOTO3_FLOW = `
import json, sys, boto3
ssm = boto3.client("ssm")
web1, web2 = sys.argv[1], sys.argv[2]
states = ssm.describe_instance_patch_states(InstanceIds=[web1, web2])["InstancePatchStates"]
patches = [p for page in ssm.get_paginator("describe_instance_patches").paginate(InstanceId=web2, Filters=[{"Key": "State", "Values": ["Failed", "InstalledPendingReboot"]}]) for p in page["Patches"]]
ssm.put_compliance_items(ResourceId=web1, ResourceType="ManagedInstance", ComplianceType="Custom:Boto",
    ExecutionSummary={"ExecutionTime": 1700000000}, Items=[{"Id": "x", "Severity": "LOW", "Status": "NON_COMPLIANT"}])
summaries = ssm.list_compliance_summaries()["ComplianceSummaryItems"]
print(json.dumps({
  "states": sorted([s["InstanceId"], s["MissingCount"], s["InstalledPendingRebootCount"], s["Operation"]] for s in states),
  "patches": [[p["KBId"], p["State"]] for p in patches],
  "types": [s["ComplianceType"] for s in summaries],
  "group": ssm.describe_patch_group_state(PatchGroup="web")["Instances"],
}))
`;

describeEachDatabase('patch compliance through the aws CLI and boto3', (dialect) => {
  let t: TestServer;
  let fleet: SeededFleet;
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    fleet = await seedFleet(t);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-patch-e2e-'));
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

  const aws = async (...args: string[]) => {
    const run = await runProcess('aws', ['--endpoint-url', t.url, '--output', 'json', 'ssm', ...args], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout.trim() ? JSON.parse(run.stdout) : {};
  };

  it('aws ssm describe-instance-patch-states, describe-instance-patches, list-resource-compliance-summaries', async () => {
    const states = await aws('describe-instance-patch-states', '--instance-ids', fleet.web1, fleet.web2);
    expect(states.InstancePatchStates.map((s: any) => [s.InstanceId, s.MissingCount, s.FailedCount])).toEqual(
      [
        [fleet.web1, 3, 0],
        [fleet.web2, 0, 1],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // The CLI pages by itself (NextToken) through all seven patches.
    const patches = await aws('describe-instance-patches', '--instance-id', fleet.web1, '--page-size', '10');
    expect(patches.Patches).toHaveLength(7);
    const filtered = await aws('describe-instance-patch-states-for-patch-group', '--patch-group', 'web', '--filters', 'Key=MissingCount,Values=0,Type=GreaterThan');
    expect(filtered.InstancePatchStates.map((s: any) => s.InstanceId)).toEqual([fleet.web1]);
    const summaries = await aws('list-resource-compliance-summaries', '--filters', 'Key=ComplianceType,Values=Patch,Type=EQUAL');
    expect(summaries.ResourceComplianceSummaryItems).toHaveLength(3);
    const available = await aws('describe-available-patches', '--filters', 'Key=PRODUCT,Values=RockyLinux9.3', 'Key=CVE_ID,Values=CVE-2024-1086');
    expect(available.Patches.map((p: any) => p.Name)).toEqual(['kernel']);
  });

  it('boto3 describes states and patches, puts custom compliance, lists summaries', async () => {
    const run = await runProcess('python3', ['-c', BOTO3_FLOW, fleet.web1, fleet.web2], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      states: [
        [fleet.web1, 3, 0, 'Scan'],
        [fleet.web2, 0, 1, 'Install'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      patches: [
        ['libssl3.amd64', 'INSTALLED_PENDING_REBOOT'],
        ['tzdata.all', 'FAILED'],
      ],
      types: ['Custom:Boto', 'Patch'],
      group: 2,
    });
  });
});
