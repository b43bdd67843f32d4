import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/cache/bounded-map.ts';

describe('BoundedMap', () => {
  it('lets the oldest entries go once full', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('c', 3);
    expect([...m.keys()]).toEqual(['b', 'c']);
    expect(m.get('a')).toBeUndefined();
  });

  it('never holds more than its capacity, however many keys pass through', () => {
    const m = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i++) {
      m.set(i, i);
      expect(m.size).toBeLessThanOrEqual(100);
    }
    // The newest keys are there, the oldest long gone.
    expect(m.get(9_999)).toBe(9_999);
    expect(m.has(0)).toBe(false);
  });

  it('keeps what is used again and again while keys used once stream past', () => {
    const m = new BoundedMap<string, string>(10);
    m.set('label', 'Certificate number');
    for (let i = 0; i < 1_000; i++) {
      m.set(`SSRN-${i}`, 'once');
      expect(m.get('label'), `after ${i} other keys`).toBe('Certificate number');
    }
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

  it('forgets a deleted key in either generation', () => {
    const m = new BoundedMap<string, number>(4);
    m.set('a', 1).set('b', 2).set('c', 3); // a and b older, c newer
    expect(m.delete('a')).toBe(true);
    expect(m.delete('c')).toBe(true);
    expect(m.delete('zz')).toBe(false);
    expect([...m.keys()]).toEqual(['b']);
  });
});
