import type { OperatingSystem, PackageFormat } from '@tend/protocol';

/**
 * The software a simulated node runs: per platform, the packages a typical
 * server of that distribution has installed, with the metadata the baseline
 * filters look at. Each row is `name upstream section priority churn
 * security% flags`:
 * - churn: how often updates come out — h(igh, ~monthly), m(edium, ~quarterly), l(ow, ~yearly);
 * - security%: the share of its updates that fix a security issue;
 * - flags: `r` an update needs a reboot, `d` installed as a dependency, `o` optional
 *   (installed on about three nodes in four).
 * Versions are the upstream part; each platform writes its own revisions
 * (`+deb12u3`, `ubuntu0.1`, `.el9_4`, `.amzn2023.0.2`, `150500.…`).
 */

const DEB_PACKAGES = `
base-files 12.4 admin required l 0 -
bash 5.2.15 shells required l 20 -
coreutils 9.1 utils required l 10 -
dpkg 1.21.22 admin required m 20 -
apt 2.6.1 admin important m 30 -
libc6 2.36 libs required h 70 rd
libc-bin 2.36 libs required h 70 r
libssl3 3.0.11 libs optional h 90 d
openssl 3.0.11 utils optional h 90 -
ca-certificates 20230311 misc optional m 10 -
curl 7.88.1 web optional h 85 o
libcurl4 7.88.1 libs optional h 85 d
openssh-server 9.2p1 net optional m 80 -
openssh-client 9.2p1 net standard m 80 -
systemd 252.22 admin important h 40 r
libsystemd0 252.22 libs optional h 40 rd
udev 252.22 admin important h 40 r
sudo 1.9.13p3 admin optional m 90 -
tzdata 2024a localization required m 0 -
gnupg 2.2.40 utils optional l 50 -
libgnutls30 3.7.9 libs optional m 80 d
libgcrypt20 1.10.1 libs optional l 60 d
zlib1g 1.2.13 libs required l 70 d
libxml2 2.9.14 libs optional m 80 d
libexpat1 2.5.0 libs optional m 80 d
libsqlite3-0 3.40.1 libs optional l 60 d
libpam-modules 1.5.2 admin required l 40 d
libpam0g 1.5.2 libs optional l 40 d
passwd 4.13 admin required l 30 -
login 4.13 admin required l 30 -
util-linux 2.38.1 utils required m 30 -
mount 2.38.1 admin required m 30 -
e2fsprogs 1.47.0 admin required l 30 -
tar 1.34 utils required l 40 -
gzip 1.12 utils required l 30 -
xz-utils 5.4.1 utils required l 60 -
liblzma5 5.4.1 libs required l 60 d
bzip2 1.0.8 utils optional l 20 -
perl-base 5.36.0 perl required m 60 -
python3 3.11.2 python optional m 50 -
python3.11 3.11.2 python optional m 70 d
libpython3.11 3.11.2 libs optional m 70 d
vim-tiny 9.0.1378 editors important m 70 -
less 590 text important l 40 -
grep 3.8 utils required l 10 -
sed 4.9 utils required l 10 -
findutils 4.9.0 utils required l 10 -
procps 4.0.2 admin important m 20 -
iproute2 6.1.0 net important m 10 -
iputils-ping 20221126 net important l 10 -
isc-dhcp-client 4.4.3 net important l 40 -
rsyslog 8.2302.0 admin important m 30 -
logrotate 3.21.0 admin important l 10 -
cron 3.0pl1 admin important l 20 -
dbus 1.14.10 admin optional m 50 r
libdbus-1-3 1.14.10 libs optional m 50 d
git 2.39.2 vcs optional m 80 o
nginx 1.22.1 httpd optional m 70 o
postgresql-15 15.6 database optional m 60 o
redis-server 7.0.15 database optional m 70 o
docker.io 20.10.24 admin optional m 60 o
containerd 1.6.20 admin optional m 60 o
rsync 3.2.7 net optional m 60 o
unattended-upgrades 2.9.1 admin optional l 0 o
linux-image-amd64 6.1.90 kernel optional h 95 r
intel-microcode 3.20240312.1 non-free-firmware/admin standard m 90 ro
`;

const RPM_PACKAGES = `
basesystem 11 - - l 0 -
bash 5.1.8 - - l 20 -
coreutils 8.32 - - l 10 -
rpm 4.16.1.3 - - m 30 -
dnf 4.14.0 - - m 20 -
glibc 2.34 - - h 70 r
glibc-common 2.34 - - h 70 d
openssl 3.0.7 - - h 90 -
openssl-libs 3.0.7 - - h 90 rd
ca-certificates 2023.2.60 - - m 10 -
curl 7.76.1 - - h 85 -
libcurl 7.76.1 - - h 85 d
openssh-server 8.7p1 - - m 80 -
openssh-clients 8.7p1 - - m 80 -
systemd 252 - - h 40 r
systemd-libs 252 - - h 40 d
sudo 1.9.5p2 - - m 90 -
tzdata 2024a - - m 0 -
gnupg2 2.3.3 - - l 50 -
gnutls 3.7.6 - - m 80 rd
libgcrypt 1.10.0 - - l 60 d
zlib 1.2.11 - - l 70 rd
libxml2 2.9.13 - - m 80 d
expat 2.5.0 - - m 80 d
sqlite-libs 3.34.1 - - l 60 d
pam 1.5.1 - - l 40 -
shadow-utils 4.9 - - l 30 -
util-linux 2.37.4 - - m 30 -
e2fsprogs 1.46.5 - - l 30 -
xfsprogs 6.3.0 - - l 20 -
tar 1.34 - - l 40 -
gzip 1.12 - - l 30 -
xz 5.2.5 - - l 60 -
xz-libs 5.2.5 - - l 60 d
perl-interpreter 5.32.1 - - m 60 -
python3 3.9.18 - - m 70 -
python3-libs 3.9.18 - - m 70 d
vim-minimal 8.2.2637 - - m 70 -
less 590 - - l 40 -
grep 3.6 - - l 10 -
sed 4.8 - - l 10 -
findutils 4.8.0 - - l 10 -
procps-ng 3.3.17 - - m 20 -
iproute 6.2.0 - - m 10 -
iputils 20210202 - - l 10 -
NetworkManager 1.46.0 - - m 30 -
rsyslog 8.2310.0 - - m 30 -
logrotate 3.18.0 - - l 10 -
cronie 1.5.7 - - l 20 -
dbus 1.12.20 - - m 50 r
dbus-libs 1.12.20 - - m 50 d
firewalld 1.3.4 - - m 10 -
selinux-policy 38.1.35 - - m 10 -
kernel 5.14.0 - - h 95 r
kernel-core 5.14.0 - - h 95 rd
linux-firmware 20240220 - - m 40 r
microcode_ctl 20240531 - - m 90 r
git-core 2.43.0 - - m 80 o
nginx 1.20.1 - - m 70 o
postgresql-server 13.14 - - m 60 o
httpd 2.4.57 - - m 80 o
podman 4.9.4 - - m 60 o
rsync 3.2.3 - - m 60 o
bind-libs 9.16.23 - - m 90 od
`;

const SUSE_PACKAGES = `
filesystem 15.0 - - l 0 -
bash 4.4 - - l 20 -
coreutils 8.32 - - l 10 -
rpm 4.14.3 - - m 30 -
zypper 1.14.66 - - m 20 -
libzypp 17.31.31 - - m 20 d
glibc 2.31 - - h 70 r
openssl-1_1 1.1.1l - - h 90 -
libopenssl1_1 1.1.1l - - h 90 rd
openssl-3 3.0.8 - - h 90 -
libopenssl3 3.0.8 - - h 90 d
ca-certificates-mozilla 2.62 - - m 10 -
curl 8.0.1 - - h 85 -
libcurl4 8.0.1 - - h 85 d
openssh-server 9.6p1 - - m 80 -
openssh-clients 9.6p1 - - m 80 -
systemd 249.17 - - h 40 r
libsystemd0 249.17 - - h 40 d
sudo 1.9.12p1 - - m 90 -
timezone 2024a - - m 0 -
gpg2 2.2.27 - - l 50 -
libgnutls30 3.7.3 - - m 80 d
libgcrypt20 1.9.4 - - l 60 d
libz1 1.2.13 - - l 70 d
libxml2-2 2.10.3 - - m 80 d
libexpat1 2.4.4 - - m 80 d
libsqlite3-0 3.44.0 - - l 60 d
pam 1.3.0 - - l 40 -
shadow 4.8.1 - - l 30 -
util-linux 2.37.4 - - m 30 -
e2fsprogs 1.46.4 - - l 30 -
xfsprogs 5.13.0 - - l 20 -
tar 1.34 - - l 40 -
gzip 1.12 - - l 30 -
xz 5.4.1 - - l 60 -
perl 5.26.1 - - m 60 -
python3 3.6.15 - - m 70 -
python311 3.11.8 - - m 70 o
vim 9.1.0111 - - m 70 -
less 643 - - l 40 -
grep 3.11 - - l 10 -
sed 4.9 - - l 10 -
procps 3.3.17 - - m 20 -
iproute2 6.4 - - m 10 -
wicked 0.6.74 - - m 20 -
rsyslog 8.2306.0 - - m 30 -
logrotate 3.18.1 - - l 10 -
cron 4.2 - - l 20 -
dbus-1 1.12.2 - - m 50 r
kernel-default 5.14.21 - - h 95 r
kernel-firmware-all 20230724 - - m 40 r
ucode-intel 20240312 - - m 90 r
git-core 2.43.0 - - m 80 o
nginx 1.21.5 - - m 70 o
postgresql15-server 15.6 - - m 60 o
apache2 2.4.51 - - m 80 o
docker 24.0.7 - - m 60 o
rsync 3.2.3 - - m 60 o
`;

export interface CatalogPackage {
  name: string;
  upstream: string;
  arch: string;
  /** Debian family only. */
  section?: string;
  priority?: string;
  /** Days between updates, on average. */
  periodDays: number;
  /** Percentage of updates that fix a security issue. */
  securityPercent: number;
  /** Installing an update of it asks for a reboot. */
  reboot: boolean;
  /** Installed to satisfy another package. */
  dependency: boolean;
  /** Installed on about three nodes in four. */
  optional: boolean;
}

export interface SimPlatformCatalog {
  /** The simulator's platform key (apps/agent/src/sim/platforms.ts). */
  key: string;
  operatingSystem: OperatingSystem;
  /** PRODUCT as patch baselines name it. */
  product: string;
  format: PackageFormat;
  /** When the release came out: version 0 of every package dates from here. */
  releasedAt: number;
  packages: readonly CatalogPackage[];
  /** The platform's version string for update `k` (0 = as released) of a package. */
  version(pkg: CatalogPackage, k: number, seed: number): string;
  /** Where update `k` comes from. */
  repository(security: boolean): string;
  /** The advisory of update `k` released at `time`, in the platform's naming. */
  advisoryId(security: boolean, time: number, seed: number): string;
}

const CHURN_DAYS: Record<string, number> = { h: 35, m: 100, l: 300 };

function parseTable(table: string, deb: boolean): CatalogPackage[] {
  return table
    .trim()
    .split('\n')
    .map((line) => {
      const [name = '', upstream = '', section = '-', priority = '-', churn = 'm', security = '0', flags = '-'] = line.trim().split(/\s+/);
      const arch = deb ? (/^(tzdata|ca-certificates|base-files|unattended-upgrades|perl-base)$/.test(name) ? 'all' : 'amd64') : /^(tzdata|timezone|ca-certificates.*|linux-firmware|kernel-firmware-all|basesystem|filesystem|selinux-policy)$/.test(name) ? 'noarch' : 'x86_64';
      return {
        name,
        upstream,
        arch,
        ...(section !== '-' ? { section } : {}),
        ...(priority !== '-' ? { priority } : {}),
        periodDays: CHURN_DAYS[churn] ?? 100,
        securityPercent: Number(security),
        reboot: flags.includes('r'),
        dependency: flags.includes('d'),
        optional: flags.includes('o'),
      };
    });
}

const DEB = parseTable(DEB_PACKAGES, true);
const RPM = parseTable(RPM_PACKAGES, false);
const SUSE = parseTable(SUSE_PACKAGES, false);

/** Ubuntu names a few packages differently and runs the generic kernel. */
const UBUNTU = DEB.map((p) =>
  p.name === 'linux-image-amd64'
    ? { ...p, name: 'linux-image-generic', section: 'kernel' }
    : p.name === 'isc-dhcp-client'
      ? { ...p, name: 'netplan.io', upstream: '0.106', section: 'net' }
      : p.name === 'intel-microcode'
        ? { ...p, section: 'restricted/admin' }
        : p,
);
/** Amazon Linux 2023 has no NetworkManager, firewalld or SELinux policy updates of note, and uses its own kernel line. */
const AL2023 = RPM.filter((p) => !['NetworkManager', 'firewalld', 'linux-firmware'].includes(p.name)).map((p) =>
  p.name === 'kernel' || p.name === 'kernel-core' ? { ...p, upstream: '6.1.90' } : p,
);

const DAY = 86_400_000;
const year = (time: number) => new Date(time).getUTCFullYear();

export const SIM_CATALOGS: readonly SimPlatformCatalog[] = [
  {
    key: 'ubuntu-22.04',
    operatingSystem: 'UBUNTU',
    product: 'Ubuntu22.04',
    format: 'deb',
    releasedAt: Date.UTC(2022, 3, 21),
    packages: UBUNTU,
    version: (p, k) => `${p.upstream}-0ubuntu0.22.04.${k + 1}`,
    repository: (security) => (security ? 'jammy-security' : 'jammy-updates'),
    advisoryId: (security, _time, seed) => (security ? `USN-${5000 + (seed % 2000)}-1` : `LP-${2000000 + (seed % 90000)}`),
  },
  {
    key: 'ubuntu-24.04',
    operatingSystem: 'UBUNTU',
    product: 'Ubuntu24.04',
    format: 'deb',
    releasedAt: Date.UTC(2024, 3, 25),
    packages: UBUNTU,
    version: (p, k) => `${p.upstream}-0ubuntu0.24.04.${k + 1}`,
    repository: (security) => (security ? 'noble-security' : 'noble-updates'),
    advisoryId: (security, _time, seed) => (security ? `USN-${6700 + (seed % 2000)}-1` : `LP-${2060000 + (seed % 90000)}`),
  },
  {
    key: 'debian-12',
    operatingSystem: 'DEBIAN',
    product: 'Debian12',
    format: 'deb',
    releasedAt: Date.UTC(2023, 5, 10),
    packages: DEB,
    version: (p, k) => `${p.upstream}-1${k > 0 ? `+deb12u${k}` : ''}`,
    repository: (security) => (security ? 'bookworm-security' : 'bookworm-updates'),
    advisoryId: (security, _time, seed) => (security ? `DSA-${5400 + (seed % 600)}-1` : `DLA-${3400 + (seed % 900)}-1`),
  },
  {
    key: 'rhel-9',
    operatingSystem: 'REDHAT_ENTERPRISE_LINUX',
    product: 'RedhatEnterpriseLinux9.4',
    format: 'rpm',
    releasedAt: Date.UTC(2024, 3, 30),
    packages: RPM,
    version: (p, k, seed) => `${p.upstream}-${1 + (seed % 40) + k}.el9_4`,
    repository: () => 'rhel-9-for-x86_64-baseos-rpms',
    advisoryId: (security, time, seed) => `${security ? 'RHSA' : 'RHBA'}-${year(time)}:${1000 + (seed % 8000)}`,
  },
  {
    key: 'amazon-linux-2023',
    operatingSystem: 'AMAZON_LINUX_2023',
    product: 'AmazonLinux2023',
    format: 'rpm',
    releasedAt: Date.UTC(2023, 2, 15),
    packages: AL2023,
    version: (p, k, seed) => `${p.upstream}-${1 + (seed % 20)}.amzn2023.0.${k + 1}`,
    repository: () => 'amazonlinux',
    advisoryId: (_security, time, seed) => `ALAS2023-${year(time)}-${100 + (seed % 900)}`,
  },
  {
    key: 'sles-15',
    operatingSystem: 'SUSE',
    product: 'Suse15.5',
    format: 'rpm',
    releasedAt: Date.UTC(2023, 5, 20),
    packages: SUSE,
    version: (p, k, seed) => `${p.upstream}-150500.${1 + (seed % 60)}.${k + 1}.1`,
    repository: () => 'SLE-Module-Basesystem15-SP5-Updates',
    advisoryId: (security, time, seed) => `SUSE-${security ? 'SU' : 'RU'}-${year(time)}:${1000 + (seed % 3000)}-1`,
  },
];

export const SIM_DAY_MS = DAY;

/** The catalog of a simulator platform key; unknown keys are an error naming the known ones. */
export function simCatalog(key: string): SimPlatformCatalog {
  const catalog = SIM_CATALOGS.find((c) => c.key === key);
  if (!catalog) throw new Error(`no simulated package catalog for platform "${key}" (known: ${SIM_CATALOGS.map((c) => c.key).join(', ')})`);
  return catalog;
}
