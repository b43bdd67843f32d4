import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../../src/cache/memo.ts';

function counted(result: (key: string) => string | undefined | Error = (k) => `v:${k}`) {
  const calls: string[] = [];
  const load = async (key: string) => {
    calls.push(key);
    const r = result(key);
    if (r instanceof Error) throw r;
    return r;
  };
  return { calls, load };
}

describe('boundedMemo', () => {
  it('loads a key once for callers that ask at the same time and later', async () => {
    const { calls, load } = counted();
    const { get } = boundedMemo(load, { capacity: 10, ttlMs: 1000 });
    expect(await Promise.all([get('a'), get('a'), get('a')])).toEqual(['v:a', 'v:a', 'v:a']);
    expect(await get('a')).toBe('v:a');
    expect(calls).toEqual(['a']);
  });

  it('loads again once the time limit has passed', async () => {
    let now = 0;
    const { calls, load } = counted();
    const { get } = boundedMemo(load, { capacity: 10, ttlMs: 1000, now: () => now });
    await get('a');
    now = 999;
    await get('a');
    now = 1000;
    await get('a');
    expect(calls).toEqual(['a', 'a']);
  });

  it('keeps at most `capacity` keys, dropping the oldest', async () => {
    const { calls, load } = counted();
    const { get } = boundedMemo(load, { capacity: 2, ttlMs: 1000 });
    for (const k of ['a', 'b', 'c', 'b', 'a']) await get(k);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('does not remember a failed load or a missing value', async () => {
    let fail = true;
    const { calls, load } = counted((k) => (k === 'gone' ? undefined : fail ? new Error('redis down') : `v:${k}`));
    const { get } = boundedMemo(load, { capacity: 10, ttlMs: 1000 });
    await expect(get('a')).rejects.toThrow('redis down');
    fail = false;
    expect(await get('a')).toBe('v:a');
    expect(await get('gone')).toBeUndefined();
    expect(await get('gone')).toBeUndefined();
    expect(calls).toEqual(['a', 'a', 'gone', 'gone']);
  });

  it('remembers a value put in, and takes the next load for that key from it', async () => {
    const { calls, load } = counted();
    const memo = boundedMemo(load, { capacity: 10, ttlMs: 1000 });
    memo.put('a', Promise.resolve('given'));
    expect(await memo.get('a')).toBe('given');
    memo.put('b', Promise.resolve(undefined));
    await Promise.resolve();
    expect(await memo.get('b')).toBe('v:b');
    expect(calls).toEqual(['b']);
  });
});
