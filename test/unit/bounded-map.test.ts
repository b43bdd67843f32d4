import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/cache/bounded-map.ts';

describe('BoundedMap', () => {
  it('lets the oldest entry go once full', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('c', 3);
    expect([...m.keys()]).toEqual(['b', 'c']);
  });

  it('computes a value once and keeps it, within the same bound', () => {
    const m = new BoundedMap<string, number>(2);
    let calls = 0;
    const compute = () => ++calls;
    expect(m.remember('a', compute)).toBe(1);
    expect(m.remember('a', compute)).toBe(1);
    m.remember('b', compute);
    m.remember('c', compute);
    expect(calls).toBe(3);
    expect(m.has('a')).toBe(false);
  });
});
