import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  webhookId: string;
  type: string;
  data: Record<string, unknown>;
  timestamp: string;
  headers: IncomingMessage['headers'];
  /** When it arrived (ms since epoch). */
  receivedAt: number;
}

/** What the receiver answers to one request: a status, after an optional delay, with an optional body or redirect. */
export interface Answer {
  status: number;
  delayMs?: number;
  body?: string;
  location?: string;
}

/**
 * A business system's webhook endpoint, as a vendor would write one: it verifies every request with the
 * standardwebhooks package and de-duplicates by webhook-id. `answer` decides the reply per request (default 204).
 */
export class WebhookReceiver {
  secret = '';
  /** Every request that verified, in arrival order, repeats included. */
  readonly requests: ReceivedWebhook[] = [];
  /** Requests whose signature did not verify. */
  readonly rejected: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  answer: (request: ReceivedWebhook, seen: number) => Answer = () => ({ status: 204 });
  private server: Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/license-courier`;
  }

  /** Distinct webhook-ids received: what the receiver keeps after de-duplication. */
  unique(): Map<string, ReceivedWebhook> {
    return new Map(this.requests.map((r) => [r.webhookId, r]));
  }

  seen(webhookId: string): number {
    return this.requests.filter((r) => r.webhookId === webhookId).length;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops answering: the port refuses connections until `start(port)` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  async waitFor(predicate: () => boolean, timeoutMs = 30_000, what = 'webhooks'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}: ${this.unique().size} distinct, ${this.requests.length} requests, ${this.rejected.length} rejected`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      let payload: { type: string; timestamp: string; data: Record<string, unknown> };
      try {
        payload = new Webhook(this.secret).verify(body, req.headers as Record<string, string>) as typeof payload;
      } catch (error) {
        this.rejected.push(`${req.headers['webhook-id']}: ${(error as Error).message}`);
        res.writeHead(400).end('bad signature');
        return;
      }
      const received = {
        webhookId: String(req.headers['webhook-id']),
        type: payload.type,
        data: payload.data,
        timestamp: payload.timestamp,
        headers: req.headers,
        receivedAt: Date.now(),
      };
      const answer = this.answer(received, this.seen(received.webhookId) + 1);
      this.requests.push(received);
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      res.writeHead(answer.status, answer.location ? { location: answer.location } : {}).end(answer.body ?? '');
    } finally {
      this.inFlight--;
    }
  }
}
