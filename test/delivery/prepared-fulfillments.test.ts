import { describe, expect, it } from 'vitest';
import { preparedFulfillments, type PrepareDeps } from '../../src/delivery/prepared-fulfillments.ts';
import { exampleDocuments } from '../support/documents.ts';

/** Deps whose every use throws: what is served without reading records or rendering. */
const untouched = new Proxy(
  {},
  {
    get: (_, name) => {
      throw new Error(`read ${String(name)}`);
    },
  },
) as PrepareDeps;

/**
 * Deps whose store answers `fulfillments.shipment(id)` with `answer` (a value, or an Error to throw), counting the
 * reads.
 */
function records(answer: () => undefined | Error) {
  const reads: string[] = [];
  const shipment = async (id: string) => {
    reads.push(id);
    const a = answer();
    if (a instanceof Error) throw a;
    return a;
  };
  return { reads, deps: { fulfillments: { shipment } } as unknown as PrepareDeps };
}

describe('prepared fulfillments', () => {
  it('takes a primed fulfillment as it was handed over, without reading records or rendering', async () => {
    const doc = exampleDocuments('order-ex-srx')[0]!;
    const prepared = preparedFulfillments(untouched);
    const pdf = Buffer.from('%PDF-1.7 primed');
    prepared.prime(doc, pdf);
    const got = await prepared.get(doc.fulfillment.id);
    expect(got?.doc).toBe(doc);
    expect(got?.parts[0]!.toString()).toContain(pdf.toString('base64'));
    // Chosen lines (a resend) are another entry: loaded, not taken from the primed whole.
    await expect(prepared.get(doc.fulfillment.id, [doc.lines[0]!.entitlement.ssrn])).rejects.toThrow(/^read /);
  });

  it('shares one load between callers asking at once, and keeps neither a failed load nor a missing fulfillment', async () => {
    let fail = true;
    const { reads, deps } = records(() => (fail ? new Error('store down') : undefined));
    const prepared = preparedFulfillments(deps);
    const both = await Promise.allSettled([prepared.get('F1'), prepared.get('F1')]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(reads).toEqual(['F1']);
    fail = false;
    expect(await prepared.get('F1')).toBeUndefined();
    expect(await prepared.get('F1')).toBeUndefined();
    expect(reads).toEqual(['F1', 'F1', 'F1']);
  });

  it('holds at most maxBytes of encoded parts, letting the least recently used fulfillment go', async () => {
    const [doc] = exampleDocuments('order-ex-srx');
    const prepared = preparedFulfillments(untouched, { maxBytes: 5 * 1048576, ttlMs: 60_000 });
    // A 1 MB certificate is 1.4 MB as base64 lines: three fit, a fourth pushes the first out.
    const ids = ['F1', 'F2', 'F3', 'F4'];
    for (const id of ids)
      prepared.prime({ ...doc!, fulfillment: { ...doc!.fulfillment, id } }, Buffer.alloc(1048576, 1));
    await expect(prepared.get('F1')).rejects.toThrow(/^read /);
    for (const id of ids.slice(1)) expect((await prepared.get(id))?.doc.fulfillment.id).toBe(id);
  });
});
