import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractActivationRequest, MAX_INPUT } from '../../src/inbound/extract-request.ts';

const CODE = 'Mk3pWz-7HqRt-Bn4VxC';
const OLD = 'Qr5sTu-8VwXy-Za1BcD';
const UUID = '7F3C2A9E-1B4D-4C8E-9A61-2D5F8E0B7C13';
const uuid = UUID.toLowerCase();
type Case = [string, { subject?: string; text?: string; html?: string }, string[], string[]];

const english: Case[] = [
  ['labelled', { text: `Activation code: ${CODE}\nSerial number: JN11D2E7CAFB` }, [CODE], ['JN11D2E7CAFB']],
  [
    'labelled with "is"',
    { text: `Hi, our activation code is ${CODE} and the serial number is JN11D2E7CAFB.` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'unlabelled in prose',
    { text: `Please activate ${CODE} for our router JN11D2E7CAFB, thanks` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  ['everything in the subject', { subject: `Activation ${CODE} / JN11D2E7CAFB` }, [CODE], ['JN11D2E7CAFB']],
  [
    'code in the subject, device in the body',
    { subject: `Activation ${CODE}`, text: 'S/N: jn11d2e7cafb' },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'several devices on one line',
    { text: `Code: ${CODE}\nSerial numbers: JN11D2E7CAFB, JN125ED29AFL; CV1234AB5678 and CV9876ZX5432` },
    [CODE],
    ['JN11D2E7CAFB', 'JN125ED29AFL', 'CV1234AB5678', 'CV9876ZX5432'],
  ],
  [
    'a list below the label, ended by a blank line',
    { text: `Code: ${CODE}\nSerial numbers:\nJN11D2E7CAFB\nJN125ED29AFL\n\n15563301 is our order` },
    [CODE],
    ['JN11D2E7CAFB', 'JN125ED29AFL'],
  ],
  ['a labelled serial in another format', { text: `Code: ${CODE}\nSerial: ab12-xy` }, [CODE], ['AB12-XY']],
  ['a hyphen-grouped labelled serial', { text: `Code: ${CODE}\nS/N: AB12-CD34-EF56` }, [CODE], ['AB12-CD34-EF56']],
  [
    'a UUID, any case, labelled or not',
    { text: `${CODE}\nUUID: ${UUID}\nand also ${UUID.toLowerCase()}` },
    [CODE],
    [uuid],
  ],
  ['a UUID after a Device label', { text: `Device: ${UUID}\nCode: ${CODE}` }, [CODE], [uuid]],
  [
    'serial and UUID together',
    { text: `Code ${CODE}: serial JN11D2E7CAFB and vSRX ${UUID}` },
    [CODE],
    [uuid, 'JN11D2E7CAFB'],
  ],
  [
    'a year after the serial is no device',
    { text: `The device with serial number JN11D2E7CAFB (bought 2026) needs a key. Code ${CODE}` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  ['parentheses and quotes', { text: `Serial (JN11D2E7CAFB), code "${CODE}"` }, [CODE], ['JN11D2E7CAFB']],
  [
    'duplicates collapse',
    { text: `${CODE} ${CODE}\nJN11D2E7CAFB jn11d2e7cafb JN11D2E7CAFB` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'two codes are both reported',
    { text: `Codes ${CODE} and ${OLD}, serial JN11D2E7CAFB` },
    [CODE, OLD],
    ['JN11D2E7CAFB'],
  ],
  [
    'a labelled code wins over a code-like word',
    { text: `Ref Zq9kWv-3HtPn-Lm8BcX\nActivation code: ${CODE}\nSerial: JN11D2E7CAFB` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
];

const german: Case[] = [
  ['labelled', { text: `Aktivierungscode: ${CODE}\nSeriennummer: JN11D2E7CAFB` }, [CODE], ['JN11D2E7CAFB']],
  [
    'in prose, two devices, signature',
    {
      text: `Hallo,\nbitte aktivieren Sie den Aktivierungscode ${CODE} für unsere Geräte JN11D2E7CAFB und JN125ED29AFL.\nMit freundlichen Grüßen\n-- \nJürgen Weiß\nTel. +49-6221-1234-5678\nInventar CV0000AA0000`,
    },
    [CODE],
    ['JN11D2E7CAFB', 'JN125ED29AFL'],
  ],
  [
    '"lautet"',
    { text: `Der Aktivierungscode lautet ${CODE}, die Seriennummern lauten JN11D2E7CAFB und CV1234AB5678.` },
    [CODE],
    ['JN11D2E7CAFB', 'CV1234AB5678'],
  ],
  [
    'German reply header',
    {
      text: `Code ${CODE}, Gerät CV1234AB5678\n\nAm 28.11.2026 um 10:00 schrieb Licensing <activate@example.net>:\n> Code: ${OLD}\n> Seriennummer: JN11D2E7CAFB`,
    },
    [CODE],
    ['CV1234AB5678'],
  ],
];

const japanese: Case[] = [
  [
    'labelled, full-width colon',
    { text: `アクティベーションコード：${CODE}\nシリアル番号：JN11D2E7CAFB` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'in a sentence, no spaces',
    {
      text: `お世話になっております。\nアクティベーションコードは${CODE}です。\nシリアル番号はJN11D2E7CAFBとJN125ED29AFLです。\nよろしくお願いします。`,
    },
    [CODE],
    ['JN11D2E7CAFB', 'JN125ED29AFL'],
  ],
  [
    'シリアル and UUID',
    { text: `コード: ${CODE}\nシリアル: CV1234AB5678\nUUID：${UUID}` },
    [CODE],
    [uuid, 'CV1234AB5678'],
  ],
  [
    'Gmail attribution in Japanese',
    { text: `${CODE} CV1234AB5678\n\n2026年11月28日(土) 10:00 Licensing <activate@example.net>:\n${OLD} JN11D2E7CAFB` },
    [CODE],
    ['CV1234AB5678'],
  ],
];

const html: Case[] = [
  [
    'HTML only',
    { html: `<div>Code: <b>${CODE}</b><br>Serial: <span>JN11D2E7CAFB</span></div>` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'HTML table',
    {
      html: `<table><tr><td>Activation code</td><td>${CODE}</td></tr><tr><td>Serial number</td><td>JN11D2E7CAFB</td></tr></table>`,
    },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'Gmail reply in HTML: the quoted request is ignored',
    {
      html: `<div dir="ltr">Code ${CODE}<br>Serial JN125ED29AFL</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Nov 28, 2026 at 10:00 AM Licensing &lt;activate@example.net&gt; wrote:<br></div><blockquote class="gmail_quote">Code: ${OLD}<br>Serial: JN11D2E7CAFB</blockquote></div>`,
    },
    [CODE],
    ['JN125ED29AFL'],
  ],
  [
    'entities and non-breaking spaces',
    { html: `<p>Code:&nbsp;${CODE}</p><p>S/N&nbsp;:&nbsp;JN11D2E7CAFB</p>` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'an empty text part falls back to HTML',
    { text: '  \n', html: `<p>${CODE} JN11D2E7CAFB</p>` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'links show their text, not the address',
    { html: `<a href="https://x.example/Zq9kWv-3HtPn-Lm8BcX">my code</a> ${CODE} JN11D2E7CAFB` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
];

const quotedAndSignatures: Case[] = [
  [
    'quoted reply lines',
    { text: `Serial: JN125ED29AFL\nCode ${CODE}\n\nOn Mon someone wrote:\n> Code: ${OLD}\n> Serial: JN11D2E7CAFB` },
    [CODE],
    ['JN125ED29AFL'],
  ],
  [
    'attribution wrapped over two lines',
    {
      text: `Code ${CODE} for CV1234AB5678\n\nOn Mon, Nov 28, 2026 at 10:00 AM Licensing <\nactivate@example.net> wrote:\nCode: ${OLD} serial JN11D2E7CAFB`,
    },
    [CODE],
    ['CV1234AB5678'],
  ],
  [
    'Outlook reply header',
    {
      text: `Code ${CODE} for CV1234AB5678\n\n________________________________\nFrom: Licensing <activate@example.net>\nSent: Monday, November 28, 2026 10:00\nSubject: x\n\nCode: ${OLD} serial JN11D2E7CAFB`,
    },
    [CODE],
    ['CV1234AB5678'],
  ],
  [
    'forwarded message',
    { text: `FYI\n\n---------- Forwarded message ---------\nCode: ${OLD}\nSerial: JN11D2E7CAFB` },
    [],
    [],
  ],
  [
    'signature',
    { text: `Code ${CODE} serial JN11D2E7CAFB\n-- \nJohn, phone JN000000000X, ticket Zq9kWv-3HtPn-Lm8BcX` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'inline quote between own lines',
    { text: `> Please send code and serial\nCode: ${CODE}\n> and the serial?\nSerial: JN11D2E7CAFB` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
];

const lookalikes: Case[] = [
  [
    'order identifiers are neither',
    { text: 'Order 15563301 of 2026-11-28, SKU S-NS-CTRL-100-1, SSRN2C9D4E6F8G, PO: AB12CD34EF56' },
    [],
    [],
  ],
  [
    'an SSRN of twelve characters is no serial',
    { text: `Code ${CODE}\nSSRN: AB12CD34EF56\nfor JN11D2E7CAFB` },
    [CODE],
    ['JN11D2E7CAFB'],
  ],
  [
    'hyphenated words are no code',
    { text: 'We need long-term-support for our state-of-the-art Long-Term-Support setup.' },
    [],
    [],
  ],
  ['a phone number is no code', { text: 'Call me at 0049-6221-1234-5678 please' }, [], []],
  ['a grouped uppercase serial is no code', { text: 'Router JN11-D2E7-CAFB is broken' }, [], []],
  ['a UUID is no code', { text: `vSRX ${UUID}` }, [], [uuid]],
  ['a code is no serial', { text: `Serial: ${CODE}` }, [CODE], []],
  ['nothing at all', { text: 'Hello, how do I activate my license?' }, [], []],
  ['no input', {}, [], []],
];

describe('finding the activation code and devices in a request', () => {
  describe.each([
    ['English', english],
    ['German', german],
    ['Japanese', japanese],
    ['HTML', html],
    ['quoted replies and signatures', quotedAndSignatures],
    ['look-alikes', lookalikes],
  ] as const)('%s', (_group, cases) => {
    it.each(cases)('%s', (_name, input, codes, devices) => {
      expect(extractActivationRequest(input)).toEqual({ codes, devices });
    });
  });

  it(`reads no further than ${MAX_INPUT} characters of a huge body, text or HTML`, () => {
    const padding = 'x '.repeat(MAX_INPUT / 2);
    expect(extractActivationRequest({ text: `${padding}\nCode: ${CODE} JN11D2E7CAFB` })).toEqual({
      codes: [],
      devices: [],
    });
    expect(extractActivationRequest({ html: `<p>${padding}</p><p>Code: ${CODE} JN11D2E7CAFB</p>` })).toEqual({
      codes: [],
      devices: [],
    });
    expect(
      extractActivationRequest({ text: `Code: ${CODE} JN11D2E7CAFB\n${'y'.repeat(10 * MAX_INPUT)}` }).codes,
    ).toEqual([CODE]);
  });

  it('survives HTML nested deeper than the converter can recurse', () => {
    const deep = `${'<div>'.repeat(20_000)}${CODE} JN11D2E7CAFB${'</div>'.repeat(20_000)}`;
    expect(() => extractActivationRequest({ html: deep })).not.toThrow();
    const shallowEnough = `${'<div>'.repeat(5_000)}${CODE} JN11D2E7CAFB`;
    expect(extractActivationRequest({ html: shallowEnough })).toEqual({ codes: [CODE], devices: ['JN11D2E7CAFB'] });
  });
});

describe('properties', () => {
  const code = fc
    .tuple(...[6, 5, 6].map((n) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${n}}$`))))
    .map((g) => g.join('-'));
  const serial = fc.stringMatching(/^(JN|CV)[A-Z0-9]{10}$/);
  const prose = fc
    .array(
      fc.oneof(fc.string(), fc.constantFrom('Code:', 'Serial:', 'S/N', 'UUID:', '>', '\n', '-- ', 'シリアル', 'und')),
      { maxLength: 12 },
    )
    .map((a) => a.join(' '));

  it('never throws, and finds only codes and devices that are in the text', () => {
    fc.assert(
      fc.property(prose, fc.option(code), fc.option(serial), prose, (before, c, s, after) => {
        const text = [before, c, s, after].filter(Boolean).join(' ');
        const found = extractActivationRequest({ text });
        for (const x of found.codes) expect(text).toContain(x);
        for (const d of found.devices) expect(text.toLowerCase()).toContain(d.toLowerCase());
      }),
      { numRuns: 500 },
    );
  });

  it('finds any labelled code and serial, on any line order', () => {
    fc.assert(
      fc.property(
        code,
        fc.uniqueArray(serial, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (c, serials, codeFirst) => {
          const lines = [`Activation code: ${c}`, `Serial numbers: ${serials.join(', ')}`];
          expect(extractActivationRequest({ text: (codeFirst ? lines : lines.reverse()).join('\n') })).toEqual({
            codes: [c],
            devices: serials,
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
