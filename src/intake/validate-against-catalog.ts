import type { Catalog } from '../catalog/catalog.ts';
import type { FulfillmentEvent } from '../event/schema.ts';
import { InvalidInputError, type FieldIssue } from '../errors.ts';

/** Checks that need the catalog: known products, and devices for lines whose keys are issued at fulfillment. */
export function validateAgainstCatalog(event: FulfillmentEvent, catalog: Catalog): void {
  const issues: FieldIssue[] = [];
  event.lines.forEach((line, i) => {
    const product = catalog.get(line.product);
    if (!product) {
      issues.push({ path: `lines[${i}].product`, message: `"${line.product}" is not in the product catalog` });
      return;
    }
    if (product.mode !== 'key-in-email') return;
    const devices = line.devices ?? [];
    if (devices.length === 0) {
      issues.push({
        path: `lines[${i}].devices`,
        message: 'is required for key-in-email products: keys are issued per device at fulfillment',
      });
    } else if (devices.length > line.quantity) {
      issues.push({
        path: `lines[${i}].devices`,
        message: `lists ${devices.length} devices but the quantity is ${line.quantity}`,
      });
    }
  });
  if (issues.length) throw new InvalidInputError('invalid fulfillment event', issues);
}
