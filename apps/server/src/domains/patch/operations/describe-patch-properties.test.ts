import { expect, it } from 'vitest';
import { DescribePatchPropertiesCommand } from '@aws-sdk/client-ssm';
import { describeEachDatabase } from '../../../testing/test-server.js';
import { insertTestNodes, testNodeId } from '../../targets/managed-node-fixtures.js';
import { useTestServer } from './baseline-test-support.js';

describeEachDatabase('DescribePatchProperties', (dialect) => {
  const server = useTestServer(dialect);

  it('answers the enumerated values of a property for an OS, page by page', async () => {
    const { ssm } = server();
    const got = await ssm.send(new DescribePatchPropertiesCommand({ OperatingSystem: 'REDHAT_ENTERPRISE_LINUX', Property: 'CLASSIFICATION' }));
    expect(got.Properties).toEqual(['Security', 'Bugfix', 'Enhancement', 'Recommended', 'Newpackage'].map((Name) => ({ Name })));
    const first = await ssm.send(new DescribePatchPropertiesCommand({ OperatingSystem: 'DEBIAN', Property: 'PRIORITY', MaxResults: 3 }));
    expect(first.Properties).toEqual([{ Name: 'Required' }, { Name: 'Important' }, { Name: 'Standard' }]);
    const second = await ssm.send(new DescribePatchPropertiesCommand({ OperatingSystem: 'DEBIAN', Property: 'PRIORITY', MaxResults: 3, NextToken: first.NextToken }));
    expect(second.Properties).toEqual([{ Name: 'Optional' }, { Name: 'Extra' }]);
    expect(second.NextToken).toBeUndefined();
  });

  it('answers the products of the fleet for PRODUCT', async () => {
    const db = server().server.services.db;
    await insertTestNodes(db, [{ id: testNodeId(1) }, { id: testNodeId(2) }]);
    await db.updateTable('managed_nodes').set({ platform_name: 'Ubuntu', platform_version: '22.04' }).where('instance_id', '=', testNodeId(2)).execute();
    const debian = await server().ssm.send(new DescribePatchPropertiesCommand({ OperatingSystem: 'DEBIAN', Property: 'PRODUCT' }));
    expect(debian.Properties).toEqual([{ Name: 'Debian12' }]);
    const ubuntu = await server().ssm.send(new DescribePatchPropertiesCommand({ OperatingSystem: 'UBUNTU', Property: 'PRODUCT' }));
    expect(ubuntu.Properties).toEqual([{ Name: 'Ubuntu22.04' }]);
  });

  it('refuses a property the OS does not have', async () => {
    await expect(server().ssm.send(new DescribePatchPropertiesCommand({ OperatingSystem: 'DEBIAN', Property: 'SEVERITY' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('PRODUCT, PRIORITY, SECTION'),
    });
  });
});
