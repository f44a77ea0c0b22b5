import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NodeInfo } from '@tend/protocol';

/** Set by a bundler (esbuild `define`) when the agent ships as one file, away from the repository's package.json. */
declare const __TEND_VERSION__: string | undefined;

/** Tend's version from the root package.json: one number for server and agent. */
export const AGENT_VERSION: string =
  typeof __TEND_VERSION__ === 'string'
    ? __TEND_VERSION__
    : (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Parses os-release(5): KEY=value lines, values optionally quoted, with
 * backslash escapes inside double quotes; comments and junk are skipped.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2];
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    } else if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.slice(1, -1);
    }
    fields[match[1]] = value;
  }
  return fields;
}

/** NAME and VERSION_ID of the system under `systemRoot`; /etc/os-release wins over the /usr/lib fallback, as the spec says. */
export async function readPlatform(systemRoot: string): Promise<{ platformName: string; platformVersion: string }> {
  for (const candidate of ['etc/os-release', 'usr/lib/os-release']) {
    try {
      const fields = parseOsRelease(await fs.readFile(path.join(systemRoot, candidate), 'utf8'));
      // os-release(5) defaults NAME to "Linux" when absent.
      return { platformName: fields.NAME ?? 'Linux', platformVersion: fields.VERSION_ID ?? '' };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return { platformName: 'Linux', platformVersion: '' };
}

/** Name of the interface carrying the IPv4 default route, from the kernel's routing table (/proc/net/route). */
export function defaultRouteInterface(routeTable: string): string | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const [iface, destination, , flags] = line.trim().split(/\s+/);
    // Destination 0.0.0.0 with the RTF_UP flag (0x1) set.
    if (destination === '00000000' && (parseInt(flags, 16) & 1) === 1) return iface;
  }
  return undefined;
}

/**
 * The node's primary IPv4: the address of the default-route interface, or
 * the first non-loopback IPv4 when there is no default route (air-gapped
 * hosts), or '' when there is none at all.
 */
export function primaryIpv4(
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
  routeTable: string | undefined = readRouteTable(),
): string {
  const ipv4 = (name: string) => interfaces[name]?.find((a) => a.family === 'IPv4' && !a.internal)?.address;
  const routed = routeTable === undefined ? undefined : defaultRouteInterface(routeTable);
  if (routed) {
    const address = ipv4(routed);
    if (address) return address;
  }
  for (const name of Object.keys(interfaces)) {
    const address = ipv4(name);
    if (address) return address;
  }
  return '';
}

function readRouteTable(): string | undefined {
  try {
    return readFileSync('/proc/net/route', 'utf8');
  } catch {
    return undefined;
  }
}

function platformType(): NodeInfo['platformType'] {
  if (process.platform === 'darwin') return 'MacOS';
  if (process.platform === 'win32') return 'Windows';
  return 'Linux';
}

/** Cuts a value to the protocol's limit rather than have the server reject the whole frame. */
const fit = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);

export interface NodeInfoOptions {
  /** Where /etc/os-release is read from; '/' on a real host, a scratch root in tests. */
  systemRoot?: string;
}

/** What this machine reports about itself at registration, at connect and whenever it changes. */
export async function collectNodeInfo(options: NodeInfoOptions = {}): Promise<NodeInfo> {
  const { platformName, platformVersion } = await readPlatform(options.systemRoot ?? '/');
  return {
    computerName: fit(os.hostname() || 'localhost', 255),
    ipAddress: fit(primaryIpv4(), 64),
    platformType: platformType(),
    platformName: fit(platformName, 128),
    platformVersion: fit(platformVersion, 64),
    agentVersion: fit(AGENT_VERSION, 32),
  };
}
