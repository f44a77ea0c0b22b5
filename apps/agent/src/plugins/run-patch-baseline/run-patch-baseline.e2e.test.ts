import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateDocumentCommand,
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type GetCommandInvocationCommandOutput,
} from '@aws-sdk/client-ssm';
import { compileBaseline, evaluateNode, patchOf, patchReportSchema, PATCH_REPORT_KIND, type PatchBaselineRules, type PatchReport, type PatchState } from '@tend/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../server/src/testing/test-server.js';
import type { StepReportHandler } from '../../../../server/src/domains/commands/command-engine.js';
import { connected, getCommand, until, type TestAgent } from '../../../../server/src/domains/commands/run-command-test-support.js';
import { createTestActivation } from '../../../../server/src/domains/nodes/node-test-support.js';
import { runAgent } from '../../agent.js';
import { readState } from '../../state.js';
import { debianRootUnavailableReason, ensureDebianRootCache } from '../../patch/testing/debian-root.js';
import { createDebianTestSystem, disposeDebianTestTemplate, type DebianTestSystem } from '../../patch/testing/debian-test-system.js';
import { TEST_SUITES } from '../../patch/testing/test-repo.js';

/**
 * aws:runPatchBaseline end to end: a real server, a real agent (in this
 * process) whose `--system-root` is a fresh Debian 12 root with the local
 * test repository, SendCommand through the AWS SDK, apt and dpkg chrooted
 * into the root. The reboot command simulates a reboot: it removes the
 * root's reboot-required files, as the boot clears /run.
 */

const unavailable = debianRootUnavailableReason();
if (unavailable) console.warn(`[run-patch-baseline.e2e] skipped: ${unavailable}`);

const SLOW = 240_000;
const DAY = 86_400_000;
const SIMULATED_REBOOT = 'chroot "$TEND_SYSTEM_ROOT" rm -f /var/run/reboot-required /var/run/reboot-required.pkgs';

/** A command document like AWS-RunPatchBaseline whose BaselineOverride takes the baseline inline (Tend reads inline JSON, a path on the node or an https URL). */
const INLINE_OVERRIDE_DOCUMENT = 'Tend-Test-RunPatchBaselineInline';

interface PatchNode {
  system: DebianTestSystem;
  agent: TestAgent;
}

/** A dpkg-query in the root: name → installed version, for the test packages. */
function installedVersions(system: DebianTestSystem): Record<string, string> {
  const out = execFileSync('chroot', [system.root, 'dpkg-query', '-W', '-f', '${Package} ${Version} ${db:Status-Abbrev}\\n'], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([name, , status]) => name?.startsWith('tend-') && status === 'ii')
      .map(([name, version]) => [name!, version!]),
  );
}

/** State of each test package in a report, evaluated against the report's own baseline (as the server does). */
function statesOf(report: PatchReport, now = Date.now()): Record<string, { state: PatchState; version: string; security: boolean }> {
  const evaluation = evaluateNode(compileBaseline(report.baseline), report.facts, { now, failed: report.failed });
  return Object.fromEntries(
    evaluation.patches
      .filter((row) => row.installed.name.startsWith('tend-'))
      .map((row) => [row.installed.name, { state: row.state, version: patchOf(row).version, security: row.security }]),
  );
}

describe.skipIf(unavailable !== undefined)('aws:runPatchBaseline on a real Debian root', () => {
  let t: TestServer;
  /** Every patch report the server recorded, by command id: tapped in front of the server's own handler. */
  const reports = new Map<string, PatchReport>();
  const nodes: PatchNode[] = [];

  beforeAll(async () => {
    await ensureDebianRootCache((line) => console.log(`[run-patch-baseline.e2e] ${line}`));
    t = await startTestServer('sqlite');
    // The engine's report handlers are a plain record: wrap the patch one so the test sees exactly what the agent sent.
    const handlers = (t.server.services.commands as unknown as { options: { reportHandlers?: Record<string, StepReportHandler> } }).options.reportHandlers!;
    const recorded = handlers[PATCH_REPORT_KIND];
    handlers[PATCH_REPORT_KIND] = async (trx, report) => {
      reports.set(report.commandId, patchReportSchema.parse(report.data));
      if (recorded) await recorded(trx, report);
    };
    await t.ssm.send(
      new CreateDocumentCommand({
        Name: INLINE_OVERRIDE_DOCUMENT,
        DocumentType: 'Command',
        DocumentFormat: 'JSON',
        Content: JSON.stringify({
          schemaVersion: '2.2',
          description: 'AWS-RunPatchBaseline with an inline BaselineOverride',
          parameters: {
            Operation: { type: 'String', allowedValues: ['Scan', 'Install'] },
            RebootOption: { type: 'String', default: 'RebootIfNeeded', allowedValues: ['RebootIfNeeded', 'NoReboot'] },
            BaselineOverride: { type: 'String', default: '' },
            InstallOverrideList: { type: 'String', default: '' },
          },
          mainSteps: [
            {
              action: 'aws:runPatchBaseline',
              name: 'PatchBaseline',
              inputs: { Operation: '{{ Operation }}', RebootOption: '{{ RebootOption }}', BaselineOverride: '{{ BaselineOverride }}', InstallOverrideList: '{{ InstallOverrideList }}' },
            },
          ],
        }),
      }),
    );
  }, 15 * 60_000);

  afterAll(async () => {
    for (const node of nodes) {
      await node.agent.stop();
      await fs.rm(node.agent.stateDir, { recursive: true, force: true });
      await node.system.dispose();
    }
    await t?.close();
    await disposeDebianTestTemplate();
  });

  /** A fresh Debian root and an agent managing it (`--system-root`, `--reboot-command`). */
  async function startPatchNode(system: DebianTestSystem, rebootCommand = SIMULATED_REBOOT): Promise<PatchNode> {
    const activation = await createTestActivation(t);
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tend-patch-agent-'));
    let controller: AbortController | undefined;
    let task: Promise<void> = Promise.resolve();
    const agent: TestAgent = {
      instanceId: '',
      stateDir,
      get running() {
        return controller !== undefined;
      },
      start() {
        const own = (controller = new AbortController());
        task = runAgent({ stateDir, serverUrl: t.url, ...activation, systemRoot: system.root, rebootCommand, signal: own.signal }).catch((err: unknown) => {
          if (!own.signal.aborted) console.error('patch test agent stopped:', err);
        });
      },
      async stop() {
        controller?.abort();
        controller = undefined;
        await task;
      },
    };
    agent.start();
    (agent as { instanceId: string }).instanceId = await until(async () => (await readState(stateDir).catch(() => undefined))?.instanceId, 20_000, 'registration');
    await connected(t, [agent]);
    const node = { system, agent };
    nodes.push(node);
    return node;
  }

  type PatchParameters = { Operation: 'Scan' | 'Install'; RebootOption?: 'RebootIfNeeded' | 'NoReboot'; BaselineOverride?: PatchBaselineRules };

  /** SendCommand, wait for the end; the invocation and the patch report it carried. */
  async function patch(node: PatchNode, parameters: PatchParameters): Promise<{ invocation: GetCommandInvocationCommandOutput; report: PatchReport }> {
    return finished(node, await send(node, parameters));
  }

  async function send(node: PatchNode, parameters: PatchParameters): Promise<string> {
    const { BaselineOverride, ...rest } = parameters;
    const sent = await t.ssm.send(
      new SendCommandCommand({
        DocumentName: BaselineOverride ? INLINE_OVERRIDE_DOCUMENT : 'AWS-RunPatchBaseline',
        InstanceIds: [node.agent.instanceId],
        Parameters: Object.fromEntries(Object.entries({ ...rest, ...(BaselineOverride ? { BaselineOverride: JSON.stringify(BaselineOverride) } : {}) }).map(([k, v]) => [k, [v]])),
      }),
    );
    return sent.Command!.CommandId!;
  }

  async function finished(node: PatchNode, commandId: string): Promise<{ invocation: GetCommandInvocationCommandOutput; report: PatchReport }> {
    await until(async () => ['Success', 'Failed', 'Cancelled', 'TimedOut'].includes((await getCommand(t, commandId)).Status ?? ''), SLOW - 30_000, `command ${commandId}`);
    const invocation = await t.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: node.agent.instanceId }));
    const report = reports.get(commandId);
    if (!report) throw new Error(`no patch report for ${commandId}: ${invocation.StatusDetails}\n${invocation.StandardOutputContent}\n${invocation.StandardErrorContent}`);
    return { invocation, report };
  }

  /** The node's patch state as the API reports it (the server's own evaluation of the reported facts). */
  async function patchState(node: PatchNode) {
    const out = await t.ssm.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [node.agent.instanceId] }));
    return out.InstancePatchStates![0]!;
  }

  it(
    'Scan reports the missing patches with their security classification; Install with NoReboot installs exactly the approved versions, keeps BLOCK-rejected ones out and leaves the reboot pending; Install with RebootIfNeeded reboots and clears it',
    async () => {
      const node = await startPatchNode(await createDebianTestSystem());

      // Scan under the node's baseline: Debian's default approves security updates only.
      const scan = await patch(node, { Operation: 'Scan' });
      expect(scan.invocation.StatusDetails, scan.invocation.StandardErrorContent).toBe('Success');
      expect(scan.report).toMatchObject({ operation: 'Scan', rebootOption: 'RebootIfNeeded', installed: [], failed: [], rebooted: false, facts: { operatingSystem: 'DEBIAN', product: 'Debian12' } });
      const scanned = statesOf(scan.report);
      expect(scanned['tend-libsecure']).toEqual({ state: 'MISSING', version: '2.0-1+deb12u1', security: true });
      // The same version in -updates and -security counts as a security update.
      expect(scanned['tend-applib']).toEqual({ state: 'MISSING', version: '1.1-1', security: true });
      // Non-security updates are not approved by the default baseline.
      expect(scanned['tend-hello']).toMatchObject({ state: 'INSTALLED_OTHER', version: '1.0-1' });
      expect(scan.invocation.StandardOutputContent).toMatch(/Missing: 2\b/);
      expect(scan.invocation.StandardOutputContent).toMatch(/MISSING\s+tend-libsecure 2\.0-1\+deb12u1 \(installed 2\.0-1\) security bookworm-security/);
      // A scan changes nothing.
      expect(installedVersions(node.system)).toMatchObject({ 'tend-libsecure': '2.0-1', 'tend-hello': '1.0-1' });
      // The server's compliance: its own evaluation of the reported facts.
      expect(await patchState(node)).toMatchObject({ Operation: 'Scan', MissingCount: 2, SecurityNonCompliantCount: 2, InstalledPendingRebootCount: 0 });
      const missing = await t.ssm.send(
        new DescribeInstancePatchesCommand({ InstanceId: node.agent.instanceId, Filters: [{ Key: 'State', Values: ['Missing'] }] }),
      );
      expect(missing.Patches!.map((p) => p.Title).sort()).toEqual([expect.stringContaining('tend-applib'), expect.stringContaining('tend-libsecure')]);

      // Install, everything approved except what RejectedPatches names, with BLOCK, and no reboot.
      const everything: PatchBaselineRules = {
        OperatingSystem: 'DEBIAN',
        ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['*'] }] }, ApproveAfterDays: 0, EnableNonSecurity: true, ComplianceLevel: 'HIGH' }] },
        RejectedPatches: ['tend-blocked', 'tend-pinned=1.2-1'],
        RejectedPatchesAction: 'BLOCK',
      };
      const install = await patch(node, { Operation: 'Install', RebootOption: 'NoReboot', BaselineOverride: everything });
      expect(install.invocation.StatusDetails, install.invocation.StandardErrorContent).toBe('Success');
      expect(installedVersions(node.system)).toEqual({
        'tend-app': '1.1-1',
        'tend-applib': '1.1-1',
        'tend-blocked': '3.0-1',
        'tend-hello': '1.1-1',
        'tend-kernel-notify': '1.1-1',
        'tend-libsecure': '2.0-1+deb12u1',
        // Exactly the approved version, not the newest one.
        'tend-pinned': '1.1-1',
      });
      expect(install.report).toMatchObject({ operation: 'Install', override: true, rebootOption: 'NoReboot', rebooted: false, failed: [] });
      expect(install.report.installed.map((p) => `${p.name}=${p.version}<-${p.previousVersion}`).sort()).toEqual([
        'tend-app=1.1-1<-1.0-1',
        'tend-applib=1.1-1<-1.0-1',
        'tend-hello=1.1-1<-1.0-1',
        'tend-kernel-notify=1.1-1<-1.0-1',
        'tend-libsecure=2.0-1+deb12u1<-2.0-1',
        'tend-pinned=1.1-1<-1.0-1',
      ]);
      const installed = statesOf(install.report);
      expect(installed['tend-kernel-notify']?.state).toBe('INSTALLED_PENDING_REBOOT');
      expect(installed['tend-blocked']?.state).toBe('INSTALLED_REJECTED');
      expect(installed['tend-hello']?.state).toBe('INSTALLED');
      expect(installed['tend-pinned']?.state).toBe('INSTALLED');
      expect(existsSync(path.join(node.system.root, 'run/reboot-required'))).toBe(true);
      expect(install.invocation.StandardOutputContent).toMatch(/InstalledPendingReboot: 1\b/);
      expect(install.invocation.StandardOutputContent).toContain('RebootOption NoReboot: the node needs a reboot to finish.');
      expect(await patchState(node)).toMatchObject({ Operation: 'Install', MissingCount: 0, InstalledPendingRebootCount: 1, InstalledRejectedCount: 1 });

      // Install again with RebootIfNeeded: nothing left to install, but the pending reboot is done, and the patch is Installed.
      const reboot = await patch(node, { Operation: 'Install', RebootOption: 'RebootIfNeeded', BaselineOverride: everything });
      expect(reboot.invocation.StatusDetails, reboot.invocation.StandardErrorContent).toBe('Success');
      expect(reboot.report).toMatchObject({ rebooted: true, installed: [] });
      expect(reboot.invocation.StandardOutputContent).toContain('The node is back from its reboot.');
      expect(existsSync(path.join(node.system.root, 'run/reboot-required'))).toBe(false);
      expect(statesOf(reboot.report)['tend-kernel-notify']?.state).toBe('INSTALLED');
      expect(reboot.report.facts.reboot?.required).toBe(false);
      expect(await patchState(node)).toMatchObject({ InstalledPendingRebootCount: 0, InstalledRejectedCount: 1 });
      // The reboot hand-off was cleaned up.
      expect(await fs.readdir(path.join(node.agent.stateDir, 'patch-reboot')).catch(() => [])).toEqual([]);
    },
    SLOW * 2,
  );

  it(
    'ApproveAfterDays holds back recent updates, and ALLOW_AS_DEPENDENCY lets a rejected package in only as a dependency; an Install that needs a reboot reboots in the same operation',
    async () => {
      // The same packages, published 10 days ago (updates) and 2 days ago (security).
      const now = Date.now();
      const dates: Record<string, Date> = { bookworm: new Date(now - 30 * DAY), 'bookworm-updates': new Date(now - 10 * DAY), 'bookworm-security': new Date(now - 2 * DAY) };
      const system = await createDebianTestSystem({ suites: TEST_SUITES.map((suite) => ({ ...suite, date: dates[suite.codename]! })) });
      const node = await startPatchNode(system);
      const delayed: PatchBaselineRules = {
        OperatingSystem: 'DEBIAN',
        ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['*'] }] }, ApproveAfterDays: 5, EnableNonSecurity: true }] },
        RejectedPatches: ['tend-applib', 'tend-blocked', 'tend-pinned'],
        RejectedPatchesAction: 'ALLOW_AS_DEPENDENCY',
      };

      const scan = await patch(node, { Operation: 'Scan', BaselineOverride: delayed });
      expect(scan.invocation.StatusDetails, scan.invocation.StandardErrorContent).toBe('Success');
      const scanned = statesOf(scan.report);
      expect(scanned['tend-hello']).toMatchObject({ state: 'MISSING', version: '1.1-1' });
      expect(scanned['tend-app']).toMatchObject({ state: 'MISSING', version: '1.1-1' });
      // Its update was released 2 days ago: not approved yet, so not missing (the installed version, 30 days old, is approved).
      expect(scanned['tend-libsecure']).toMatchObject({ state: 'INSTALLED', version: '2.0-1' });
      // Rejected, with ALLOW_AS_DEPENDENCY: installed other, never missing.
      expect(scanned['tend-applib']?.state).toBe('INSTALLED_OTHER');

      const install = await patch(node, { Operation: 'Install', RebootOption: 'RebootIfNeeded', BaselineOverride: delayed });
      expect(install.invocation.StatusDetails, install.invocation.StandardErrorContent).toBe('Success');
      expect(installedVersions(node.system)).toEqual({
        'tend-app': '1.1-1',
        // Pulled in by tend-app 1.1-1 although the baseline rejects it: ALLOW_AS_DEPENDENCY.
        'tend-applib': '1.1-1',
        'tend-blocked': '3.0-1',
        'tend-hello': '1.1-1',
        'tend-kernel-notify': '1.1-1',
        'tend-libsecure': '2.0-1',
        'tend-pinned': '1.0-1',
      });
      expect(install.report.installed.map((p) => p.name).sort()).toEqual(['tend-app', 'tend-hello', 'tend-kernel-notify']);
      // tend-kernel-notify asked for a reboot: RebootIfNeeded rebooted within the operation.
      expect(install.report.rebooted).toBe(true);
      const after = statesOf(install.report);
      expect(after['tend-kernel-notify']?.state).toBe('INSTALLED');
      expect(after['tend-applib']?.state).toBe('INSTALLED_OTHER');
      expect(after['tend-libsecure']).toMatchObject({ state: 'INSTALLED', version: '2.0-1' });
      expect(existsSync(path.join(system.root, 'run/reboot-required'))).toBe(false);
    },
    SLOW * 2,
  );

  it(
    'a reboot that stops the agent: the agent started after it finishes the operation and reports it',
    async () => {
      // A "real" reboot: the command only schedules it, the node keeps needing one until the agent is gone and the boot clears /run.
      const scheduled = path.join(os.tmpdir(), `tend-patch-reboot-${process.pid}-${Date.now()}`);
      const node = await startPatchNode(await createDebianTestSystem(), `touch ${scheduled}`);
      const kernelOnly: PatchBaselineRules = { OperatingSystem: 'DEBIAN', ApprovedPatches: ['tend-kernel-notify'], ApprovedPatchesEnableNonSecurity: true };
      const commandId = await send(node, { Operation: 'Install', RebootOption: 'RebootIfNeeded', BaselineOverride: kernelOnly });
      await until(() => existsSync(scheduled), 120_000, 'the reboot command');
      // The machine goes down: the agent is stopped mid-step, the boot empties /run, the agent starts again.
      await node.agent.stop();
      expect(await fs.readdir(path.join(node.agent.stateDir, 'patch-reboot'))).toEqual([`${commandId}.${node.agent.instanceId}.json`]);
      expect((await getCommand(t, commandId)).Status).toBe('InProgress');
      await fs.rm(path.join(node.system.root, 'run/reboot-required'), { force: true });
      await fs.rm(path.join(node.system.root, 'run/reboot-required.pkgs'), { force: true });
      await fs.rm(scheduled, { force: true });
      node.agent.start();

      const { invocation, report } = await finished(node, commandId);
      expect(invocation.StatusDetails, invocation.StandardErrorContent).toBe('Success');
      // The output from before the reboot is kept, then the end of the operation.
      expect(invocation.StandardOutputContent).toContain('Rebooting the node');
      expect(invocation.StandardOutputContent).toContain('The node is back from its reboot.');
      expect(report).toMatchObject({ operation: 'Install', rebooted: true });
      expect(report.installed.map((p) => `${p.name}=${p.version}`)).toEqual(['tend-kernel-notify=1.1-1']);
      expect(statesOf(report)['tend-kernel-notify']?.state).toBe('INSTALLED');
      expect(installedVersions(node.system)).toMatchObject({ 'tend-kernel-notify': '1.1-1', 'tend-libsecure': '2.0-1' });
      expect(await fs.readdir(path.join(node.agent.stateDir, 'patch-reboot'))).toEqual([]);
    },
    SLOW,
  );
});
