import { expect, it } from 'vitest';
import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
} from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import type { TestServer } from '../../../testing/test-server.js';
import { parameterEvents, put, useTestServer } from './test-support.js';

/** Rows left anywhere for a parameter: versions, labels, tags. */
async function leftovers(t: TestServer, nameKey: string): Promise<number> {
  const db = t.server.services.db;
  const versions = await db.selectFrom('parameter_versions').select('version').where('name_key', '=', nameKey).execute();
  const labels = await db.selectFrom('parameter_labels').select('label').where('name_key', '=', nameKey).execute();
  const tags = await db.selectFrom('resource_tags').select('tag_key').where('resource_type', '=', 'Parameter').where('resource_id', '=', nameKey).execute();
  return versions.length + labels.length + tags.length;
}

describeEachDatabase('DeleteParameter and DeleteParameters', (dialect) => {
  const server = useTestServer(dialect);

  it('deletes a parameter with its versions, labels and tags', async () => {
    const t = server();
    await put(t.ssm, '/del/one', 'v1', { Tags: [{ Key: 'team', Value: 'a' }] });
    await put(t.ssm, '/del/one', 'v2', { Overwrite: true });
    await t.ssm.send(new LabelParameterVersionCommand({ Name: '/del/one', Labels: ['prod'] }));
    expect(await leftovers(t, '/del/one')).toBe(4);

    await t.ssm.send(new DeleteParameterCommand({ Name: '/del/one' }));
    expect(await leftovers(t, '/del/one')).toBe(0);
    await expect(t.ssm.send(new GetParameterCommand({ Name: '/del/one' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(t.ssm.send(new DeleteParameterCommand({ Name: '/del/one' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    expect((await parameterEvents(t)).at(-1)).toEqual({ name: '/del/one', version: 2, type: 'String', operation: 'Delete' });

    // A new parameter of the same name starts over, with nothing of the old one.
    expect(await put(t.ssm, '/del/one', 'fresh')).toMatchObject({ Version: 1 });
    const { Parameters } = await t.ssm.send(new GetParameterHistoryCommand({ Name: '/del/one' }));
    expect(Parameters?.map((p) => [p.Version, p.Labels])).toEqual([[1, []]]);
  });

  it('deletes a top-level parameter by either spelling', async () => {
    const { ssm } = server();
    await put(ssm, 'del-top', 'v');
    await ssm.send(new DeleteParameterCommand({ Name: '/del-top' }));
    await expect(ssm.send(new GetParameterCommand({ Name: 'del-top' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  it('refuses to delete under /tend/', async () => {
    const { ssm } = server();
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/tend/service/server/version' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(ssm.send(new DeleteParametersCommand({ Names: ['/del/x', '/tend/service/server/version'] }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect((await ssm.send(new GetParameterCommand({ Name: '/tend/service/server/version' }))).Parameter?.Version).toBe(1);
  });

  it('DeleteParameters deletes what exists and lists the rest as invalid', async () => {
    const t = server();
    await put(t.ssm, '/del/many/a', '1');
    await put(t.ssm, '/del/many/b', '2', { Type: 'SecureString' });
    await put(t.ssm, '/del/many/c', '3');
    const res = await t.ssm.send(new DeleteParametersCommand({ Names: ['/del/many/a', '/del/many/missing', '/del/many/b'] }));
    expect(res.DeletedParameters).toEqual(['/del/many/a', '/del/many/b']);
    expect(res.InvalidParameters).toEqual(['/del/many/missing']);
    expect(await leftovers(t, '/del/many/b')).toBe(0);
    expect((await t.ssm.send(new GetParameterCommand({ Name: '/del/many/c' }))).Parameter?.Value).toBe('3');
    const events = (await parameterEvents(t)).filter((e) => e.operation === 'Delete' && e.name.startsWith('/del/many/'));
    expect(events.map((e) => e.name).sort()).toEqual(['/del/many/a', '/del/many/b']);
  });

  it('DeleteParameters takes 1 to 10 names', async () => {
    const { ssm } = server();
    await expect(ssm.send(new DeleteParametersCommand({ Names: [] }))).rejects.toMatchObject({ name: 'ValidationException' });
    const eleven = Array.from({ length: 11 }, (_, i) => `/del/n${i}`);
    await expect(ssm.send(new DeleteParametersCommand({ Names: eleven }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
