/** A realistic event: `lines` lines and `recipients` contacts, ids unique per (run, index). */
export function benchEvent(run: string, index: number, lines = 3, recipients = 3) {
  const order = String(20_000_000 + index);
  const tag = `${run}${index.toString(36).toUpperCase().padStart(5, '0')}`;
  return {
    eventId: `bench-${run}-${index}`,
    salesOrder: {
      number: order,
      poNumber: `PO-${index}`,
      accounts: [
        { id: '0100012345', role: 'customer', name: 'Acme Networks Ltd' },
        { id: '0100067890', role: 'partner', name: 'Northwind Reseller' },
      ],
      endCustomer: { name: 'Acme Networks Ltd', country: 'GB' },
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
