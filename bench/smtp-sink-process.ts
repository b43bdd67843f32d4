// An SMTP sink in its own process, so the benchmark's mail server does not share a CPU budget with the driver.
// Reports each accepted message's Message-ID and acceptance time to the parent over IPC, in batches.
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2] ?? 0);
let batch: Array<[string, number]> = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (c: Buffer) => { if (head.length < 8192) head += c.toString('latin1'); });
    stream.on('end', () => {
      const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '';
      batch.push([id, Date.now()]);
      callback();
    });
  },
});
server.listen(port, '127.0.0.1', () => {
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  process.send!({ ready: address.port });
});
setInterval(() => {
  if (batch.length) {
    process.send!({ accepted: batch });
    batch = [];
  }
}, 50);
process.on('disconnect', () => process.exit(0));
