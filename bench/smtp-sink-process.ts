// An SMTP sink in its own process, reporting each accepted message's Message-ID and acceptance time to the parent
// over IPC, in batches. It shares the benchmark machine's two cores with the service, so it is as lean as an MTA in C
// would be: it finds the end of DATA with Buffer.indexOf instead of parsing the message (smtp-server un-stuffs every
// byte in JavaScript and used a fifth of the machine at 300 messages/s), and answers every command at once.
// The service under test still speaks full SMTP through nodemailer; the tests use smtp-server and parse every message.
import { createServer, type Socket } from 'node:net';

const port = Number(process.argv[2] ?? 0);
const END_OF_DATA = Buffer.from('\r\n.\r\n');
// PIPELINING (RFC 2920) as Postfix, Exim, Exchange and the big providers announce it, and smtp-server in the tests:
// nodemailer then sends MAIL, RCPT and DATA together. Commands are answered in order, one line at a time, either way.
// BENCH_SINK_PIPELINING=0 leaves it out, to measure what it saves.
const EHLO = process.env.BENCH_SINK_PIPELINING === '0' ? '250 bench-sink\r\n' : '250-bench-sink\r\n250 PIPELINING\r\n';
let batch: Array<[string, number]> = [];

function session(socket: Socket): void {
  let pending: Buffer = Buffer.alloc(0);
  let inData = false;
  /** Answers every complete command and message in `pending`; true once the client said QUIT. */
  const answer = (reply: (line: string) => void): boolean => {
    for (;;) {
      if (inData) {
        const end = pending.indexOf(END_OF_DATA);
        if (end < 0) return false;
        const head = pending.subarray(0, Math.min(end, 8192)).toString('latin1');
        batch.push([/^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '', Date.now()]);
        pending = pending.subarray(end + END_OF_DATA.length);
        inData = false;
        reply('250 2.0.0 queued\r\n');
        continue;
      }
      const eol = pending.indexOf('\r\n');
      if (eol < 0) return false;
      const verb = pending.subarray(0, Math.min(eol, 4)).toString('latin1').toUpperCase();
      pending = pending.subarray(eol + 2);
      if (verb === 'DATA') {
        // The end marker is CRLF.CRLF; a message of no lines ends with a bare ".", so start as if after a CRLF.
        pending = Buffer.concat([Buffer.from('\r\n'), pending]);
        inData = true;
        reply('354 end with <CR><LF>.<CR><LF>\r\n');
      } else if (verb === 'QUIT') {
        reply('221 2.0.0 bye\r\n');
        return true;
      } else {
        reply(verb === 'EHLO' ? EHLO : verb === 'HELO' ? '250 bench-sink\r\n' : '250 2.0.0 ok\r\n');
      }
    }
  };
  socket.setNoDelay(true);
  socket.write('220 bench-sink ESMTP\r\n');
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    // The replies to what arrived together leave together, as an MTA writes them: separate small writes of pipelined
    // replies would each be a system call, and with Nagle's algorithm wait for the client's delayed ACK.
    const replies: string[] = [];
    const quit = answer((line) => replies.push(line));
    if (quit) socket.end(replies.join(''));
    else if (replies.length) socket.write(replies.join(''));
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
