import { describe, expect, it } from 'vitest';
import { ParameterReadCache } from './parameter-read-cache.js';
import type { FindResult } from './parameters.store.js';

const result = (version: number) => ({ record: { version } }) as unknown as FindResult;

describe('ParameterReadCache', () => {
  it('serves what a read stored until a write of that parameter invalidates it', () => {
    const cache = new ParameterReadCache();
    cache.set('/a', '', result(1), cache.begin());
    cache.set('/b', '', result(7), cache.begin());
    expect(cache.get('/a', '')).toEqual(result(1));
    cache.invalidate(['/a']);
    expect(cache.get('/a', '')).toBeUndefined();
    expect(cache.get('/b', '')).toEqual(result(7));
  });

  it('drops the result of a read that raced a write', () => {
    const cache = new ParameterReadCache();
    const epoch = cache.begin();
    cache.invalidate(['/a']); // a write committed while the read was running
    cache.set('/a', '', result(1), epoch);
    expect(cache.get('/a', '')).toBeUndefined();
  });

  it('stays bounded', () => {
    const cache = new ParameterReadCache(3);
    for (let i = 0; i < 10; i++) cache.set(`/p${i}`, '', result(i), cache.begin());
    const kept = Array.from({ length: 10 }, (_, i) => cache.get(`/p${i}`, '')).filter(Boolean);
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(cache.get('/p9', '')).toEqual(result(9));
  });
});
