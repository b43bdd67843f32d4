import { readFileSync } from 'node:fs';

export const SAMPLE_RECIPIENT = 'juergen.weiss@mueller-netz.example';
export const SAMPLE_MESSAGE_ID = '<4500012345-1.3f9a0c2b7d1e@courier.example>';

/** A stored bounce (or non-bounce) message, about the given recipient and Message-ID. */
export function sample(name: string, about: { recipient?: string; messageId?: string } = {}): Buffer {
  const text = readFileSync(new URL(`./samples/${name}.eml`, import.meta.url), 'latin1');
  return Buffer.from(
    text
      .replaceAll('{{RECIPIENT}}', about.recipient ?? SAMPLE_RECIPIENT)
      .replaceAll('{{MESSAGE_ID}}', about.messageId ?? SAMPLE_MESSAGE_ID),
    'latin1',
  );
}
