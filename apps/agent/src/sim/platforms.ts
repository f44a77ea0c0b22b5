/**
 * What simulated nodes run: NAME and VERSION_ID exactly as each system's
 * /etc/os-release has them (what a real agent there reports), weighted
 * like a typical mixed Linux estate.
 */
export interface SimPlatform {
  key: string;
  platformName: string;
  platformVersion: string;
  /** Relative share of the fleet. */
  weight: number;
}

export const SIM_PLATFORMS: readonly SimPlatform[] = [
  { key: 'ubuntu-22.04', platformName: 'Ubuntu', platformVersion: '22.04', weight: 28 },
  { key: 'ubuntu-24.04', platformName: 'Ubuntu', platformVersion: '24.04', weight: 22 },
  { key: 'debian-12', platformName: 'Debian GNU/Linux', platformVersion: '12', weight: 16 },
  { key: 'rhel-9', platformName: 'Red Hat Enterprise Linux', platformVersion: '9.4', weight: 14 },
  { key: 'amazon-linux-2023', platformName: 'Amazon Linux', platformVersion: '2023', weight: 12 },
  { key: 'sles-15', platformName: 'SLES', platformVersion: '15-SP5', weight: 8 },
];

/** The platforms named by key (all of them when none are named); unknown keys are an error listing the valid ones. */
export function selectPlatforms(keys: readonly string[] = []): readonly SimPlatform[] {
  if (keys.length === 0) return SIM_PLATFORMS;
  return keys.map((key) => {
    const platform = SIM_PLATFORMS.find((p) => p.key === key);
    if (!platform) throw new Error(`unknown platform "${key}" (one of: ${SIM_PLATFORMS.map((p) => p.key).join(', ')})`);
    return platform;
  });
}

/**
 * The platform of node `index`: a weighted pick driven by a hash of the
 * index, so the mix looks random yet a node keeps its platform across
 * simulator restarts without storing it.
 */
export function platformFor(index: number, platforms: readonly SimPlatform[]): SimPlatform {
  const total = platforms.reduce((sum, p) => sum + p.weight, 0);
  let point = mix32(index) % total;
  for (const platform of platforms) {
    if (point < platform.weight) return platform;
    point -= platform.weight;
  }
  return platforms[platforms.length - 1];
}

/** A 32-bit integer hash (murmur3's finalizer): neighbouring indexes land far apart. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
