import type { CertificateRecord, CertifiedLine } from '../verification/view.ts';
import type { Queryable } from './db.ts';

interface LineRow {
  certificate_number: string;
  ship_date: string;
  sku: string;
  license_name: string;
  quantity: number;
  license_type: 'subscription' | 'perpetual';
  term_months: number | null;
  start_date: string;
  end_date: string | null;
  ssrn: string;
}

/** What the verification page reads: an issued certificate (one whose PDF was made) and its lines, by number. */
export class VerificationStore {
  constructor(private readonly db: Queryable) {}

  async certificate(certificateNumber: string): Promise<CertificateRecord | undefined> {
    const rows = await this.db.query<LineRow>(
      `SELECT f.certificate_number, f.ship_date, e.sku, e.license_name, e.quantity, e.license_type, e.term_months,
              e.start_date, e.end_date, e.ssrn
         FROM fulfillments f
         JOIN certificates c ON c.fulfillment_id = f.id
         JOIN entitlements e ON e.fulfillment_id = f.id
        WHERE f.certificate_number = $1
        ORDER BY e.position`,
      [certificateNumber],
    );
    const first = rows[0];
    if (!first) return undefined;
    return {
      certificateNumber: first.certificate_number,
      issueDate: first.ship_date,
      lines: rows.map((r): CertifiedLine => ({
        sku: r.sku,
        licenseName: r.license_name,
        quantity: r.quantity,
        licenseType: r.license_type,
        ...(r.term_months !== null && { termMonths: r.term_months }),
        startDate: r.start_date,
        ...(r.end_date && { endDate: r.end_date }),
        ssrn: r.ssrn,
      })),
    };
  }
}
