import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { Entitlement, IssuedKey } from '../model.ts';
import { base32Decode, base32Encode } from './base32.ts';
import { KeyDeviceMismatchError, KeyFormatError, KeySignatureError } from './errors.ts';

/** What a license key binds, signed as a whole. */
export interface KeyFields {
  licenseId: string;
  ssrn: string;
  sku: string;
  product: string;
  device: string;
  features: string[];
  startDate: string;
  endDate?: string;
  issuedOn: string;
}

const VERSION = 1;
const SIGNATURE_BYTES = 64;
const GROUP = 5;
const GROUPS_PER_LINE = 6;
const ID_PREFIX = 'LC';
const ID_LENGTH = 12;

/** UUIDs compare case-insensitively (lowercase); serial numbers are uppercase. */
export function normalizeDevice(device: string): string {
  const d = device.trim();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(d) ? d.toLowerCase() : d.toUpperCase();
}

function licenseIdFor(ssrn: string, device: string): string {
  const digest = createHash('sha256').update(`${ssrn}\u0000${device}`).digest();
  return ID_PREFIX + base32Encode(digest).slice(0, ID_LENGTH - ID_PREFIX.length);
}

// A fixed-order JSON array: the same fields always give the same bytes, so the same entitlement, device and issue date
// always give the same key (Ed25519 signatures are deterministic).
function encodeFields(f: KeyFields): Buffer {
  return Buffer.from(JSON.stringify([VERSION, f.licenseId, f.ssrn, f.sku, f.product, f.device, f.features, f.startDate, f.endDate ?? null, f.issuedOn]), 'utf8');
}

function decodeFields(bytes: Buffer): KeyFields {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new KeyFormatError('the key is damaged: its content cannot be read');
  }
  if (!Array.isArray(v) || v.length !== 10 || v[0] !== VERSION) throw new KeyFormatError('not a license key of a version this tool knows');
  const [, licenseId, ssrn, sku, product, device, features, startDate, endDate, issuedOn] = v as [number, string, string, string, string, string, string[], string, string | null, string];
  return { licenseId, ssrn, sku, product, device, features, startDate, ...(endDate !== null && { endDate }), issuedOn };
}

function format(licenseId: string, payload: Buffer): string {
  const groups = base32Encode(payload).match(new RegExp(`.{1,${GROUP}}`, 'g')) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += GROUPS_PER_LINE) lines.push(groups.slice(i, i + GROUPS_PER_LINE).join(' '));
  return [licenseId, ...lines].join('\n');
}

export function issueKey(e: Entitlement, device: string, features: string[], issuedOn: string, signingKey: KeyObject): IssuedKey {
  const dev = normalizeDevice(device);
  const fields: KeyFields = {
    licenseId: licenseIdFor(e.ssrn, dev), ssrn: e.ssrn, sku: e.sku, product: e.product, device: dev, features,
    startDate: e.startDate, ...(e.endDate && { endDate: e.endDate }), issuedOn,
  };
  const message = encodeFields(fields);
  const signature = sign(null, message, signingKey);
  return { device: dev, key: format(fields.licenseId, Buffer.concat([message, signature])), licenseId: fields.licenseId, issuedOn };
}

/**
 * Reads a key as pasted from an email: quote markers, line breaks, spaces, dashes and letter case do not matter.
 * Checks nothing cryptographic (see verifyKey).
 */
export function decodeKey(text: string): { fields: KeyFields; signature: Buffer; signed: Buffer } {
  const cleaned = text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*(>\s*)+/, ''))
    .filter((line) => !/^\s*-{3,}/.test(line))
    .join('')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  if (!cleaned.startsWith(ID_PREFIX) || cleaned.length < ID_LENGTH + 100) throw new KeyFormatError('this is not a license key: it must start with the license ID (LC…)');
  const licenseId = cleaned.slice(0, ID_LENGTH);
  const payload = base32Decode(cleaned.slice(ID_LENGTH));
  if (!payload || payload.length <= SIGNATURE_BYTES) throw new KeyFormatError('the key is damaged: it contains characters or a length a key cannot have');
  const signed = payload.subarray(0, payload.length - SIGNATURE_BYTES);
  const signature = payload.subarray(payload.length - SIGNATURE_BYTES);
  const fields = decodeFields(signed);
  if (fields.licenseId !== licenseId) throw new KeySignatureError('the license ID does not match the key\'s content');
  return { fields, signature, signed };
}

/** Verifies signature and, when given, the device binding. Throws KeyFormatError, KeySignatureError or KeyDeviceMismatchError. */
export function verifyKey(text: string, publicKey: KeyObject, device?: string): KeyFields {
  const { fields, signature, signed } = decodeKey(text);
  if (!verify(null, signed, publicKey, signature)) throw new KeySignatureError();
  if (device !== undefined && normalizeDevice(device) !== fields.device) throw new KeyDeviceMismatchError(fields.device, normalizeDevice(device));
  return fields;
}
