import pino from 'pino';
import type { AvailableUpdate, InstalledPackage, PatchBaselineRules, PatchReport } from '@tend/protocol';
import type { TestServer } from '../../testing/test-server.js';
import { createPatchReportHandler, type RecordedPatchReport } from './patch-report-handler.js';

export const DAY = 86_400_000;
/**
 * The clock of the patch reports (whole seconds, as the API's timestamps).
 * Real time rather than a fixed date: the server checks request signatures
 * against its clock, and the approval delays are days, not milliseconds.
 */
export const NOW = Math.floor(Date.now() / 1000) * 1000;
export const LAST_BOOT = NOW - 20 * DAY;

/** A Debian 12 node's packages: what dpkg and apt report. */
export function debianInstalled(): InstalledPackage[] {
  const pkg = (name: string, version: string, priority: string, section: string, extra: Partial<InstalledPackage> = {}): InstalledPackage => ({
    name,
    arch: 'amd64',
    version,
    priority,
    section,
    installedTime: NOW - 90 * DAY,
    ...extra,
  });
  return [
    pkg('libc6', '2.36-9+deb12u4', 'Required', 'libs'),
    pkg('openssl', '3.0.11-1~deb12u2', 'Optional', 'utils'),
    pkg('libssl3', '3.0.11-1~deb12u2', 'Optional', 'libs'),
    pkg('curl', '7.88.1-10+deb12u5', 'Optional', 'web'),
    pkg('bash', '5.2.15-2+b2', 'Required', 'shells'),
    pkg('linux-image-6.1.0-18-amd64', '6.1.76-1', 'Optional', 'kernel'),
    pkg('tzdata', '2024a-0+deb12u1', 'Required', 'localization', { arch: 'all' }),
  ];
}

/** Updates apt offers: two from bookworm-security, one from bookworm-updates. */
export function debianUpdates(): AvailableUpdate[] {
  return [
    {
      name: 'openssl',
      arch: 'amd64',
      version: '3.0.13-1~deb12u1',
      installedVersion: '3.0.11-1~deb12u2',
      repository: 'bookworm-security',
      security: true,
      priority: 'Optional',
      section: 'utils',
      cveIds: ['CVE-2023-5678', 'CVE-2024-0727'],
      advisoryIds: ['DSA-5617-1'],
      releaseDate: NOW - 10 * DAY,
      title: 'openssl security update',
    },
    {
      name: 'libssl3',
      arch: 'amd64',
      version: '3.0.13-1~deb12u1',
      installedVersion: '3.0.11-1~deb12u2',
      repository: 'bookworm-security',
      security: true,
      priority: 'Optional',
      section: 'libs',
      cveIds: ['CVE-2023-5678'],
      releaseDate: NOW - 10 * DAY,
    },
    {
      name: 'tzdata',
      arch: 'all',
      version: '2024b-0+deb12u1',
      installedVersion: '2024a-0+deb12u1',
      repository: 'bookworm-updates',
      security: false,
      priority: 'Required',
      section: 'localization',
      releaseDate: NOW - 3 * DAY,
    },
  ];
}

/** Debian rules: security updates of every priority, CRITICAL; tzdata explicitly approved (non-security) at LOW. */
export function debianBaseline(extra: Partial<PatchBaselineRules> = {}): PatchBaselineRules {
  return {
    OperatingSystem: 'DEBIAN',
    ApprovalRules: {
      PatchRules: [
        {
          PatchFilterGroup: { PatchFilters: [{ Key: 'PRIORITY', Values: ['Required', 'Important', 'Standard', 'Optional', 'Extra'] }] },
          ComplianceLevel: 'CRITICAL',
          ApproveAfterDays: 0,
        },
      ],
    },
    ApprovedPatches: ['tzdata'],
    ApprovedPatchesComplianceLevel: 'LOW',
    ApprovedPatchesEnableNonSecurity: true,
    RejectedPatches: [],
    ...extra,
  };
}

/** A Scan of a Debian 12 node: 7 packages, 3 approved updates missing. */
export function debianScan(extra: Partial<PatchReport> = {}): PatchReport {
  return {
    operation: 'Scan',
    baselineId: 'pb-0123456789abcdef0',
    patchGroup: 'web',
    rebootOption: 'RebootIfNeeded',
    baseline: debianBaseline(),
    startedAt: NOW - 60_000,
    endedAt: NOW - 30_000,
    facts: {
      operatingSystem: 'DEBIAN',
      product: 'Debian12',
      installed: debianInstalled(),
      updates: debianUpdates(),
      reboot: { required: false, lastBootTime: LAST_BOOT },
      collectedAt: NOW - 30_000,
    },
    installed: [],
    failed: [],
    rebooted: false,
    ...extra,
  };
}

/**
 * The same node after an Install with NoReboot: openssl and libssl3 at the
 * new version, tzdata failed, and the OS asking for a reboot because of libssl3.
 */
export function debianInstallNoReboot(extra: Partial<PatchReport> = {}): PatchReport {
  const installed = debianInstalled().map((p) =>
    p.name === 'openssl' || p.name === 'libssl3' ? { ...p, version: '3.0.13-1~deb12u1', installedTime: NOW - 20_000, security: true } : p,
  );
  return debianScan({
    operation: 'Install',
    rebootOption: 'NoReboot',
    facts: {
      operatingSystem: 'DEBIAN',
      product: 'Debian12',
      installed,
      updates: debianUpdates().filter((u) => u.name === 'tzdata'),
      reboot: { required: true, lastBootTime: LAST_BOOT, packages: ['libssl3'] },
      collectedAt: NOW - 10_000,
    },
    installed: [
      { name: 'openssl', arch: 'amd64', version: '3.0.13-1~deb12u1', previousVersion: '3.0.11-1~deb12u2' },
      { name: 'libssl3', arch: 'amd64', version: '3.0.13-1~deb12u1', previousVersion: '3.0.11-1~deb12u2' },
    ],
    failed: [{ name: 'tzdata', arch: 'all', version: '2024b-0+deb12u1' }],
    ...extra,
  });
}

/** A Rocky Linux 9 node: security advisories with severities, for classification and severity filters. */
export function rockyScan(extra: Partial<PatchReport> = {}): PatchReport {
  const rpm = (name: string, version: string): InstalledPackage => ({ name, arch: 'x86_64', version, installedTime: NOW - 50 * DAY });
  return {
    operation: 'Scan',
    baselineId: 'pb-0fedcba9876543210',
    patchGroup: 'db',
    rebootOption: 'RebootIfNeeded',
    baseline: {
      OperatingSystem: 'ROCKY_LINUX',
      ApprovalRules: {
        PatchRules: [
          {
            PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['Security'] }, { Key: 'SEVERITY', Values: ['Critical', 'Important'] }] },
            ComplianceLevel: 'HIGH',
            ApproveAfterDays: 7,
          },
          { PatchFilterGroup: { PatchFilters: [{ Key: 'CLASSIFICATION', Values: ['Bugfix'] }] }, ComplianceLevel: 'MEDIUM', ApproveAfterDays: 7 },
        ],
      },
    },
    startedAt: NOW - 120_000,
    endedAt: NOW - 90_000,
    facts: {
      operatingSystem: 'ROCKY_LINUX',
      product: 'RockyLinux9.3',
      installed: [rpm('kernel', '5.14.0-362.8.1.el9_3'), rpm('openssh', '8.7p1-34.el9'), rpm('glibc', '2.34-83.el9_3.7'), rpm('vim-minimal', '2:8.2.2637-20.el9_1')],
      updates: [
        {
          name: 'openssh',
          arch: 'x86_64',
          version: '8.7p1-38.el9',
          repository: 'baseos',
          classification: 'Security',
          severity: 'Important',
          advisoryIds: ['RLSA-2024:3166'],
          cveIds: ['CVE-2023-51385'],
          releaseDate: NOW - 30 * DAY,
          title: 'Moderate: openssh security update',
        },
        {
          name: 'glibc',
          arch: 'x86_64',
          version: '2.34-100.el9',
          repository: 'baseos',
          classification: 'Bugfix',
          advisoryIds: ['RLBA-2024:2000'],
          releaseDate: NOW - 2 * DAY,
        },
        {
          name: 'kernel',
          arch: 'x86_64',
          version: '5.14.0-427.13.1.el9_4',
          repository: 'baseos',
          classification: 'Security',
          severity: 'Critical',
          advisoryIds: ['RLSA-2024:2394'],
          cveIds: ['CVE-2024-1086'],
          releaseDate: NOW - 20 * DAY,
          rebootRequired: true,
        },
      ],
      reboot: { required: false, lastBootTime: LAST_BOOT },
      collectedAt: NOW - 90_000,
    },
    installed: [],
    failed: [],
    rebooted: false,
    ...extra,
  };
}

/** A node with `count` installed packages, a tenth of them with a security update. */
export function largeDebianScan(count: number): PatchReport {
  const installed: InstalledPackage[] = [];
  const updates: AvailableUpdate[] = [];
  for (let i = 0; i < count; i++) {
    const name = `pkg-${String(i).padStart(5, '0')}`;
    installed.push({ name, arch: 'amd64', version: `1.${i}-1`, priority: 'Optional', section: 'libs', installedTime: NOW - 40 * DAY });
    if (i % 10 === 0) {
      updates.push({ name, arch: 'amd64', version: `1.${i}-2+deb12u1`, repository: 'bookworm-security', security: true, priority: 'Optional', section: 'libs', cveIds: [`CVE-2025-${10000 + i}`] });
    }
  }
  return debianScan({ facts: { operatingSystem: 'DEBIAN', product: 'Debian12', installed, updates, collectedAt: NOW }, patchGroup: 'big' });
}

const silent = pino({ level: 'silent' });

/**
 * Records a report as Run Command's engine does: the handler inside a
 * transaction on the server's database.
 */
export async function recordReport(
  t: TestServer,
  instanceId: string,
  report: unknown,
  options: { commandId?: string; step?: string; now?: number; logger?: pino.Logger } = {},
): Promise<RecordedPatchReport | undefined> {
  let recorded: RecordedPatchReport | undefined;
  const handler = createPatchReportHandler({ logger: options.logger ?? silent, onRecorded: (_id, r) => (recorded = r) });
  await t.server.services.db.transaction().execute((trx) =>
    handler(trx, {
      commandId: options.commandId ?? '11111111-2222-3333-4444-555555555555',
      documentName: 'AWS-RunPatchBaseline',
      instanceId,
      step: options.step ?? 'PatchLinux',
      data: report,
      now: options.now ?? NOW,
    }),
  );
  return recorded;
}

/** Patch-domain outbox events about one node, oldest first. */
export async function patchEvents(t: TestServer, instanceId: string): Promise<{ type: string; payload: Record<string, any> }[]> {
  const rows = await t.server.services.db
    .selectFrom('outbox_events')
    .selectAll()
    .where('event_type', 'in', ['patch.state', 'reboot.pending'])
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ type: r.event_type, payload: JSON.parse(r.payload) as Record<string, any> })).filter((e) => e.payload.instanceId === instanceId);
}

/** A managed-node id for tests that need none registered. */
export function nodeId(n: number): string {
  return `mi-${n.toString(16).padStart(17, '0')}`;
}

/** A small fleet with reports: two Debian web nodes (one scanned, one patched with NoReboot), a Rocky db node, and a deregistered node. */
export interface SeededFleet {
  web1: string;
  web2: string;
  db1: string;
  gone: string;
  /** Registered, never reported. */
  quiet: string;
}

export async function seedFleet(t: TestServer): Promise<SeededFleet> {
  const { createTestActivation, registerTestNode } = await import('../nodes/node-test-support.js');
  const { testNodeInfo } = await import('../../gateway/test-agent.js');
  const activation = await createTestActivation(t, { RegistrationLimit: 10 });
  const register = async (name: string, platformName: string, platformVersion: string) =>
    (await registerTestNode(t, activation, { info: testNodeInfo({ computerName: name, platformName, platformVersion }) })).instanceId;
  const web1 = await register('web-1', 'Debian GNU/Linux', '12');
  const web2 = await register('web-2', 'Debian GNU/Linux', '12');
  const db1 = await register('db-1', 'Rocky Linux', '9.3');
  const gone = await register('old-1', 'Debian GNU/Linux', '12');
  const quiet = await register('quiet-1', 'Debian GNU/Linux', '12');
  await recordReport(t, web1, debianScan(), { commandId: 'aaaaaaaa-0000-0000-0000-000000000001' });
  await recordReport(t, web2, debianScan(), { commandId: 'aaaaaaaa-0000-0000-0000-000000000002' });
  await recordReport(t, web2, debianInstallNoReboot(), { commandId: 'aaaaaaaa-0000-0000-0000-000000000003' });
  await recordReport(t, db1, rockyScan(), { commandId: 'aaaaaaaa-0000-0000-0000-000000000004' });
  await recordReport(t, gone, debianScan(), { commandId: 'aaaaaaaa-0000-0000-0000-000000000005' });
  await t.api.call('AmazonSSM.DeregisterManagedInstance', { InstanceId: gone });
  return { web1, web2, db1, gone, quiet };
}
