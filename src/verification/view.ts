// What the verification page (GET /verify/{certificateNumber}) says about a certificate: whether this service issued
// it and what it certifies. Products, quantities, dates and SSRNs only: no names, addresses or order details, since
// anyone holding the printed number may ask. A number this service never issued gets an answer of the same shape.

/** One certified line as the store gives it. */
export interface CertifiedLine {
  sku: string;
  licenseName: string;
  quantity: number;
  licenseType: 'subscription' | 'perpetual';
  termMonths?: number;
  startDate: string;
  endDate?: string;
  ssrn: string;
}

export interface CertificateRecord {
  certificateNumber: string;
  issueDate: string;
  lines: CertifiedLine[];
}

export interface Verification {
  certificateNumber: string;
  genuine: boolean;
  issueDate: string | null;
  lines: Array<{
    sku: string;
    product: string;
    quantity: number;
    licenseType: 'subscription' | 'perpetual';
    termMonths: number | null;
    startDate: string;
    endDate: string | null;
    ssrn: string;
  }>;
}

/** The answer for a number: the record's lines when there is one, else "not genuine" with nothing else. */
export function verificationOf(certificateNumber: string, record: CertificateRecord | undefined): Verification {
  if (!record) return { certificateNumber, genuine: false, issueDate: null, lines: [] };
  return {
    certificateNumber: record.certificateNumber,
    genuine: true,
    issueDate: record.issueDate,
    lines: record.lines.map((l) => ({
      sku: l.sku,
      product: l.licenseName,
      quantity: l.quantity,
      licenseType: l.licenseType,
      termMonths: l.termMonths ?? null,
      startDate: l.startDate,
      endDate: l.endDate ?? null,
      ssrn: l.ssrn,
    })),
  };
}
