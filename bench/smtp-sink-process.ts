// An SMTP sink in its own process, reporting each accepted message's Message-ID and acceptance time to the parent
// over IPC, in batches. It shares the benchmark machine's two cores with the service, so it is as lean as an MTA in C
// would be: it finds the end of DATA with Buffer.indexOf instead of parsing the message (smtp-server un-stuffs every
// byte in JavaScript and used a fifth of the machine at 300 messages/s), and answers every command at once.
// The service under test still speaks full SMTP through nodemailer; the tests use smtp-server and parse every message.
import { createServer, type Socket } from 'node:net';

const port = Number(process.argv[2] ?? 0);
const END_OF_DATA = Buffer.from('\r\n.\r\n');
let batch: Array<[string, number]> = [];

function session(socket: Socket): void {
  let pending: Buffer = Buffer.alloc(0);
  let inData = false;
  socket.write('220 bench-sink ESMTP\r\n');
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (inData) {
        const end = pending.indexOf(END_OF_DATA);
        if (end < 0) return;
        const head = pending.subarray(0, Math.min(end, 8192)).toString('latin1');
        batch.push([/^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '', Date.now()]);
        pending = pending.subarray(end + END_OF_DATA.length);
        inData = false;
        socket.write('250 2.0.0 queued\r\n');
        continue;
      }
      const eol = pending.indexOf('\r\n');
      if (eol < 0) return;
      const verb = pending.subarray(0, Math.min(eol, 4)).toString('latin1').toUpperCase();
      pending = pending.subarray(eol + 2);
      if (verb === 'DATA') {
        // The end marker is CRLF.CRLF; a message of no lines ends with a bare ".", so start as if after a CRLF.
        pending = Buffer.concat([Buffer.from('\r\n'), pending]);
        inData = true;
        socket.write('354 end with <CR><LF>.<CR><LF>\r\n');
      } else if (verb === 'QUIT') {
        socket.end('221 2.0.0 bye\r\n');
        return;
      } else {
        socket.write(verb === 'EHLO' || verb === 'HELO' ? '250 bench-sink\r\n' : '250 2.0.0 ok\r\n');
      }
    }
  });
  socket.on('error', () => socket.destroy());
}

const server = createServer(session);
server.listen(port, '127.0.0.1', () => process.send!({ ready: (server.address() as { port: number }).port }));
setInterval(() => {
  if (batch.length) {
    process.send!({ accepted: batch });
    batch = [];
  }
}, 50);
process.on('disconnect', () => process.exit(0));
