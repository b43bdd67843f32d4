import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export interface HostileMail {
  name: string;
  raw: Buffer;
  expect: {
    /** true: must be recognised as automatic mail (or a loop); false: must not be; absent: either is acceptable. */
    automatic?: boolean;
    /** No usable sender address: nobody to answer. */
    noSender?: boolean;
  };
}

/**
 * Literal messages as real systems write them, beside this file; the first line of each is a `X-Corpus-Expect:` header.
 */
const EML_DIR = new URL('./eml/', import.meta.url);

function literalMails(): HostileMail[] {
  return readdirSync(EML_DIR)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => {
      const raw = readFileSync(new URL(f, EML_DIR));
      const automatic = /^X-Corpus-Expect: automatic=(true|false)/.exec(raw.toString('latin1'))?.[1];
      return { name: `eml ${f}`, raw, expect: automatic === undefined ? {} : { automatic: automatic === 'true' } };
    });
}

// Deterministic, so a failing message is the same message on the next run.
const pseudoRandom = (seed: string) => createHash('sha256').update(seed).digest('base64url');

const CODE = 'Mk3pWz-7HqRt-Bn4VxC';
const CONTACT = 'juergen.weiss@mueller-netz.example';

function mail(headers: string[], body: string | Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'),
    Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  ]);
}

let counter = 0;
const id = () => `Message-ID: <hostile-${++counter}@hostile.example>`;
const base = (from: string, subject = 'activation') => [
  `From: ${from}`,
  'To: activate@example.net',
  `Subject: ${subject}`,
  id(),
  'MIME-Version: 1.0',
];
const request = `Code: ${CODE}\r\nSerial: JN11D2E7CAFB\r\n`;

/** At least 100 messages that must neither crash the activation worker nor obtain a key. */
export function hostileInboundCorpus(): HostileMail[] {
  counter = 0;
  const out: HostileMail[] = [];
  const add = (name: string, raw: Buffer, expect: HostileMail['expect'] = { automatic: false }) =>
    out.push({ name, raw, expect });
  const AUTOMATIC = { automatic: true };
  const NO_SENDER = { noSender: true };

  // Forged or unusable senders: never a key (replies, if any, go to the From address, never to Reply-To).
  const forged = [
    `"${CONTACT}" <attacker@evil.example>`,
    `attacker@evil.example`,
    `${CONTACT.toUpperCase().replace('@', '@evil.')}`,
    `juergen.weiss@mueller-netz.example.evil.example`,
    `"Jürgen Weiß" <juergen.weiss@mueller-netz.co>`,
    `juergen.weiss+x@evil.example`,
    `=?utf-8?B?${Buffer.from(CONTACT).toString('base64')}?= <x@evil.example>`,
  ];
  forged.forEach((from, i) => add(`forged sender ${i}`, mail([...base(from), 'Content-Type: text/plain'], request)));
  add(
    'reply-to points at a contact',
    mail([...base('attacker@evil.example'), `Reply-To: ${CONTACT}`, 'Content-Type: text/plain'], request),
  );
  add(
    'sender header is a contact',
    mail([...base('attacker@evil.example'), `Sender: ${CONTACT}`, 'Content-Type: text/plain'], request),
  );
  add('no From header', mail(['To: activate@example.net', 'Subject: x', id()], request), NO_SENDER);
  add('empty From', mail(['From: <>', 'To: activate@example.net', 'Subject: x', id()], request), NO_SENDER);
  add(
    'From is a group',
    mail(['From: undisclosed-recipients:;', 'To: activate@example.net', id()], request),
    NO_SENDER,
  );

  // Automatic mail and loops: never a reply.
  const automatic = [
    ['Auto-Submitted: auto-replied'],
    ['Auto-Submitted: auto-generated'],
    ['Auto-Submitted: auto-notified'],
    ['Precedence: bulk'],
    ['Precedence: junk'],
    ['Precedence: list'],
    ['List-Id: <licensing.lists.example>'],
    ['List-Unsubscribe: <mailto:u@lists.example>'],
    ['X-Autoreply: yes'],
    ['X-Autorespond: yes'],
    ['Return-Path: <>'],
    ['Content-Type: multipart/report; report-type=delivery-status; boundary=x'],
  ];
  automatic.forEach((h, i) =>
    add(
      `automatic ${i}: ${h[0]}`,
      mail([...base('attacker@evil.example', 'Out of office'), ...h, 'Content-Type: text/plain'], request),
      AUTOMATIC,
    ),
  );
  for (const from of [
    'MAILER-DAEMON@mx.example',
    'postmaster@mx.example',
    'no-reply@vendor.example',
    'noreply@evil.example',
    'bounce+abc@evil.example',
  ]) {
    add(`system sender ${from}`, mail([...base(from), 'Content-Type: text/plain'], request), AUTOMATIC);
  }
  for (const own of ['activate@example.net', 'licensing@courier.example', 'ACTIVATE@EXAMPLE.NET']) {
    add(
      `loop from own address ${own}`,
      mail(
        [...base(own, 'Re: Re: Re: activation'), `References: <act-1-1@courier.example>`, 'Content-Type: text/plain'],
        request,
      ),
      AUTOMATIC,
    );
  }

  // Malformed MIME.
  const evil = 'attacker@evil.example';
  add('multipart without boundary', mail([...base(evil), 'Content-Type: multipart/mixed'], `--x\r\n\r\n${request}`));
  add(
    'unterminated multipart',
    mail(
      [...base(evil), 'Content-Type: multipart/mixed; boundary=b'],
      `--b\r\nContent-Type: text/plain\r\n\r\n${request}`,
    ),
  );
  add('boundary never used', mail([...base(evil), 'Content-Type: multipart/alternative; boundary=zzz'], request));
  add('header line without colon', mail([...base(evil), 'This is not a header', 'Content-Type: text/plain'], request));
  add(
    'header folded forever',
    mail([...base(evil), `X-Long: a${'\r\n a'.repeat(5000)}`, 'Content-Type: text/plain'], request),
  );
  add(
    'NUL bytes everywhere',
    mail([...base(evil), 'Content-Type: text/plain'], Buffer.from(`C\u0000o\u0000d\u0000e: ${CODE}\u0000\r\n`)),
  );
  add(
    '8-bit bytes in headers',
    mail(
      [`From: \xff\xfe attacker@evil.example`, 'To: activate@example.net', 'Subject: \xc3\x28\xa0\xa1', id()],
      request,
    ),
  );
  add(
    'broken base64',
    mail(
      [...base(evil), 'Content-Type: text/plain', 'Content-Transfer-Encoding: base64'],
      '!!!!not base64 at all####\r\n====',
    ),
  );
  add(
    'broken quoted-printable',
    mail(
      [...base(evil), 'Content-Type: text/plain', 'Content-Transfer-Encoding: quoted-printable'],
      `Code=3: ${CODE}=ZZ=\r\n=4`,
    ),
  );
  add(
    'unknown transfer encoding',
    mail([...base(evil), 'Content-Type: text/plain', 'Content-Transfer-Encoding: x-rot13'], request),
  );
  add('content-type garbage', mail([...base(evil), 'Content-Type: ;;;;===;;'], request));
  add('empty body', mail([...base(evil), 'Content-Type: text/plain'], ''));
  add('only headers, no blank line', Buffer.from(base(evil).join('\r\n')));
  add('bare LF line endings', Buffer.from(`${base(evil).join('\n')}\nContent-Type: text/plain\n\n${request}`));
  add('bare CR line endings', Buffer.from(`${base(evil).join('\r')}\rContent-Type: text/plain\r\r${request}`));
  add(
    "message/rfc822 wrapping a contact's request",
    mail(
      [...base(evil), 'Content-Type: message/rfc822'],
      mail([...base(CONTACT), 'Content-Type: text/plain'], request),
    ),
  );

  // Nesting.
  for (const depth of [10, 50, 200]) {
    let body = `Content-Type: text/plain\r\n\r\n${request}`;
    for (let d = 0; d < depth; d++)
      body = `Content-Type: multipart/mixed; boundary=b${d}\r\n\r\n--b${d}\r\n${body}\r\n--b${d}--\r\n`;
    const [head, ...rest] = body.split('\r\n\r\n');
    add(`multipart nested ${depth} deep`, mail([...base(evil), head!], rest.join('\r\n\r\n')));
  }

  // Size.
  const big = (mb: number) =>
    Buffer.alloc(mb * 1024 * 1024, 'A')
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n');
  add(
    '20 MB attachment',
    mail(
      [...base(evil), 'Content-Type: multipart/mixed; boundary=s'],
      `--s\r\nContent-Type: text/plain\r\n\r\n${request}\r\n--s\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${big(20)}\r\n--s--\r\n`,
    ),
  );
  add(
    '5 MB text body',
    mail([...base(evil), 'Content-Type: text/plain'], `${'lorem ipsum '.repeat(450_000)}\r\n${request}`),
  );
  add(
    '200 attachments',
    mail(
      [...base(evil), 'Content-Type: multipart/mixed; boundary=m'],
      `${Array.from({ length: 200 }, (_, i) => `--m\r\nContent-Type: application/octet-stream; name=f${i}.bin\r\nContent-Disposition: attachment; filename=f${i}.bin\r\n\r\n${'x'.repeat(100)}\r\n`).join('')}--m--\r\n`,
    ),
  );
  add('100 KB subject', mail([...base(evil, 'A'.repeat(100_000)), 'Content-Type: text/plain'], request));
  add(
    '5000 headers',
    mail([...base(evil), ...Array.from({ length: 5000 }, (_, i) => `X-H${i}: v`), 'Content-Type: text/plain'], request),
  );
  add('one 1 MB line', mail([...base(evil), 'Content-Type: text/plain'], `${'y'.repeat(1024 * 1024)} ${request}`));

  // Charsets.
  const charsets = [
    'unknown-8bit',
    'x-nonexistent',
    'utf-16',
    'utf-32',
    'iso-2022-jp',
    'gb18030',
    'koi8-r',
    'windows-1258',
    'utf-7',
    '"',
    'utf-8; format=flowed; delsp=yes',
  ];
  charsets.forEach((cs) =>
    add(
      `charset ${cs}`,
      mail(
        [...base(evil), `Content-Type: text/plain; charset=${cs}`],
        Buffer.concat([Buffer.from([0xff, 0xfe, 0x1b, 0x24, 0x42]), Buffer.from(request)]),
      ),
    ),
  );
  add(
    'invalid UTF-8 body',
    mail(
      [...base(evil), 'Content-Type: text/plain; charset=utf-8'],
      Buffer.concat([Buffer.from([0xc3, 0x28, 0xe2, 0x82]), Buffer.from(request)]),
    ),
  );
  add(
    'encoded-word garbage in subject',
    mail([...base(evil, '=?x-bad?Q?=FF=FE?= =?utf-8?B?!!!?='), 'Content-Type: text/plain'], request),
  );

  // HTML tricks.
  const htmls = [
    `<script>alert(1)</script><p>Code: ${CODE}</p>`,
    `<!-- Code: ${CODE} --><p>hello</p>`,
    `<style>p{}</style><p style="display:none">Serial: JN11D2E7CAFB</p>`,
    `<p>${'<div>'.repeat(10_000)}${CODE}${'</div>'.repeat(10_000)}</p>`,
    `<img src="http://evil.example/x.png" onerror="alert(1)">${CODE}`,
    `<a href="javascript:alert(1)">${CODE}</a>`,
    `<iframe src="data:text/html,${CODE}"></iframe>`,
    '<p>&#0;&#xD800;&#1114112;&nbsp;&bogus;</p>',
  ];
  htmls.forEach((html, i) =>
    add(`html trick ${i}`, mail([...base(evil), 'Content-Type: text/html; charset=utf-8'], html)),
  );

  // Guessing: plausible codes from a non-contact.
  for (let i = 0; i < 20; i++) {
    const r = pseudoRandom(`guess ${i}`).replace(/[_-]/g, 'a');
    const guess = `${r.slice(0, 6)}-${r.slice(6, 11)}-${r.slice(11, 17)}`;
    add(
      `guessed code ${i}`,
      mail(
        [...base(`guesser${i % 3}@evil.example`), 'Content-Type: text/plain'],
        `Code: ${guess}\r\nSerial: JN11D2E7CAFB\r\n`,
      ),
    );
  }
  add(
    'S/MIME signed with a garbage signature',
    mail(
      [
        ...base(evil),
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary=sig',
      ],
      `--sig\r\nContent-Type: text/plain\r\n\r\n${request}\r\n--sig\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\nMIIBADANBgkq\r\n--sig--\r\n`,
    ),
  );
  add(
    'winmail.dat only',
    mail(
      [...base(evil), 'Content-Type: application/ms-tnef; name=winmail.dat', 'Content-Transfer-Encoding: base64'],
      Buffer.from(`\x78\x9f\x3e\x22${request}`).toString('base64'),
    ),
  );
  add(
    'calendar invite',
    mail(
      [...base(evil), 'Content-Type: text/calendar; method=REQUEST'],
      `BEGIN:VCALENDAR\r\nSUMMARY:${CODE}\r\nEND:VCALENDAR\r\n`,
    ),
  );
  // The real code from a contact of another order is still a stranger to this one.
  add('contact of another order', mail([...base('netops@acme.example'), 'Content-Type: text/plain'], request));
  out.push(...literalMails());
  return out;
}
