/** Company names for BENCH_SCRIPTS (bench/e2e.bench.ts): Japanese only, or one in each script the certificate draws. */
export const SCRIPT_NAMES = {
  // Noto Sans and Noto Sans JP, the fonts every worker had before the other scripts came.
  ja: ['株式会社さくらネットワーク'],
  // As test/certificate/scripts.test.ts, and Japanese: every font in use.
  all: [
    '株式会社さくらネットワーク',
    'شركة النور للتجارة',
    'חברת אור בע״מ',
    'บริษัท แสงทอง จำกัด',
    'भारत सॉफ़्टवेयर लिमिटेड',
    '주식회사 한빛소프트',
    '北京软件有限公司',
    '臺灣軟體股份有限公司',
    'Happy Cats 😺🚀 GmbH',
  ],
} as const;

/**
 * A realistic event: `lines` lines and `recipients` contacts, ids unique per (run, index). With `names`, the end
 * customer and the first account are named from that list in turn, each name with the event's number.
 */
export function benchEvent(run: string, index: number, lines = 3, recipients = 3, names?: readonly string[]) {
  const order = String(20_000_000 + index);
  const tag = `${run}${index.toString(36).toUpperCase().padStart(5, '0')}`;
  const company = names ? `${names[index % names.length]} ${index}` : 'Acme Networks Ltd';
  return {
    eventId: `bench-${run}-${index}`,
    salesOrder: {
      number: order,
      poNumber: `PO-${index}`,
      accounts: [
        { id: '0100012345', role: 'customer', name: company },
        { id: '0100067890', role: 'partner', name: 'Northwind Reseller' },
      ],
      endCustomer: { name: company, country: 'GB' },
      contacts: Array.from({ length: recipients }, (_, r) => ({
        email: `user${r}.${index}@bench.example`,
        name: `User ${r}`,
      })),
      locale: 'en',
    },
    lines: Array.from({ length: lines }, (_, l) => ({
      lineNumber: `${l + 1}`,
      sku: 'S-EX-A-C1-3',
      product: 'ex',
      licenseName: 'EX Series Advanced, Class 1, 3 years',
      description: 'Advanced feature license for one EX Series switch',
      quantity: 2,
      licenseType: 'subscription',
      termMonths: 36,
      purchase: 'initial',
      activationCode: `Bx${tag}-Lx${l}ab-Cd3EfG`,
      ssrn: `SSRN${tag}L${l}`,
      shipDate: '2026-11-28',
    })),
  };
}
