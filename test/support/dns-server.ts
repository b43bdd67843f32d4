import { createSocket, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import type { Resolve } from '../../src/webhook-rules/url-safety.ts';

/**
 * A DNS server for tests: answers A queries from a table the test changes at will (a name that resolves to a private
 * address, or rebinds from one address to another), everything else with no answer.
 */
export class TestDnsServer {
  readonly records = new Map<string, string>();
  queries = 0;
  private socket: Socket | undefined;

  async start(): Promise<this> {
    this.socket = createSocket('udp4');
    this.socket.on('message', (query, peer) => this.socket!.send(this.answer(query), peer.port, peer.address));
    await new Promise<void>((resolve) => this.socket!.bind(0, '127.0.0.1', resolve));
    return this;
  }

  /** A resolver that asks only this server, as the service's `resolve` port. */
  resolver(): Resolve {
    const resolver = new Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${(this.socket!.address() as AddressInfo).port}`]);
    return (hostname) => resolver.resolve4(hostname);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket?.close(() => resolve()) ?? resolve());
  }

  private answer(query: Buffer): Buffer {
    this.queries++;
    let at = 12;
    const labels: string[] = [];
    while (query[at]! > 0) {
      labels.push(query.subarray(at + 1, at + 1 + query[at]!).toString('ascii'));
      at += query[at]! + 1;
    }
    const questionEnd = at + 5;
    const type = query.readUInt16BE(at + 1);
    const address = type === 1 ? this.records.get(labels.join('.').toLowerCase()) : undefined;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(address || type !== 1 ? 0x8180 : 0x8183, 2); // NXDOMAIN for an A query about an unknown name
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(address ? 1 : 0, 6);
    const parts = [header, query.subarray(12, questionEnd)];
    if (address) {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0);
      record.writeUInt16BE(1, 2);
      record.writeUInt16BE(1, 4);
      record.writeUInt32BE(0, 6);
      record.writeUInt16BE(4, 10);
      address.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
      parts.push(record);
    }
    return Buffer.concat(parts);
  }
}
