import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailableReason, startTestServer, type TestServer } from '../../testing/test-server.js';
import { finished, runShell, startFleet, type TestFleet } from './run-command-test-support.js';

const noPostgres = await postgresUnavailableReason();

// Two server replicas on one PostgreSQL database, the agent connected to the first: the second
// has no output file, and must still answer all of the output, not only the 24,000-character head.
describe.skipIf(Boolean(noPostgres))('Run Command output on another replica (shared PostgreSQL)', () => {
  let first: TestServer;
  let second: TestServer;
  let fleet: TestFleet;
  /** The first replica's clients, signing with the root key the second wrote to the shared database last. */
  let onFirst: { ssm: TestServer['ssm']; api: TestServer['api'] };
  beforeAll(async () => {
    first = await startTestServer('postgres');
    second = await startTestServer('postgres', { databaseUrl: first.databaseUrl });
    onFirst = first.clientsFor(second.credentials);
    fleet = await startFleet({ url: first.url, ssm: onFirst.ssm }, 1);
  });
  afterAll(async () => {
    await fleet?.stopAll();
    await second?.close();
    await first?.close();
  });

  it('serves the whole output of a finished step from either replica', async () => {
    const instanceId = fleet.ids[0]!;
    // 48,894 bytes on stdout, a line on stderr.
    const commandId = await runShell(onFirst, { InstanceIds: [instanceId] }, ['seq 1 10000', 'echo done >&2']);
    expect(await finished(onFirst, commandId)).toMatchObject({ Status: 'Success' });
    const expected = Array.from({ length: 10_000 }, (_, i) => `${i + 1}\n`).join('');
    for (const api of [onFirst.api, second.api]) {
      const read = (stream: 'Stdout' | 'Stderr') => api.tend('GetCommandOutput', { CommandId: commandId, InstanceId: instanceId, Stream: stream });
      expect(await read('Stdout')).toMatchObject({ Content: expected, TotalBytes: 48_894, NextOffset: 48_894, Complete: true });
      expect(await read('Stderr')).toMatchObject({ Content: 'done\n', Complete: true });
    }
  });
});
