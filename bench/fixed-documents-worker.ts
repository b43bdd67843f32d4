import { createContext } from '../src/app/context.ts';
import { startService, stopOnSignals } from '../src/app/service.ts';
import { documentRenderers } from '../src/app/workers.ts';
import { loadConfig } from '../src/config.ts';
import { firstResult } from './fixed-documents.ts';

/**
 * `license-courier worker` with documents that cost nothing: the first certificate and the first email this process
 * renders are attached and sent again for every later message. Everything else runs as in the service: intake,
 * Redis, BullMQ, the fan-out, loading and preparing fulfillments, composing and SMTP. The benchmark runs it to
 * measure the pipeline alone, the ceiling that no renderer, however fast, can lift the service above. Not a mode of
 * the service: it lives here so no setting can turn it on in production.
 */
const ctx = await createContext(loadConfig());
const { emails, renderCertificate } = await documentRenderers();
const renderers = {
  emails: { render: firstResult(emails.render.bind(emails)) },
  renderCertificate: firstResult(renderCertificate),
};
stopOnSignals(await startService(ctx, { api: false, workers: true, renderers }), ctx.logger);
