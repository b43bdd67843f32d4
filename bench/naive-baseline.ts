import nodemailer from 'nodemailer';
import { loadCatalog } from '../src/catalog/catalog.ts';
import { renderCertificate } from '../src/certificate/render.ts';
import { loadConfig } from '../src/config.ts';
import { createEmailRenderer } from '../src/email/render.ts';
import { documentsFromEvent } from '../src/entitlement/documents.ts';
import { parseEvent } from '../src/event/schema.ts';
import { composeMessage, certificateFileName } from '../src/mail/compose.ts';
import { benchEvent } from './event-factory.ts';
import { firstResult, type Rendering } from './fixed-documents.ts';
import { round } from './stats.ts';

/**
 * What a first, naive implementation does per message: compile the MJML template, render the certificate, open a new
 * SMTP connection. Same documents, same sink; run beside the service to show what the design buys. `fixed` attaches
 * the first certificate it rendered to every message: the baseline as it would be if certificates cost nothing, the
 * fair counterpart of the service with fixed documents (it shares the renderer, so it gains from every speed-up too).
 */
export interface NaiveResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  messagesPerSecond: number;
  /** CPU time of this process (the baseline runs in it) per event over the measured events. */
  cpuMsPerEvent: number;
}

export async function runNaive(
  smtpPort: number,
  events: number,
  certificates: Rendering = 'rendered',
  concurrency = 4,
  warmup = 60,
): Promise<NaiveResult> {
  const config = loadConfig({ MAIL_FROM: 'Licensing <licensing@bench.example>' });
  const catalog = loadCatalog();
  const certificate = certificates === 'fixed' ? firstResult(renderCertificate) : renderCertificate;
  const one = async (i: number) => {
    const event = parseEvent(benchEvent('NAIVE', i));
    for (const doc of documentsFromEvent(event, catalog, config.brand)) {
      for (const contact of doc.order.contacts) {
        const emails = await createEmailRenderer();
        const rendered = emails.render(doc, contact);
        const pdf = await certificate(doc);
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: smtpPort,
          secure: false,
          ignoreTLS: true,
        });
        await transport.sendMail(
          composeMessage({
            from: config.MAIL_FROM,
            to: contact,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            messageId: `<naive-${i}-${contact.email}>`,
            attachments: [
              {
                filename: certificateFileName(doc.fulfillment.certificateNumber),
                content: pdf,
                contentType: 'application/pdf',
              },
            ],
          }),
        );
        transport.close();
      }
    }
  };
  // Warmed up like the service (bench/e2e.bench.ts), in the same way it is then measured: its first 40 events ran
  // a sixth slower than the next hundreds.
  const runAll = async (count: number, from: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await one(from + next++);
      }),
    );
  };
  await runAll(warmup, 1_000_000);
  const start = performance.now();
  const cpu = process.cpuUsage();
  await runAll(events, 0);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    events,
    seconds: round(seconds, 1),
    eventsPerSecond: round(events / seconds, 2),
    messagesPerSecond: round((events * 3) / seconds, 2),
    cpuMsPerEvent: round((used.user + used.system) / 1000 / events, 1),
  };
}
