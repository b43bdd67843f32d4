// One spelling per device, so a key, a request and a stored claim all name it the same way:
// UUIDs are case-insensitive (lowercase here), serial numbers are printed in uppercase.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(device: string): boolean {
  return UUID.test(device);
}

export function normalizeDevice(device: string): string {
  const d = device.trim();
  return isUuid(d) ? d.toLowerCase() : d.toUpperCase();
}
