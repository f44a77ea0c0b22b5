import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeInfoSchema } from '@tend/protocol';
import { AGENT_VERSION, collectNodeInfo, defaultRouteInterface, parseOsRelease, primaryIpv4, readPlatform } from './node-info.js';

const roots: string[] = [];
function systemRoot(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-agent-root-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
ID=debian
`;

describe('os-release', () => {
  it('reads quoted, unquoted and escaped values and skips comments', () => {
    const fields = parseOsRelease(`# comment\nNAME="Red Hat Enterprise Linux"\nVERSION_ID=9.4\nID='rhel'\nPRETTY_NAME="A \\"quoted\\" \\$name"\nnot a field\n`);
    expect(fields).toEqual({ NAME: 'Red Hat Enterprise Linux', VERSION_ID: '9.4', ID: 'rhel', PRETTY_NAME: 'A "quoted" $name' });
  });

  it('takes NAME and VERSION_ID from <root>/etc/os-release', async () => {
    expect(await readPlatform(systemRoot({ 'etc/os-release': DEBIAN_12 }))).toEqual({ platformName: 'Debian GNU/Linux', platformVersion: '12' });
  });

  it('falls back to <root>/usr/lib/os-release, then to the spec defaults', async () => {
    expect(await readPlatform(systemRoot({ 'usr/lib/os-release': 'NAME="Amazon Linux"\nVERSION_ID="2023"\n' }))).toEqual({
      platformName: 'Amazon Linux',
      platformVersion: '2023',
    });
    expect(await readPlatform(systemRoot({}))).toEqual({ platformName: 'Linux', platformVersion: '' });
    // Rolling releases have no VERSION_ID.
    expect(await readPlatform(systemRoot({ 'etc/os-release': 'NAME="Arch Linux"\n' }))).toEqual({ platformName: 'Arch Linux', platformVersion: '' });
  });
});

describe('primary IPv4', () => {
  const ROUTES = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
eth1\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
`;
  const iface = (address: string, internal = false): os.NetworkInterfaceInfo =>
    ({ address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24` }) as os.NetworkInterfaceInfo;
  const v6: os.NetworkInterfaceInfo = { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff::', mac: '00:00:00:00:00:00', cidr: 'fe80::1/64', scopeid: 2 };

  it('finds the default-route interface', () => {
    expect(defaultRouteInterface(ROUTES)).toBe('eth1');
    expect(defaultRouteInterface('Iface\tDestination\n')).toBeUndefined();
  });

  it('prefers the address of the default-route interface over other interfaces', () => {
    const interfaces = { lo: [iface('127.0.0.1', true)], docker0: [iface('172.17.0.1')], eth1: [v6, iface('192.168.2.10')] };
    expect(primaryIpv4(interfaces, ROUTES)).toBe('192.168.2.10');
  });

  it('falls back to the first non-loopback IPv4, and to empty when there is none', () => {
    expect(primaryIpv4({ lo: [iface('127.0.0.1', true)], ens3: [v6, iface('10.1.2.3')] }, undefined)).toBe('10.1.2.3');
    expect(primaryIpv4({ lo: [iface('127.0.0.1', true)], ens3: [v6] }, ROUTES)).toBe('');
  });
});

describe('collectNodeInfo', () => {
  it('reports this host with the platform of the given system root and the agent version from package.json', async () => {
    const info = await collectNodeInfo({ systemRoot: systemRoot({ 'etc/os-release': DEBIAN_12 }) });
    const rootPackage = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(info).toEqual({
      computerName: os.hostname(),
      ipAddress: primaryIpv4(),
      platformType: 'Linux',
      platformName: 'Debian GNU/Linux',
      platformVersion: '12',
      agentVersion: rootPackage.version,
    });
    expect(AGENT_VERSION).toBe(rootPackage.version);
    expect(nodeInfoSchema.safeParse(info).success).toBe(true);
  });

  it('cuts overlong values to the protocol limits', async () => {
    const info = await collectNodeInfo({ systemRoot: systemRoot({ 'etc/os-release': `NAME="${'x'.repeat(300)}"\nVERSION_ID=${'9'.repeat(100)}\n` }) });
    expect(nodeInfoSchema.safeParse(info).success).toBe(true);
    expect(info.platformName).toHaveLength(128);
  });
});
