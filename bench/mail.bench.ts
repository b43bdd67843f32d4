import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { renderCertificate } from '../src/certificate/render.ts';
import { createEmailRenderer } from '../src/email/render.ts';
import { attachmentPart } from '../src/mail/attachment-part.ts';
import { certificateFileName, composeMessage } from '../src/mail/compose.ts';
import { smtpTransport } from '../src/mail/transport.ts';
import { parseEvent } from '../src/event/schema.ts';
import { documentsFor } from '../test/support/documents.ts';
import { benchEvent } from './event-factory.ts';
import { round } from './stats.ts';

// `npx tsx bench/mail.bench.ts`: CPU per message of composing and sending one Fulfillment Email (HTML, text, the
// certificate of the end-to-end benchmark's 3-line order as a prepared part) through the SMTP transport to the
// benchmark's sink process, as a worker does after rendering; BENCH_MESSAGES (4,000) after 1,000 of warm-up, 50 in
// flight. Prints JSON (`COMPARE=mail bash bench/compare.sh` reads it). The sink's CPU is not counted.
const messages = Number(process.env.BENCH_MESSAGES ?? 4000);
const sink = fork(fileURLToPath(new URL('./smtp-sink-process.ts', import.meta.url)), ['0'], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await new Promise<number>((resolve) =>
  sink.on('message', (m: { ready?: number }) => m.ready && resolve(m.ready)),
);
const doc = documentsFor(parseEvent(benchEvent('MAIL', 1)))[0]!;
const contact = doc.order.contacts[0]!;
const email = await (await createEmailRenderer()).render(doc, contact);
const certificate = attachmentPart({
  filename: certificateFileName(doc.fulfillment.certificateNumber),
  content: await renderCertificate(doc),
  contentType: 'application/pdf',
});
const transport = smtpTransport(`smtp://127.0.0.1:${port}`, { poolSize: 10, timeoutMs: 30_000 });
let sent = 0;
const sendAll = async (count: number) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < count) {
        next++;
        const message = composeMessage({
          from: 'Licensing <licensing@bench.example>',
          to: { email: contact.email, name: contact.name },
          subject: email.subject,
          html: email.html,
          text: email.text,
          messageId: `<b-${sent++}@bench.example>`,
          attachments: [{ raw: certificate }],
        });
        await transport.send(message);
      }
    }),
  );
};
await sendAll(1000);
const before = process.cpuUsage();
const start = performance.now();
await sendAll(messages);
const cpu = process.cpuUsage(before);
console.log(
  JSON.stringify({
    messages,
    cpu: round((cpu.user + cpu.system) / 1000 / messages, 3),
    messagesPerSecond: round(messages / ((performance.now() - start) / 1000), 0),
  }),
);
transport.close();
sink.disconnect();
