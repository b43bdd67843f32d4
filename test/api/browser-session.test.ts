import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/api/browser-session.ts';

describe('safeNext', () => {
  it.each([
    ['/console/', '/console/'],
    ['/console/orders/123', '/console/orders/123'],
    ['/admin/queues', '/admin/queues'],
    ['/admin/queues/api/queues', '/admin/queues/api/queues'],
    ['/console', '/console'],
    ['https://evil.example/console/', undefined],
    ['//evil.example/console/', undefined],
    ['/console//evil.example', undefined],
    ['/console/../v1/audit', undefined],
    ['/v1/audit', undefined],
    ['/consolex', undefined],
    ['/console/\\evil', undefined],
    [['/console/'], undefined],
    [undefined, undefined],
  ])('%o → %o', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
