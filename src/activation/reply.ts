import { formatDate } from '../locale/format-date.ts';
import { loadLocaleStrings } from '../locale/strings.ts';
import type { Brand, IsoDate, IssuedKey } from '../model.ts';
import { projectFile } from '../project-files.ts';

/**
 * What the service answers to one activation request. Each kind says only what the reply carries: `keys` holds at
 * least one key (attached, a file per device); a request whose devices all found the quantity used up is
 * `quantity-used-up`, with nothing attached.
 */
export type ActivationAnswer =
  | { kind: 'keys'; keys: Array<{ key: IssuedKey; existing: boolean }>; refused: string[]; quantity: number }
  | { kind: 'quantity-used-up'; refused: string[]; quantity: number }
  | { kind: 'not-yet-shipped'; licenseName: string; shipDate: IsoDate }
  | { kind: 'unknown-or-not-allowed' }
  | { kind: 'no-code' }
  | { kind: 'no-device'; code: string }
  | { kind: 'several-codes' }
  | { kind: 'not-by-email'; licenseName: string; instructionsUrl: string };

/** Every answer but keys: what a request gets when nothing is issued. */
export type KeylessAnswer = Exclude<ActivationAnswer, { kind: 'keys' }>;

// Plain text: the strings go out unescaped, as they should in a text/plain reply.
const STRINGS = loadLocaleStrings(projectFile('templates/activation/'));

/** The reply's subject and text. Pure: the same answer in the same locale reads the same every time. */
export function activationReply(
  answer: ActivationAnswer,
  originalSubject: string,
  locale: string,
  brand: Brand,
): { subject: string; text: string } {
  const s = STRINGS.for(locale);
  const t = (key: string, data: object = {}) => s.text(key, data);
  let body: string;
  switch (answer.kind) {
    case 'keys':
      body = [
        t('issued'),
        ...answer.keys.map(
          ({ key, existing }) => `${t('device')}: ${key.device}${existing ? ` ${t('existing')}` : ''}\n\n${key.key}`,
        ),
        ...answer.refused.map((device) => t('quantityUsedUp', { device, quantity: answer.quantity })),
      ].join('\n\n');
      break;
    case 'quantity-used-up':
      body = answer.refused.map((device) => t('quantityUsedUp', { device, quantity: answer.quantity })).join('\n\n');
      break;
    case 'not-yet-shipped':
      body = t('notYetShipped', { licenseName: answer.licenseName, shipDate: formatDate(answer.shipDate, s.locale) });
      break;
    case 'unknown-or-not-allowed':
      body = t('unknownOrNotAllowed');
      break;
    case 'no-code':
      body = t('noCode');
      break;
    case 'no-device':
      body = t('noDevice', { code: answer.code });
      break;
    case 'several-codes':
      body = t('severalCodes');
      break;
    case 'not-by-email':
      body = t('notByEmail', answer);
      break;
  }
  const prefix = t('subjectPrefix');
  const subject = /^\s*(re|aw|sv|antw):/i.test(originalSubject)
    ? originalSubject.trim()
    : `${prefix} ${originalSubject.trim()}`.trim();
  return {
    subject: subject.slice(0, 250) || prefix,
    text: `${t('greeting')}\n\n${body}\n\n${t('closing', { brand: brand.name, supportEmail: brand.supportEmail })}\n`,
  };
}
