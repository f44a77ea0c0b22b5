import { describe, expect, it } from 'vitest';
import {
  compareDebianVersions,
  comparePackageVersions,
  compareRpmVersions,
  parseDebianVersion,
  parseRpmVersion,
  rpmvercmp,
} from './package-versions.js';

/** [a, b, sign of compare(a, b)] — each checked against `dpkg --compare-versions` on Debian 12. */
const DEBIAN_ORDERINGS: [string, string, -1 | 0 | 1][] = [
  ['1.0', '1.0', 0],
  ['1.0', '1.1', -1],
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~~', '1.0~', -1],
  ['1.0~', '1.0', -1],
  ['1.0', '1.0+b1', -1],
  ['1.0', '1.0.0', -1],
  ['1.0', '1.0a', -1],
  ['1.0a', '1.0+', -1],
  ['1.0a', '1.0.', -1],
  ['1:0.1', '2.0', 1],
  ['0:1.0', '1.0', 0],
  ['1.0-1', '1.0-1ubuntu1', -1],
  ['1.0-1', '1.0-0', 1],
  ['1.0', '1.0-0', 0],
  ['2.30-1~deb10u1', '2.30-1', -1],
  ['2.36-9+deb12u4', '2.36-9+deb12u10', -1],
  ['1.2.3-1', '1.2.10-1', -1],
  ['007', '7', 0],
  ['1.01', '1.1', 0],
  ['1.0-1.1', '1.0-1.01', 0],
  ['3.0.11-1~deb12u2', '3.0.13-1~deb12u1', -1],
  ['1:2.38.1-5+deb12u1', '1:2.38.1-5+deb12u2', -1],
  ['9.2p1-2+deb12u3', '9.2p1-2+deb12u2', 1],
  ['1.0-1', '1.0-1+b1', -1],
  ['2.0-1', '10.0-1', -1],
  ['1.0~beta1+git', '1.0~beta1', 1],
  ['1.0.A', '1.0.a', -1],
  ['5.2.15-2+b2', '5.2.15-2ubuntu1', 1],
  ['2:1.0', '1:9.9', 1],
  ['1.0-1-1', '1.0-1', 1],
  ['1.0-1-1', '1.0-1.1', 1],
  ['1.2.3+dfsg-1', '1.2.3-1', 1],
  ['6.1.0-18-amd64', '6.1.0-9-amd64', 1],
  ['1.0~rc1-1', '1.0-1~bpo1', -1],
];

/** [a, b, rpmvercmp(a, b)] — the orderings rpm's own test suite (rpmvercmp.at) states. */
const RPM_ORDERINGS: [string, string, -1 | 0 | 1][] = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0', '1.0', 1],
  ['2.0.1', '2.0.1', 0],
  ['2.0', '2.0.1', -1],
  ['2.0.1', '2.0', 1],
  ['2.0.1a', '2.0.1a', 0],
  ['2.0.1a', '2.0.1', 1],
  ['2.0.1', '2.0.1a', -1],
  ['5.5p1', '5.5p1', 0],
  ['5.5p1', '5.5p2', -1],
  ['5.5p2', '5.5p1', 1],
  ['5.5p10', '5.5p10', 0],
  ['5.5p1', '5.5p10', -1],
  ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1],
  ['10.1xyz', '10xyz', 1],
  ['xyz10', 'xyz10', 0],
  ['xyz10', 'xyz10.1', -1],
  ['xyz10.1', 'xyz10', 1],
  ['xyz.4', 'xyz.4', 0],
  ['xyz.4', '8', -1],
  ['8', 'xyz.4', 1],
  ['xyz.4', '2', -1],
  ['2', 'xyz.4', 1],
  ['5.5p2', '5.6p1', -1],
  ['5.6p1', '5.5p2', 1],
  ['5.6p1', '6.5p1', -1],
  ['6.5p1', '5.6p1', 1],
  ['6.0.rc1', '6.0', 1],
  ['6.0', '6.0.rc1', -1],
  ['10b2', '10a1', 1],
  ['10a2', '10b2', -1],
  ['1.0aa', '1.0aa', 0],
  ['1.0a', '1.0aa', -1],
  ['1.0aa', '1.0a', 1],
  ['10.0001', '10.0001', 0],
  ['10.0001', '10.1', 0],
  ['10.1', '10.0001', 0],
  ['10.0001', '10.0039', -1],
  ['10.0039', '10.0001', 1],
  ['4.999.9', '5.0', -1],
  ['5.0', '4.999.9', 1],
  ['20101121', '20101121', 0],
  ['20101121', '20101122', -1],
  ['20101122', '20101121', 1],
  ['2_0', '2_0', 0],
  ['2.0', '2_0', 0],
  ['2_0', '2.0', 0],
  ['a', 'a', 0],
  ['a+', 'a+', 0],
  ['a+', 'a_', 0],
  ['a_', 'a+', 0],
  ['+a', '+a', 0],
  ['+a', '_a', 0],
  ['_a', '+a', 0],
  ['+_', '+_', 0],
  ['_+', '+_', 0],
  ['_+', '_', 0],
  ['+', '_', 0],
  ['_', '+', 0],
  ['1.0~rc1', '1.0~rc1', 0],
  ['1.0~rc1', '1.0', -1],
  ['1.0', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc2', '1.0~rc1', 1],
  ['1.0~rc1~git123', '1.0~rc1~git123', 0],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0~rc1', '1.0~rc1~git123', 1],
  ['1.0^', '1.0^', 0],
  ['1.0^', '1.0', 1],
  ['1.0', '1.0^', -1],
  ['1.0^git1', '1.0^git1', 0],
  ['1.0^git1', '1.0', 1],
  ['1.0', '1.0^git1', -1],
  ['1.0^git1', '1.0^git2', -1],
  ['1.0^git2', '1.0^git1', 1],
  ['1.0^git1', '1.01', -1],
  ['1.01', '1.0^git1', 1],
  ['1.0^20160101', '1.0^20160101', 0],
  ['1.0^20160101', '1.0.1', -1],
  ['1.0.1', '1.0^20160101', 1],
  ['1.0^20160101^git1', '1.0^20160101^git1', 0],
  ['1.0^20160102', '1.0^20160101^git1', 1],
  ['1.0^20160101^git1', '1.0^20160102', -1],
  ['1.0~rc1^git1', '1.0~rc1^git1', 0],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc1^git1', -1],
  ['1.0^git1~pre', '1.0^git1~pre', 0],
  ['1.0^git1', '1.0^git1~pre', 1],
  ['1.0^git1~pre', '1.0^git1', -1],
];

describe('Debian version order (dpkg)', () => {
  it.each(DEBIAN_ORDERINGS)('%s vs %s → %i', (a, b, want) => {
    expect(Math.sign(compareDebianVersions(a, b))).toBe(want);
    expect(Math.sign(compareDebianVersions(b, a))).toBe(-want || 0);
  });

  it('splits epoch at the first colon and revision at the last hyphen', () => {
    expect(parseDebianVersion('1:2.38.1-5+deb12u1')).toEqual({ epoch: 1, upstream: '2.38.1', revision: '5+deb12u1' });
    expect(parseDebianVersion('6.1.0-18-amd64')).toEqual({ epoch: 0, upstream: '6.1.0-18', revision: 'amd64' });
    expect(parseDebianVersion('2.0')).toEqual({ epoch: 0, upstream: '2.0', revision: '' });
  });

  it('sorts a realistic list of security updates the way apt would pick the newest', () => {
    const versions = ['3.0.11-1~deb12u2', '3.0.13-1~deb12u1', '3.0.11-1~deb12u1', '3.0.9-1', '3.0.15-1~deb12u1', '3.0.14-1~deb12u2'];
    expect([...versions].sort(compareDebianVersions)).toEqual([
      '3.0.9-1',
      '3.0.11-1~deb12u1',
      '3.0.11-1~deb12u2',
      '3.0.13-1~deb12u1',
      '3.0.14-1~deb12u2',
      '3.0.15-1~deb12u1',
    ]);
  });
});

describe('RPM version order (rpmvercmp)', () => {
  it.each(RPM_ORDERINGS)('%s vs %s → %i', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
  });

  it('compares epochs first, as numbers, with a missing epoch being 0', () => {
    expect(compareRpmVersions('1:1.0-1', '2.0-1')).toBe(1);
    expect(compareRpmVersions('0:1.0-1', '1.0-1')).toBe(0);
    expect(compareRpmVersions('10:1.0-1', '9:9.0-1')).toBe(1);
  });

  it('compares the release when the versions are equal', () => {
    expect(compareRpmVersions('3.0.7-27.el9', '3.0.7-28.el9')).toBe(-1);
    expect(compareRpmVersions('1.12.28-1.amzn2023.0.1', '1.12.28-1.amzn2023.0.2')).toBe(-1);
    expect(compareRpmVersions('5.14.0-427.13.1.el9_4', '5.14.0-362.24.1.el9_3')).toBe(1);
  });

  it('ignores the release when only one side has one (a bare version matches any release)', () => {
    expect(compareRpmVersions('1.12.28', '1.12.28-1.amzn2023.0.1')).toBe(0);
    expect(compareRpmVersions('1.12.29', '1.12.28-1.amzn2023.0.1')).toBe(1);
  });

  it('splits [epoch:]version-release', () => {
    expect(parseRpmVersion('1:3.0.7-27.el9')).toEqual({ epoch: 1, version: '3.0.7', release: '27.el9' });
    expect(parseRpmVersion('3.0.7')).toEqual({ epoch: 0, version: '3.0.7', release: undefined });
  });
});

describe('comparePackageVersions', () => {
  it('uses dpkg order for deb and rpm order for rpm: rpm treats punctuation as a mere separator, dpkg orders it', () => {
    expect(comparePackageVersions('rpm', '2.0', '2+0')).toBe(0);
    expect(Math.sign(comparePackageVersions('deb', '2.0', '2+0'))).toBe(1);
  });
});
