import type { ParsedMail } from 'mailparser';

/** A message sent by (or in the name of) the contact of an order, with what must become of it. */
export interface AttackMail {
  name: string;
  raw: Buffer;
  expect: {
    folder: 'Processed' | 'Rejected';
    /** keys: a reply with this many key files; no-key: a reply without any; none: nothing delivered. */
    reply: 'keys' | 'no-key' | 'none';
    keys?: number;
    check?: (reply: ParsedMail) => void;
  };
}

const DEVICE = 'JN11D2E7CAFB';
let counter = 0;

function mail(
  from: string,
  headers: string[],
  body: string | Buffer,
  messageId = `<attack-${++counter}@mueller.example>`,
): Buffer {
  const head = [
    `From: ${from}`,
    'To: activate@example.net',
    'Subject: Aktivierung',
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    ...headers,
  ];
  return Buffer.concat([
    Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'),
    Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  ]);
}

/** Units that one pattern or another repeats; 60,000 characters of each fill a body that is almost all filler. */
const FILLERS: Record<string, string> = {
  spaces: ' ',
  newlines: '\n',
  tabs: '\t',
  'CRLF pairs': '\r\n',
  colons: ' :',
  'ssrn labels': 'ssrn ',
  'sn labels': 'sn ',
  'serial labels': 'serial ',
  'quote markers': '> ',
  dashes: '-',
  underscores: '_',
  attributions: 'On x wrote ',
  divs: '<div>',
  scripts: '<script>',
  'open tags': '<a ',
};
const fill = (unit: string) => unit.repeat(Math.ceil(60_000 / unit.length));

/** At least 70 messages from a contact of the order whose code is `code`, each with its outcome. */
export function attackCorpus(code: string, contact: string): AttackMail[] {
  counter = 0;
  const out: AttackMail[] = [];
  const text = ['Content-Type: text/plain; charset=utf-8'];
  const html = ['Content-Type: text/html; charset=utf-8'];
  const request = `Aktivierungscode: ${code}\nSeriennummer: ${DEVICE}\n`;
  const KEYS = { folder: 'Processed', reply: 'keys', keys: 1 } as const;
  const NO_CODE = { folder: 'Rejected', reply: 'no-key' } as const;

  for (const [name, unit] of Object.entries(FILLERS)) {
    // A label followed by a long run and a character that fails: the input that kept the event loop busy for 15 s.
    out.push({
      name: `text: code then ${name} then "!"`,
      raw: mail(contact, text, `code${fill(unit)}!`),
      expect: NO_CODE,
    });
    out.push({
      name: `html: code then ${name} then "!"`,
      raw: mail(contact, html, `<pre>code${fill(unit)}!</pre>`),
      expect: NO_CODE,
    });
    out.push({ name: `text: request then ${name}`, raw: mail(contact, text, `${request}${fill(unit)}`), expect: KEYS });
    out.push({
      name: `html: request then ${name}`,
      raw: mail(contact, html, `<p>Aktivierungscode: ${code}</p><p>Seriennummer: ${DEVICE}</p>${fill(unit)}`),
      expect: KEYS,
    });
  }

  // MIME bombs: mailparser refuses them (parts over the cap); filed unanswered, once.
  const parts = (n: number) =>
    mail(
      contact,
      ['Content-Type: multipart/mixed; boundary=p'],
      `${Array.from({ length: n }, () => `--p\r\nContent-Type: text/plain\r\n\r\n${request}\r\n`).join('')}--p--\r\n`,
    );
  out.push({ name: '1000 MIME parts', raw: parts(1000), expect: { folder: 'Rejected', reply: 'none' } });
  out.push({ name: '300 MIME parts', raw: parts(300), expect: { folder: 'Rejected', reply: 'none' } });
  out.push({ name: '100 MIME parts, the request in each', raw: parts(100), expect: KEYS });
  const nested = (depth: number) => {
    let body = `Content-Type: text/plain\r\n\r\n${request}`;
    for (let d = 0; d < depth; d++)
      body = `Content-Type: multipart/mixed; boundary=n${d}\r\n\r\n--n${d}\r\n${body}\r\n--n${d}--\r\n`;
    const at = body.indexOf('\r\n\r\n');
    return mail(contact, [body.slice(0, at)], body.slice(at + 4));
  };
  out.push({ name: 'multipart nested 1000 deep', raw: nested(1000), expect: { folder: 'Rejected', reply: 'none' } });
  out.push({ name: 'multipart nested 20 deep', raw: nested(20), expect: KEYS });
  out.push({
    name: 'header block over 64 KiB',
    raw: mail(contact, [...text, `X-Filler: ${'a'.repeat(100_000)}`], request),
    expect: { folder: 'Rejected', reply: 'none' },
  });

  // Threading: ids the sender wrote are echoed only when they fit a header line.
  out.push({
    name: 'Message-ID of 2000 characters',
    raw: mail(contact, text, request, `<${'i'.repeat(2000)}@mueller.example>`),
    expect: {
      ...KEYS,
      check: (r) => {
        if (r.inReplyTo || r.references)
          throw new Error(`echoed ${String(r.inReplyTo ?? r.references).length} characters`);
      },
    },
  });
  out.push({
    name: 'References with 500 ids',
    raw: mail(
      contact,
      [...text, `References: ${Array.from({ length: 500 }, (_, i) => `<r${i}@x.example>`).join(' ')}`],
      request,
    ),
    expect: {
      ...KEYS,
      check: (r) => {
        const refs = [r.references ?? []].flat();
        if (refs.join(' ').length > 4000 || !refs.includes('<r499@x.example>'))
          throw new Error('references not cut from the oldest');
      },
    },
  });
  out.push({
    name: 'Message-ID with a line break inside',
    raw: mail(contact, text, request, '<a\r\n b@x.example>'),
    expect: {
      ...KEYS,
      check: (r) => {
        if (r.inReplyTo) throw new Error('a broken id was echoed');
      },
    },
  });
  out.push({
    name: 'In-Reply-To forged to one of ours',
    raw: mail(contact, [...text, 'In-Reply-To: <act-1-1@courier.example>'], request),
    expect: KEYS,
  });

  // The request is the contact's, but written so as to confuse.
  out.push({ name: 'request in the subject only', raw: mail(contact, text, ''), expect: NO_CODE });
  out.push({ name: 'code twice, the same', raw: mail(contact, text, `${request}\nCode: ${code}`), expect: KEYS });
  out.push({
    name: 'two different codes',
    raw: mail(contact, text, `${request}\nCode: Zz9zZz-9ZzZz-Zz9ZzZ`),
    expect: { folder: 'Rejected', reply: 'no-key' },
  });
  out.push({
    name: 'code without device',
    raw: mail(contact, text, `Aktivierungscode: ${code}`),
    expect: { folder: 'Rejected', reply: 'no-key' },
  });
  out.push({ name: 'contact address in capitals', raw: mail(contact.toUpperCase(), text, request), expect: KEYS });
  // Read as a group (the colon), so there is no sender: nobody is answered.
  out.push({
    name: 'encoded-word display name with CR/LF',
    raw: mail(`=?utf-8?q?a=0D=0ABcc:_victim@evil.example?= <${contact}>`, text, request),
    expect: { folder: 'Rejected', reply: 'none' },
  });
  // The name is never used in the reply: the contact alone gets the key.
  out.push({
    name: 'quoted encoded-word display name with CR/LF',
    raw: mail(`"=?utf-8?q?a=0D=0ABcc:_victim@evil.example?=" <${contact}>`, text, request),
    expect: KEYS,
  });
  // Senders an SMTP server refuses for good (5xx): the failure answer cannot go out; filed once, no retries.
  for (const from of [
    '"x y>"@example.net',
    `${'l'.repeat(240)}@example.net`,
    '"very.(),:;<>[]\\".unusual"@example.net',
  ]) {
    out.push({
      name: `reply refused for ${from.slice(0, 30)}`,
      raw: mail(from, text, request),
      expect: { folder: 'Rejected', reply: 'none' },
    });
  }
  return out;
}
