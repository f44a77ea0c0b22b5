import { describe, expect, it } from 'vitest';
import { maskHead, OutputMasker } from './output-masker.js';

describe('OutputMasker', () => {
  it('masks a secret that arrives split across chunks, holding back no more than it must', () => {
    const masker = new OutputMasker(['part1part2']);
    const stored = [masker.push('token=part1'), masker.push('part2 done\n'), masker.end()];
    expect(stored.join('')).toBe('token=**** done\n');
    // 9 characters (the secret's length - 1) wait for the next chunk.
    expect(stored[0]).toBe('to');
  });
});

describe('maskHead', () => {
  it('masks the start of a secret that ends a head cut at the limit', () => {
    expect(maskHead('xxxxSecr', ['SecretValue'], 8)).toBe('xxxx****');
  });

  it('leaves the end of a head that was not cut as it is', () => {
    expect(maskHead('xxxxSecr', ['SecretValue'], 9)).toBe('xxxxSecr');
  });

  it('masks whole secrets first, then the longest piece any secret starts with', () => {
    expect(maskHead('xaaaa', ['aaa'], 5)).toBe('x********');
    expect(maskHead('--abcd', ['abcdef', 'cdxyz'], 6)).toBe('--****');
    expect(maskHead('plain text', [], 10)).toBe('plain text');
  });
});
