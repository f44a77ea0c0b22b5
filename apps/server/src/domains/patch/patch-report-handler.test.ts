import { UpdateServiceSettingCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTopic } from '../notifications/notification-test-support.js';
import { describeEachDatabase, startTestServer, type TestServer } from '../../testing/test-server.js';
import { PATCH_OPERATIONS_KEPT_PER_NODE } from './patch-report-handler.js';
import { debianInstallNoReboot, debianScan, largeDebianScan, nodeId, NOW, patchEvents, recordReport, rockyScan } from './patch-test-support.js';

describeEachDatabase('patch report handler', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(async () => t?.close());

  const stateOf = (id: string) => t.server.services.db.selectFrom('instance_patch_states').selectAll().where('instance_id', '=', id).executeTakeFirst();
  const patchesOf = (id: string) => t.server.services.db.selectFrom('instance_patches').selectAll().where('instance_id', '=', id).orderBy('position').execute();

  it('evaluates a scan and stores the state, the patch rows, the compliance items and the catalog', async () => {
    const id = nodeId(1);
    const recorded = await recordReport(t, id, debianScan());
    expect(recorded).toMatchObject({
      compliant: false,
      counts: { InstalledCount: 0, InstalledOtherCount: 4, MissingCount: 3, FailedCount: 0, CriticalNonCompliantCount: 2, SecurityNonCompliantCount: 2, OtherNonCompliantCount: 1 },
      patchRows: 7,
    });
    const state = await stateOf(id);
    expect(state).toMatchObject({ patch_group: 'web', baseline_id: 'pb-0123456789abcdef0', operation: 'Scan', product: 'Debian12', missing_count: 3, compliant: 0, reboot_pending: 0 });
    const rows = await patchesOf(id);
    const openssl = rows.find((r) => r.name === 'openssl')!;
    expect(openssl).toMatchObject({
      kb_id: 'openssl.amd64',
      title: 'openssl.amd64:3.0.13-1~deb12u1',
      installed_version: '3.0.11-1~deb12u2',
      state: 'MISSING',
      compliance_level: 'CRITICAL',
      classification: 'utils',
      severity: 'Optional',
      cve_ids: 'CVE-2023-5678,CVE-2024-0727',
      installed_time: null,
    });
    expect(rows.find((r) => r.name === 'tzdata')).toMatchObject({ state: 'MISSING', compliance_level: 'LOW', security: 0 });
    expect(rows.find((r) => r.name === 'bash')).toMatchObject({ state: 'INSTALLED_OTHER', installed_time: NOW - 90 * 86_400_000 });

    const items = await t.server.services.db.selectFrom('compliance_items').selectAll().where('resource_id', '=', id).execute();
    expect(items).toHaveLength(7);
    expect(items.filter((i) => i.status === 'NON_COMPLIANT').map((i) => i.item_id).sort()).toEqual(['libssl3.amd64', 'openssl.amd64', 'tzdata.all']);
    const summary = await t.server.services.db.selectFrom('compliance_summaries').selectAll().where('resource_id', '=', id).executeTakeFirstOrThrow();
    expect(summary).toMatchObject({ compliance_type: 'Patch', status: 'NON_COMPLIANT', overall_severity: 'CRITICAL', compliant_count: 4, non_compliant_count: 3 });

    const catalog = await t.server.services.db.selectFrom('patch_catalog').selectAll().where('product', '=', 'Debian12').where('name', '=', 'openssl').orderBy('version').execute();
    expect(catalog.map((c) => c.version)).toEqual(['3.0.11-1~deb12u2', '3.0.13-1~deb12u1']);
    expect(catalog[1]).toMatchObject({ repository: 'bookworm-security', security: 1, advisory_ids: '["DSA-5617-1"]' });

    expect((await patchEvents(t, id)).map((e) => e.type)).toEqual(['patch.state']);
  });

  it('records an Install with NoReboot: history, pending reboot once, and its clearing after the reboot', async () => {
    const id = nodeId(2);
    await recordReport(t, id, debianScan(), { commandId: 'c0000000-0000-0000-0000-000000000001' });
    const recorded = await recordReport(t, id, debianInstallNoReboot(), { commandId: 'c0000000-0000-0000-0000-000000000002' });
    expect(recorded!.counts).toMatchObject({ InstalledCount: 1, InstalledPendingRebootCount: 1, FailedCount: 1, MissingCount: 0, CriticalNonCompliantCount: 1, SecurityNonCompliantCount: 1, OtherNonCompliantCount: 1 });
    const rows = await patchesOf(id);
    expect(rows.find((r) => r.name === 'libssl3')).toMatchObject({ state: 'INSTALLED_PENDING_REBOOT', version: '3.0.13-1~deb12u1' });
    expect(rows.find((r) => r.name === 'tzdata')).toMatchObject({ state: 'FAILED' });
    expect(await stateOf(id)).toMatchObject({ operation: 'Install', reboot_option: 'NoReboot', reboot_pending: 1, last_no_reboot_install_operation_time: NOW - 30_000 });

    // The next daily scans while the node still waits for its reboot: no second reboot.pending.
    const stillPending = debianInstallNoReboot({ operation: 'Scan', rebootOption: 'RebootIfNeeded', installed: [], failed: [] });
    await recordReport(t, id, stillPending, { commandId: 'c0000000-0000-0000-0000-000000000003' });
    await recordReport(t, id, stillPending, { commandId: 'c0000000-0000-0000-0000-000000000004' });
    // Rebooted: the OS no longer asks for it.
    const afterReboot = debianInstallNoReboot({ operation: 'Scan', rebootOption: 'RebootIfNeeded', installed: [], failed: [] });
    afterReboot.facts.reboot = { required: false, lastBootTime: NOW - 5_000 };
    await recordReport(t, id, afterReboot, { commandId: 'c0000000-0000-0000-0000-000000000005' });
    const state = await stateOf(id);
    expect(state).toMatchObject({ reboot_pending: 0, installed_pending_reboot_count: 0, installed_count: 2, last_no_reboot_install_operation_time: NOW - 30_000 });

    const events = await patchEvents(t, id);
    expect(events.map((e) => e.type)).toEqual(['patch.state', 'patch.state', 'reboot.pending', 'patch.state', 'patch.state', 'patch.state', 'reboot.pending']);
    expect(events[2]!.payload).toMatchObject({ pending: true, packages: ['libssl3.amd64'], pendingCount: 1 });
    expect(events[4]!.payload).toMatchObject({ changed: false });
    expect(events[6]!.payload).toMatchObject({ pending: false, pendingCount: 0 });

    const history = await t.server.services.db.selectFrom('patch_operations').selectAll().where('instance_id', '=', id).orderBy('id').execute();
    expect(history.map((h) => h.operation)).toEqual(['Scan', 'Install', 'Scan', 'Scan', 'Scan']);
    expect(JSON.parse(history[1]!.installed)).toEqual([
      { name: 'openssl', arch: 'amd64', version: '3.0.13-1~deb12u1', previousVersion: '3.0.11-1~deb12u2' },
      { name: 'libssl3', arch: 'amd64', version: '3.0.13-1~deb12u1', previousVersion: '3.0.11-1~deb12u2' },
    ]);
    expect(JSON.parse(history[1]!.failed)).toEqual([{ name: 'tzdata', arch: 'all', version: '2024b-0+deb12u1' }]);
  });

  it('stores the same invocation step once in the history', async () => {
    const id = nodeId(3);
    await recordReport(t, id, rockyScan(), { commandId: 'c0000000-0000-0000-0000-0000000000aa' });
    await recordReport(t, id, rockyScan(), { commandId: 'c0000000-0000-0000-0000-0000000000aa' });
    const history = await t.server.services.db.selectFrom('patch_operations').select('id').where('instance_id', '=', id).execute();
    expect(history).toHaveLength(1);
  });

  it('keeps the newest operations of a node in the history and drops older ones', async () => {
    const id = nodeId(7);
    const other = nodeId(8);
    await recordReport(t, other, rockyScan(), { commandId: 'c0000000-0000-0000-0000-00000000f000' });
    const commandId = (n: number) => `c0000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
    for (let n = 1; n <= PATCH_OPERATIONS_KEPT_PER_NODE + 3; n++) await recordReport(t, id, rockyScan(), { commandId: commandId(n) });
    const history = await t.server.services.db.selectFrom('patch_operations').select('command_id').where('instance_id', '=', id).orderBy('id').execute();
    expect(history).toHaveLength(PATCH_OPERATIONS_KEPT_PER_NODE);
    expect(history[0]!.command_id).toBe(commandId(4));
    expect(history.at(-1)!.command_id).toBe(commandId(PATCH_OPERATIONS_KEPT_PER_NODE + 3));
    // Another node's history is its own.
    expect(await t.server.services.db.selectFrom('patch_operations').select('id').where('instance_id', '=', other).execute()).toHaveLength(1);
  });

  it('tells the Patch Manager topic of non-compliance, a return to compliance and a pending reboot, once each', async () => {
    const topic = await createTopic(t, 'patching');
    await t.ssm.send(new UpdateServiceSettingCommand({ SettingId: '/tend/patch-manager/notification-topic', SettingValue: topic }));
    const id = nodeId(9);
    const subjects = async () => {
      const rows = await t.server.services.db.selectFrom('outbox_events').select('payload').where('event_type', '=', 'notification.publish').orderBy('id').execute();
      return rows.map((r) => JSON.parse(r.payload) as { subject: string; message: string }).filter((m) => m.subject.includes(id));
    };
    const commandId = (n: number) => `c0000000-0000-0000-0000-0000000009${String(n).padStart(2, '0')}`;
    await recordReport(t, id, debianScan(), { commandId: commandId(1) });
    await recordReport(t, id, debianScan(), { commandId: commandId(2) }); // the next day's scan: nothing new
    expect((await subjects()).map((m) => m.subject)).toEqual([`Tend Patch Manager: ${id} is non-compliant`]);
    expect(JSON.parse((await subjects())[0]!.message)).toMatchObject({ eventType: 'patch.state', summary: expect.stringContaining('3 missing, 0 failed') });

    await recordReport(t, id, debianInstallNoReboot(), { commandId: commandId(3) });
    const afterInstall = (await subjects()).slice(1);
    expect(afterInstall.map((m) => m.subject)).toEqual([`Tend Patch Manager: ${id} is non-compliant`, `Tend Patch Manager: ${id} waits for a reboot`]);
    expect(JSON.parse(afterInstall[1]!.message)).toMatchObject({ eventType: 'reboot.pending', event: { pending: true, packages: ['libssl3.amd64'] } });

    // Rebooted, and the failed package installed by a later run: compliant again.
    const fixed = debianInstallNoReboot({ operation: 'Scan', rebootOption: 'RebootIfNeeded', installed: [], failed: [] });
    fixed.facts.reboot = { required: false, lastBootTime: NOW - 5_000 };
    fixed.facts.installed = fixed.facts.installed.map((p) => (p.name === 'tzdata' ? { ...p, version: '2024b-0+deb12u1' } : p));
    const recorded = await recordReport(t, id, fixed, { commandId: commandId(4) });
    expect(recorded!.compliant).toBe(true);
    expect((await subjects()).slice(3).map((m) => m.subject)).toEqual([`Tend Patch Manager: ${id} is compliant again`, `Tend Patch Manager: ${id} was rebooted`]);
  });

  it('classifies RPM advisories and honours approval delays', async () => {
    const id = nodeId(4);
    const recorded = await recordReport(t, id, rockyScan());
    // openssh (Important, 30 days) and kernel (Critical, 20 days) are due; glibc's Bugfix is 2 days old: pending approval, not missing.
    expect(recorded!.counts).toMatchObject({ MissingCount: 2, InstalledOtherCount: 2, SecurityNonCompliantCount: 2, CriticalNonCompliantCount: 0 });
    const rows = await patchesOf(id);
    expect(rows.find((r) => r.name === 'openssh')).toMatchObject({ classification: 'Security', severity: 'Important', compliance_level: 'HIGH', state: 'MISSING' });
    expect(rows.find((r) => r.name === 'glibc')).toMatchObject({ state: 'INSTALLED_OTHER', approval: 'NOT_APPROVED' });
  });

  it('logs and ignores an invalid report instead of failing the transaction', async () => {
    const id = nodeId(5);
    const lines: string[] = [];
    const pino = (await import('pino')).default;
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    await expect(recordReport(t, id, { operation: 'Reboot', facts: {} }, { logger })).resolves.toBeUndefined();
    await expect(recordReport(t, id, 'not an object', { logger })).resolves.toBeUndefined();
    expect(await stateOf(id)).toBeUndefined();
    expect(lines.join('\n')).toContain('ignoring an invalid patch report');
  });

  it('stores a 2,000-package report with one statement for the patch rows', async () => {
    const id = nodeId(6);
    const started = Date.now();
    const recorded = await recordReport(t, id, largeDebianScan(2000));
    const elapsed = Date.now() - started;
    expect(recorded).toMatchObject({ patchRows: 2000, patchRowStatements: 1, counts: { MissingCount: 200, InstalledOtherCount: 1800 } });
    const count = await t.server.services.db.selectFrom('compliance_items').select((eb) => eb.fn.countAll<number>().as('n')).where('resource_id', '=', id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2000);
    // A second report replaces, never accumulates.
    await recordReport(t, id, largeDebianScan(2000), { commandId: 'c0000000-0000-0000-0000-0000000000bb' });
    expect((await patchesOf(id)).length).toBe(2000);
    console.log(`[${dialect}] 2,000-package report recorded in ${elapsed} ms`);
    expect(elapsed).toBeLessThan(5000);
  });
});
