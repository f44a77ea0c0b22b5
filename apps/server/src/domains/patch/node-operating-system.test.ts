import { describe, expect, it } from 'vitest';
import { nodePatchPlatform } from './node-operating-system.js';

describe('nodePatchPlatform', () => {
  it.each([
    ['Debian GNU/Linux', '12', 'DEBIAN', 'Debian12'],
    ['Ubuntu', '22.04', 'UBUNTU', 'Ubuntu22.04'],
    ['Red Hat Enterprise Linux', '9.4', 'REDHAT_ENTERPRISE_LINUX', 'RedhatEnterpriseLinux9.4'],
    ['Rocky Linux', '9.3', 'ROCKY_LINUX', 'RockyLinux9.3'],
    ['AlmaLinux', '9.4', 'ALMA_LINUX', 'AlmaLinux9.4'],
    ['CentOS Stream', '9', 'CENTOS', 'CentOSStream9'],
    ['Amazon Linux', '2023', 'AMAZON_LINUX_2023', 'AmazonLinux2023'],
    ['Amazon Linux', '2', 'AMAZON_LINUX_2', 'AmazonLinux2'],
    ['SLES', '15-SP5', 'SUSE', 'Suse15.5'],
    ['SUSE Linux Enterprise Server', '15.5', 'SUSE', 'Suse15.5'],
  ])('%s %s is %s (%s)', (name, version, os, product) => {
    expect(nodePatchPlatform(name, version)).toEqual({ operatingSystem: os, product });
  });

  it('knows nothing of other systems', () => {
    expect(nodePatchPlatform('Arch Linux', '')).toBeUndefined();
    expect(nodePatchPlatform(null, null)).toBeUndefined();
  });
});
