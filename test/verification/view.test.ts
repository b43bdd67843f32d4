import { describe, expect, it } from 'vitest';
import { verificationPage } from '../../src/verification/page.ts';
import { verificationOf, type CertificateRecord } from '../../src/verification/view.ts';

const RECORD: CertificateRecord = {
  certificateNumber: 'SEC-15563238-20261128-2053E6',
  issueDate: '2026-11-28',
  lines: [
    {
      sku: 'S-EX-A-C1-3',
      licenseName: 'EX Series <Advanced>',
      quantity: 4,
      licenseType: 'subscription',
      termMonths: 36,
      startDate: '2026-11-28',
      endDate: '2029-12-28',
      ssrn: 'SSRN4K7Q2M9X1A',
    },
    {
      sku: 'S-SRX-P-C2-P',
      licenseName: 'SRX Premium',
      quantity: 1,
      licenseType: 'perpetual',
      startDate: '2026-11-28',
      ssrn: 'SSRN8B3N5V2C7D',
    },
  ],
};

describe('the verification answer', () => {
  it('for a genuine certificate lists products, quantities, dates and SSRNs, and nothing else', () => {
    const v = verificationOf(RECORD.certificateNumber, RECORD);
    expect(v).toEqual({
      certificateNumber: RECORD.certificateNumber,
      genuine: true,
      issueDate: '2026-11-28',
      lines: [
        {
          sku: 'S-EX-A-C1-3',
          product: 'EX Series <Advanced>',
          quantity: 4,
          licenseType: 'subscription',
          termMonths: 36,
          startDate: '2026-11-28',
          endDate: '2029-12-28',
          ssrn: 'SSRN4K7Q2M9X1A',
        },
        {
          sku: 'S-SRX-P-C2-P',
          product: 'SRX Premium',
          quantity: 1,
          licenseType: 'perpetual',
          termMonths: null,
          startDate: '2026-11-28',
          endDate: null,
          ssrn: 'SSRN8B3N5V2C7D',
        },
      ],
    });
    const html = verificationPage(v, 'Acme Licensing');
    expect(html).toContain('Genuine');
    expect(html).toContain('SSRN8B3N5V2C7D');
    expect(html).toContain('EX Series &lt;Advanced&gt;');
    expect(html).not.toContain('<Advanced>');
    expect(html).not.toMatch(/<style|class=/);
  });

  it('for an unknown number gives an answer of the same shape that says so', () => {
    const v = verificationOf('SEC-0-<script>', undefined);
    expect(Object.keys(v)).toEqual(Object.keys(verificationOf(RECORD.certificateNumber, RECORD)));
    expect(v).toEqual({ certificateNumber: 'SEC-0-<script>', genuine: false, issueDate: null, lines: [] });
    const html = verificationPage(v, 'Acme Licensing');
    expect(html).toContain('Not genuine');
    expect(html).toContain('SEC-0-&lt;script&gt;');
  });
});
