import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Entitlement, IssuedKey } from '../model.ts';
import { base32Encode } from './base32.ts';
import { normalizeDevice } from './device.ts';
import { KeyDeviceMismatchError, KeyFormatError, KeySignatureError } from './errors.ts';
import { formatKeyText, ID_LENGTH, ID_PREFIX, parseKeyText } from './key-text.ts';

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

// Version 1 payload: a JSON array in this fixed order.
const PAYLOAD_V1 = z.tuple([
  z.literal(VERSION),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.array(z.string()),
  z.string(),
  z.string().nullable(),
  z.string(),
]);

/** Deterministic (hash of SSRN and device), so the ID can be quoted to support and re-derived from a key's content. */
function licenseIdFor(ssrn: string, device: string): string {
  const digest = createHash('sha256').update(`${ssrn}\u0000${device}`).digest();
  return ID_PREFIX + base32Encode(digest).slice(0, ID_LENGTH - ID_PREFIX.length);
}

// A fixed-order JSON array: the same fields always give the same bytes, so the same entitlement, device and issue date
// always give the same key (Ed25519 signatures are deterministic).
function encodeFields(f: KeyFields): Buffer {
  return Buffer.from(
    JSON.stringify([
      VERSION,
      f.licenseId,
      f.ssrn,
      f.sku,
      f.product,
      f.device,
      f.features,
      f.startDate,
      f.endDate ?? null,
      f.issuedOn,
    ]),
    'utf8',
  );
}

function decodeFields(bytes: Buffer): KeyFields {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new KeyFormatError('the key is damaged: its content cannot be read');
  }
  const parsed = PAYLOAD_V1.safeParse(json);
  if (!parsed.success) throw new KeyFormatError('the key is damaged, or of a version this tool does not know');
  const [, licenseId, ssrn, sku, product, device, features, startDate, endDate, issuedOn] = parsed.data;
  return { licenseId, ssrn, sku, product, device, features, startDate, ...(endDate !== null && { endDate }), issuedOn };
}

export function issueKey(
  e: Entitlement,
  device: string,
  features: string[],
  issuedOn: string,
  signingKey: KeyObject,
): IssuedKey {
  const dev = normalizeDevice(device);
  const fields: KeyFields = {
    licenseId: licenseIdFor(e.ssrn, dev),
    ssrn: e.ssrn,
    sku: e.sku,
    product: e.product,
    device: dev,
    features,
    startDate: e.startDate,
    ...(e.endDate && { endDate: e.endDate }),
    issuedOn,
  };
  const message = encodeFields(fields);
  const signature = sign(null, message, signingKey);
  return {
    device: dev,
    key: formatKeyText(fields.licenseId, Buffer.concat([message, signature])),
    licenseId: fields.licenseId,
    issuedOn,
  };
}

/**
 * Reads a key as pasted from an email (see parseKeyText). Checks nothing cryptographic (see verifyKey), but a license
 * ID line that does not belong to the content is an alteration: KeySignatureError.
 */
export function decodeKey(text: string): { fields: KeyFields; signature: Buffer; signed: Buffer } {
  const { licenseId, payload } = parseKeyText(text);
  if (payload.length <= SIGNATURE_BYTES) throw new KeyFormatError('the key is damaged: it is too short');
  const signed = payload.subarray(0, payload.length - SIGNATURE_BYTES);
  const signature = payload.subarray(payload.length - SIGNATURE_BYTES);
  const fields = decodeFields(signed);
  if (fields.licenseId !== licenseId)
    throw new KeySignatureError("the license ID line does not match the key's content: the key was altered");
  return { fields, signature, signed };
}

/**
 * Verifies signature and, when given, the device binding. Throws KeyFormatError, KeySignatureError or
 * KeyDeviceMismatchError.
 */
export function verifyKey(text: string, publicKey: KeyObject, device?: string): KeyFields {
  const { fields, signature, signed } = decodeKey(text);
  if (!verify(null, signed, publicKey, signature)) throw new KeySignatureError();
  if (device !== undefined && normalizeDevice(device) !== fields.device)
    throw new KeyDeviceMismatchError(fields.device, normalizeDevice(device));
  return fields;
}
