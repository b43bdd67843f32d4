import { describe, expect, it } from 'vitest';
import { preparedFulfillments, type PrepareDeps } from '../../src/delivery/prepared-fulfillments.ts';
import { exampleDocuments } from '../support/documents.ts';

describe('prepared fulfillments', () => {
  it('takes a primed fulfillment as it was handed over, without reading records or rendering', async () => {
    const doc = exampleDocuments('order-ex-srx')[0]!;
    const untouched = new Proxy({}, { get: (_, name) => { throw new Error(`read ${String(name)}`); } });
    const prepared = preparedFulfillments(untouched as PrepareDeps);
    const pdf = Buffer.from('%PDF-1.7 primed');
    prepared.prime(doc, pdf);
    const got = await prepared.get(doc.fulfillment.id);
    expect(got?.doc).toBe(doc);
    expect(got?.parts[0]!.toString()).toContain(pdf.toString('base64'));
    // Chosen lines (a resend) are another entry: loaded, not taken from the primed whole.
    await expect(prepared.get(doc.fulfillment.id, [doc.lines[0]!.entitlement.ssrn])).rejects.toThrow(/^read /);
  });
});
