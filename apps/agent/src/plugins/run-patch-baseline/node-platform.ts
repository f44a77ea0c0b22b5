import fs from 'node:fs/promises';
import type { OperatingSystem } from '@tend/protocol';
import { parseOsRelease } from '../../node-info.js';
import type { CommandRunner } from '../../patch/command-runner.js';

/** The managed system as patch baselines see it: its OperatingSystem and its PRODUCT. */
export interface PatchPlatform {
  operatingSystem: OperatingSystem;
  /** `Debian12`, `Ubuntu22.04`, `RedhatEnterpriseLinux9.4`, … (the PRODUCT filter's spelling). */
  product: string;
}

/**
 * The OperatingSystem and PRODUCT of a system from its os-release fields
 * (ID, ID_LIKE, VERSION_ID), spelled as Systems Manager's patch baselines
 * spell them (the PRODUCT values DescribePatchProperties lists). Undefined
 * for a system Tend does not patch.
 */
export function patchPlatformOf(fields: Record<string, string>): PatchPlatform | undefined {
  const id = (fields.ID ?? '').toLowerCase();
  const version = fields.VERSION_ID ?? '';
  const major = version.split('.')[0] ?? '';
  switch (id) {
    case 'debian':
      // Debian's VERSION_ID is the major release ("12"); testing/sid have none.
      return major ? { operatingSystem: 'DEBIAN', product: `Debian${major}` } : undefined;
    case 'raspbian':
      return major ? { operatingSystem: 'RASPBIAN', product: `Raspbian${major}` } : undefined;
    case 'ubuntu':
      return version ? { operatingSystem: 'UBUNTU', product: `Ubuntu${version}` } : undefined;
    case 'rhel':
      return version ? { operatingSystem: 'REDHAT_ENTERPRISE_LINUX', product: `RedhatEnterpriseLinux${version}` } : undefined;
    case 'rocky':
      return version ? { operatingSystem: 'ROCKY_LINUX', product: `RockyLinux${version}` } : undefined;
    case 'almalinux':
      return version ? { operatingSystem: 'ALMA_LINUX', product: `AlmaLinux${version}` } : undefined;
    case 'centos':
      // CentOS Stream's os-release says ID=centos with a bare major VERSION_ID; CentOS Linux 7 says "7".
      return major ? { operatingSystem: 'CENTOS', product: /stream/i.test(fields.NAME ?? '') ? `CentOSStream${major}` : `CentOS${version}` } : undefined;
    case 'ol':
      return version ? { operatingSystem: 'ORACLE_LINUX', product: `OracleLinux${version}` } : undefined;
    case 'amzn':
      if (version === '2023') return { operatingSystem: 'AMAZON_LINUX_2023', product: 'AmazonLinux2023' };
      if (version === '2') return { operatingSystem: 'AMAZON_LINUX_2', product: 'AmazonLinux2' };
      return undefined;
    case 'sles':
    case 'sles_sap':
    case 'opensuse-leap':
      // SLES 15 SP5 says VERSION_ID="15.5".
      return version ? { operatingSystem: 'SUSE', product: `Suse${version}` } : undefined;
    default:
      return undefined;
  }
}

/** The platform of the system behind `runner` (its /etc/os-release, else /usr/lib/os-release). */
export async function readPatchPlatform(runner: CommandRunner): Promise<PatchPlatform | undefined> {
  for (const candidate of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return patchPlatformOf(parseOsRelease(await fs.readFile(await runner.hostPath(candidate), 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return undefined;
}
