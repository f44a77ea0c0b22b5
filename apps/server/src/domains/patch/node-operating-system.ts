import { TEND_PATCHED_OPERATING_SYSTEMS, type OperatingSystem } from '@tend/protocol';

/** A managed node as patch baselines see it. */
export interface NodePatchPlatform {
  operatingSystem: OperatingSystem;
  /** PRODUCT as baselines spell it (`Debian12`, `Ubuntu22.04`, …), when the version says it. */
  product?: string;
}

/**
 * The OperatingSystem of a managed node from what its agent reported
 * (os-release NAME and VERSION_ID, kept as managed_nodes.platform_name and
 * platform_version), with its PRODUCT when the version gives it. The agent
 * decides the same from os-release's ID on the node; the server only has
 * NAME, so it matches the names those distributions ship.
 */
export function nodePatchPlatform(platformName: string | null, platformVersion: string | null): NodePatchPlatform | undefined {
  const name = (platformName ?? '').trim();
  const version = (platformVersion ?? '').trim();
  const major = version.split(/[.-]/)[0] ?? '';
  const withProduct = (operatingSystem: OperatingSystem, product: string | undefined): NodePatchPlatform => ({ operatingSystem, ...(product ? { product } : {}) });
  if (/^debian/i.test(name)) return withProduct('DEBIAN', major ? `Debian${major}` : undefined);
  if (/^raspbian/i.test(name)) return withProduct('RASPBIAN', major ? `Raspbian${major}` : undefined);
  if (/^ubuntu/i.test(name)) return withProduct('UBUNTU', version ? `Ubuntu${version}` : undefined);
  if (/^red hat enterprise linux/i.test(name)) return withProduct('REDHAT_ENTERPRISE_LINUX', version ? `RedhatEnterpriseLinux${version}` : undefined);
  if (/^rocky linux/i.test(name)) return withProduct('ROCKY_LINUX', version ? `RockyLinux${version}` : undefined);
  if (/^almalinux/i.test(name)) return withProduct('ALMA_LINUX', version ? `AlmaLinux${version}` : undefined);
  if (/^centos/i.test(name)) return withProduct('CENTOS', major ? (/stream/i.test(name) ? `CentOSStream${major}` : `CentOS${version}`) : undefined);
  if (/^oracle linux/i.test(name)) return withProduct('ORACLE_LINUX', version ? `OracleLinux${version}` : undefined);
  if (/^amazon linux/i.test(name)) {
    // Amazon Linux 2 and 2023 share the NAME; only the version tells them apart.
    if (major === '2023') return withProduct('AMAZON_LINUX_2023', 'AmazonLinux2023');
    if (major === '2') return withProduct('AMAZON_LINUX_2', 'AmazonLinux2');
    return undefined;
  }
  if (/^(sles|suse|opensuse)/i.test(name)) {
    // SLES says VERSION_ID="15.5" in os-release; "15-SP5" is the same release as people write it.
    const sp = /^(\d+)-SP(\d+)$/i.exec(version);
    const v = sp ? `${sp[1]}.${sp[2]}` : version;
    return withProduct('SUSE', v ? `Suse${v}` : undefined);
  }
  return undefined;
}

/** Whether Tend has a package backend for the operating system (the others get no baseline). */
export function isPatchedByTend(os: OperatingSystem): boolean {
  return (TEND_PATCHED_OPERATING_SYSTEMS as readonly string[]).includes(os);
}
