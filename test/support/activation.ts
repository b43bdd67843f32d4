import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { dkimSign, type DNSResolver } from 'mailauth';
import { handleActivationMessage, type ActivationDeps } from '../../src/activation/handle-request.ts';
import type { AppContext } from '../../src/app/context.ts';
import { verifySender } from '../../src/inbound/sender-auth.ts';
import type { FilingFolder } from '../../src/mailbox/file-messages.ts';
import { ActivationLimits, type ActivationLimitSettings } from '../../src/store/activation-limits.ts';
import { rawExample, type RawEvent } from './events.ts';

/** DNS for mailauth: the TXT records given, every other name does not exist. */
export function stubResolver(txt: Record<string, string>): DNSResolver {
  return async (name, rrtype) => {
    const value = rrtype === 'TXT' ? txt[name.toLowerCase()] : undefined;
    if (value === undefined) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return [[value]];
  };
}

/** A DKIM key of the test's own, with the TXT record that publishes it. */
export function dkimKey(domain: string, selector = 'test') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    record: { [`${selector}._domainkey.${domain}`]: `v=DKIM1; k=rsa; p=${p}` },
  };
}

export async function dkimSigned(raw: Buffer, key: ReturnType<typeof dkimKey>): Promise<Buffer> {
  const { signatures } = await dkimSign(raw, {
    signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey }],
  } as Parameters<typeof dkimSign>[1]);
  return Buffer.concat([Buffer.from(signatures), raw]);
}

/** The activation use case wired to a test context, with a stub DNS (nothing published unless given). */
export function activationDeps(
  ctx: AppContext,
  o: {
    limits?: Partial<ActivationLimitSettings>;
    dns?: Record<string, string>;
    requireDmarc?: boolean;
    signingKey?: KeyObject;
  } = {},
): ActivationDeps {
  const resolver = stubResolver(o.dns ?? {});
  return {
    entitlements: ctx.entitlements,
    orders: ctx.orders,
    activations: ctx.activations,
    catalog: ctx.catalog,
    brand: ctx.config.brand,
    clock: ctx.clock,
    timeZone: 'UTC',
    audit: ctx.audit,
    transport: ctx.transport,
    mailFrom: ctx.config.MAIL_FROM,
    mailFromAddress: ctx.config.mailFromAddress,
    ownAddresses: ['licensing@courier.example', 'activate@example.net'],
    signingKey: o.signingKey ?? generateKeyPairSync('ed25519').privateKey,
    limits: new ActivationLimits(ctx.redis, ctx.keys, {
      failuresPerSenderPerHour: 1000,
      answersPerContactPerHour: 1000,
      answersPerCodePerHour: 1000,
      ...o.limits,
    }),
    verifySender: (raw) => verifySender(raw, { resolver, mta: 'mx.courier.example' }),
    requireDmarc: o.requireDmarc ?? false,
  };
}

let nextUid = 1;
/** Stores a raw message as the mailbox watcher would and runs the activation job on it; returns the folder and uid. */
export async function handleRaw(
  deps: ActivationDeps,
  raw: Buffer,
  uidValidity = '1',
): Promise<{ folder: FilingFolder; uid: number }> {
  const uid = nextUid++;
  await deps.activations.receiveMessage(uidValidity, uid, raw, new Date());
  return { folder: await handleActivationMessage(deps, uidValidity, uid), uid };
}

/** The heritage order (an email-activation line) with its own number, code, SSRN and contact, in a locale. */
export function activationOrder(
  tag: string,
  o: { locale?: string; shipDate?: string; quantity?: number } = {},
): { event: RawEvent; code: string; contact: string } {
  const event = structuredClone(rawExample('order-heritage-de')) as RawEvent & {
    salesOrder: Record<string, unknown>;
    lines: Array<Record<string, unknown>>;
  };
  const id = tag
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 6)
    .padEnd(4, '0');
  const code = `Xq${id}-7HqRt-Bn4VxC`.slice(0, 40);
  const contact = `buyer.${id.toLowerCase()}@firma-${id.toLowerCase()}.example`;
  event.eventId = `act-${id}`;
  Object.assign(event.salesOrder, {
    number: `A${id}`,
    locale: o.locale ?? 'de',
    contacts: [{ email: contact, name: 'Buyer' }],
  });
  event.lines = [
    {
      ...event.lines[0]!,
      activationCode: code,
      ssrn: `SSRNT${id.toUpperCase()}`,
      quantity: o.quantity ?? 2,
      shipDate: o.shipDate ?? '2026-11-28',
    },
  ];
  return { event, code, contact };
}
