import fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AGENT_BUNDLE_PATH, registerAgentReleases } from './agent-releases.js';

export const INSTALL_SCRIPT_PATH = '/install.sh';
export { AGENT_BUNDLE_PATH };

const TEMPLATE = fs.readFileSync(new URL('./install-script.template.sh', import.meta.url), 'utf8');

/** A host name, IPv4 or bracketed IPv6 address, with an optional port: all a Host header may hold here. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const VERSION = /^[0-9A-Za-z.+-]+$/;

export interface InstallScriptOptions {
  version: string;
  logger: Logger;
  /** The server's data dir: releases an operator adds are in its agent-releases/ (agent-releases.ts). */
  dataDir: string;
}

/**
 * The script is rendered per request because it names the server the agent
 * will connect to: the address the host itself used to fetch the script.
 * The values go into single-quoted shell strings, so both are held to
 * characters that cannot end the quote.
 */
export function renderInstallScript(values: { serverUrl: string; version: string }): string {
  if (!/^https?:\/\//.test(values.serverUrl) || !HOST.test(values.serverUrl.replace(/^https?:\/\//, ''))) {
    throw new Error(`not a server URL for the install script: ${values.serverUrl}`);
  }
  if (!VERSION.test(values.version)) throw new Error(`not a version for the install script: ${values.version}`);
  return TEMPLATE.replace("'__TEND_SERVER_URL__'", `'${values.serverUrl}'`).replace("'__TEND_VERSION__'", `'${values.version}'`);
}

/** `http://tend.example.com:8700`: how this request reached the server, or undefined for a Host header that is not an address. */
function serverUrlOf(request: FastifyRequest): string | undefined {
  const host = request.headers.host;
  return host && HOST.test(host) ? `${request.protocol}://${host}` : undefined;
}

/**
 * GET /install.sh (installs the agent as a systemd service) and the agent
 * releases it and AWS-UpdateSSMAgent download (agent-releases.ts; the
 * script takes GET /agent/tend-agent.cjs, the newest). No credentials: the
 * script and the agent hold no secret; the activation the host is given
 * is what lets it in.
 */
export function registerInstallScript(app: FastifyInstance, options: InstallScriptOptions): void {
  app.get(INSTALL_SCRIPT_PATH, async (request, reply) => {
    const serverUrl = serverUrlOf(request);
    reply.header('content-type', 'text/x-shellscript; charset=utf-8').header('cache-control', 'no-store');
    if (!serverUrl) {
      // Still a script: whoever pipes this into bash sees the reason rather than a syntax error.
      return reply.code(400).send(`echo 'tend install: the request had no usable Host header; fetch the script by the server address the agent should use' >&2\nexit 1\n`);
    }
    return reply.send(renderInstallScript({ serverUrl, version: options.version }));
  });

  registerAgentReleases(app, options);
}
