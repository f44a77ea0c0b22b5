import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/src/testing/test-server.js';
import { seedFleet, type SeededFleet } from '../../../server/src/domains/patch/patch-test-support.js';
import { jsonRunner, rootEnvFor, runTend } from '../testing/run-tend.js';

// `tend patch status` as a user runs it: the real binary against a server whose nodes reported scans and installs.
describe('tend patch status', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  let fleet: SeededFleet;
  const tend = (...args: string[]) => runTend(['patch', 'status', ...args], { env });
  const tendJson = jsonRunner(tend);

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    env = rootEnvFor(t);
    fleet = await seedFleet(t);
  });
  afterAll(async () => t?.close());

  it('prints the fleet table: group, baseline, missing, security, pending reboot, last operation', async () => {
    const run = await tend();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NODE\s+NAME\s+GROUP\s+BASELINE\s+MISSING\s+SECURITY\s+PENDING REBOOT\s+LAST OPERATION$/);
    expect(lines).toHaveLength(1 + 4); // web1, web2, db1, quiet; the deregistered node is gone
    expect(run.stdout).toMatch(new RegExp(`^${fleet.web1}\\s+web-1\\s+web\\s+pb-0123456789abcdef0\\s+3\\s+2\\s+0\\s+Scan \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^${fleet.web2}\\s+web-2\\s+web\\s+pb-0123456789abcdef0\\s+1\\s+1\\s+1\\s+Install `, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^${fleet.quiet}\\s+quiet-1\\s+never scanned$`, 'm'));
    expect(run.stdout).not.toContain(fleet.gone);
  });

  it('filters by group and compliance, and prints JSON for scripts', async () => {
    const web = await tendJson('--group', 'web');
    expect(web.Nodes.map((n: any) => n.InstanceId).sort()).toEqual([fleet.web1, fleet.web2].sort());
    expect(web.Nodes.find((n: any) => n.InstanceId === fleet.web2).PatchState).toMatchObject({ InstalledPendingRebootCount: 1, FailedCount: 1, Operation: 'Install', RebootOption: 'NoReboot' });
    const nonCompliant = await tendJson('--non-compliant');
    expect(nonCompliant.Nodes.map((n: any) => n.InstanceId).sort()).toEqual([fleet.web1, fleet.web2, fleet.db1, fleet.quiet].sort());
    expect((await tend('--group', 'nobody')).stdout).toBe('No nodes match.\n');
  });
});
