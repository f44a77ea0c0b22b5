import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SSMClient } from '@aws-sdk/client-ssm';
import { cleanEnv, startTend, type LiveTend } from '../../../../cli/src/testing/run-tend.js';
import { describeEachDatabase, startTestServer, TEST_ACCOUNT, TEST_REGION, type TestDialect, type TestServer } from '../../testing/test-server.js';
import { finished, invocationsOf, runShell, startFleet, until, type TestFleet } from './run-command-test-support.js';

/** A free TCP port on 127.0.0.1: the server must come back where the agents remember it. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The server is killed (SIGKILL, no shutdown) while agents run a command;
 * the agents finish meanwhile, and when the server is back they report, so
 * every invocation ends in its true state, once.
 */
describeEachDatabase('Run Command survives a server killed mid-command', (dialect: TestDialect) => {
  let storage: TestServer | undefined;
  let server: LiveTend | undefined;
  let fleet: TestFleet | undefined;
  let scratch: string | undefined;
  afterEach(async () => {
    await fleet?.stopAll();
    server?.child.kill('SIGKILL');
    await storage?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('ends every invocation in its true state after the server comes back', async () => {
    // A test server provides the data dir and database (and drops them afterwards); a `tend server` process serves them.
    storage = await startTestServer(dialect);
    await storage.server.close();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = cleanEnv({
      TEND_DATABASE_URL: storage.databaseUrl,
      TEND_MASTER_KEY: '11'.repeat(32),
      TEND_ROOT_ACCESS_KEY_ID: storage.credentials.accessKeyId,
      TEND_ROOT_SECRET_ACCESS_KEY: storage.credentials.secretAccessKey,
      TEND_REGION: TEST_REGION,
      TEND_ACCOUNT_ID: TEST_ACCOUNT,
      TEND_LOG_LEVEL: 'warn',
    });
    const serve = () => startTend(['server', '--port', String(port), '--data-dir', storage!.dataDir], { env });
    server = serve();
    const ssm = new SSMClient({ endpoint: url, region: TEST_REGION, credentials: storage.credentials, maxAttempts: 1 });
    await until(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok, 20_000, 'server ready');

    fleet = await startFleet({ url, ssm }, 2);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-rc-kill-'));
    const id = await runShell({ ssm }, { InstanceIds: fleet.ids }, [`mktemp ${scratch}/started.XXXX`, 'sleep 2', 'echo finished']);
    await until(() => fs.readdirSync(scratch!).length === 2, 10_000, 'both scripts started');

    server.child.kill('SIGKILL');
    await until(() => server!.child.exitCode !== null || server!.child.signalCode !== null, 5_000, 'server dead');
    // The scripts end while no server is there to hear it; the agents keep their results.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    server = serve();
    await until(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok, 20_000, 'server back');
    const command = await finished({ ssm }, id, 40_000);
    expect(command).toMatchObject({ Status: 'Success', StatusDetails: 'Success', TargetCount: 2, CompletedCount: 2, ErrorCount: 0 });
    for (const invocation of (await invocationsOf({ ssm }, id)).values()) {
      expect(invocation).toMatchObject({ Status: 'Success', StatusDetails: 'Success' });
      expect(invocation.CommandPlugins![0]!.Output).toMatch(/finished\n$/);
    }
    ssm.destroy();
  }, 90_000);
});
