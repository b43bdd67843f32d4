import { rawExample } from '../../support/events.ts';

export interface HostileEvent {
  name: string;
  /** Sent as the raw request body. */
  body: string;
  /** A path that the answer's issues must name (prefix match), or the status for body-level failures. */
  expectPath?: string;
  expectStatus: number;
}

type Json = unknown;

function setPath(obj: Json, path: (string | number)[], value: Json | typeof REMOVE): Json {
  const copy = structuredClone(obj) as Record<string | number, Json>;
  let cur = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, Json>;
  const last = path.at(-1)!;
  if (value === REMOVE) delete cur[last];
  else cur[last] = value;
  return copy;
}
const REMOVE = Symbol('remove');

const pathText = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`)).join('');

/** At least 200 events that must be refused, each with the field the refusal must name. */
export function hostileEventCorpus(): HostileEvent[] {
  const base = rawExample('order-ex-srx') as unknown as Json;
  const out: HostileEvent[] = [];
  const add = (name: string, body: Json, path: (string | number)[] | string) =>
    out.push({
      name,
      body: JSON.stringify(body),
      expectPath: typeof path === 'string' ? path : pathText(path),
      expectStatus: 400,
    });

  const required: (string | number)[][] = [
    ['eventId'],
    ['salesOrder'],
    ['lines'],
    ['salesOrder', 'number'],
    ['salesOrder', 'accounts'],
    ['salesOrder', 'endCustomer'],
    ['salesOrder', 'contacts'],
    ['salesOrder', 'endCustomer', 'name'],
    ['salesOrder', 'contacts', 0, 'email'],
    ['salesOrder', 'accounts', 0, 'id'],
    ['salesOrder', 'accounts', 0, 'role'],
    ...[
      'lineNumber',
      'sku',
      'product',
      'licenseName',
      'description',
      'quantity',
      'licenseType',
      'purchase',
      'activationCode',
      'ssrn',
      'shipDate',
      'termMonths',
    ].map((f) => ['lines', 0, f]),
  ];
  for (const p of required) add(`missing ${pathText(p)}`, setPath(base, p, REMOVE), p);

  const wrongTypes: Json[] = [42, true, null, [], {}, 'text'];
  const typed: Array<[(string | number)[], Json[]]> = [
    [['eventId'], [42, null, [], {}]],
    [
      ['salesOrder', 'number'],
      [15563238, null, [], {}],
    ],
    [
      ['salesOrder', 'accounts'],
      ['0100012345', {}, null, 7],
    ],
    [
      ['salesOrder', 'contacts'],
      ['a@b.example', {}, null],
    ],
    [
      ['salesOrder', 'locale'],
      [7, null, ['en']],
    ],
    [['lines'], [{}, 'lines', null, 3]],
    [
      ['lines', 0, 'quantity'],
      ['4', 4.5, 0, -1, 100001, null, true, 1e300],
    ],
    [
      ['lines', 0, 'termMonths'],
      ['36', 0, 121, 3.5, null],
    ],
    [
      ['lines', 0, 'licenseType'],
      ['lease', 1, null, 'SUBSCRIPTION'],
    ],
    [
      ['lines', 0, 'purchase'],
      ['upgrade', null, 0],
    ],
    [
      ['lines', 0, 'shipDate'],
      ['28/11/2026', '2026-13-01', '2026-02-30', '2026-11-28T00:00:00Z', 20261128, '', null],
    ],
    [
      ['lines', 0, 'devices'],
      ['JN11D2E7CAFB', [7], ['x'], ['JN11D2E7CAFB', 'JN11D2E7CAFB'], [null]],
    ],
    [
      ['salesOrder', 'endCustomer', 'country'],
      ['gb', 'GBR', 44, ''],
    ],
    [
      ['salesOrder', 'accounts', 0, 'role'],
      ['reseller', '', null],
    ],
  ];
  for (const [p, values] of typed) values.forEach((v, i) => add(`bad ${pathText(p)} #${i}`, setPath(base, p, v), p));
  for (const p of [
    ['salesOrder', 'poNumber'],
    ['salesOrder', 'endCustomer'],
    ['lines', 0, 'licenseName'],
    ['lines', 0, 'description'],
  ] as (string | number)[][]) {
    wrongTypes
      .filter((v) => typeof v !== 'string')
      .forEach((v, i) => add(`wrong type ${pathText(p)} #${i}`, setPath(base, p, v), p));
  }

  const patterned: Array<[(string | number)[], string[]]> = [
    [
      ['eventId'],
      ['', 'has space', 'x'.repeat(129), 'evt/../../etc', 'evt\r\nX-Injected: 1', '<script>', '{{x}}', 'ünï'],
    ],
    [
      ['salesOrder', 'number'],
      ['', 'x'.repeat(33), '1556 3238', '15563238\n', '<b>1</b>', '{{number}}', '../15563238'],
    ],
    [
      ['salesOrder', 'accounts', 0, 'id'],
      ['', 'x'.repeat(21), '0100-012345', '<i>'],
    ],
    [
      ['lines', 0, 'lineNumber'],
      ['', 'x'.repeat(17), '1 1', '1/1', '<1>'],
    ],
    [
      ['lines', 0, 'sku'],
      ['s-ex-a', '-S-EX', 'S_EX_A', '<script>alert(1)</script>', '{{sku}}', 'S'.repeat(65), 'S-EX A'],
    ],
    [
      ['lines', 0, 'product'],
      ['EX', 'ex series', '../ex', '<ex>', 'x'.repeat(41)],
    ],
    [
      ['lines', 0, 'activationCode'],
      ['short', 'x'.repeat(41), 'hTq4Xe P9dLm', 'hTq4Xe_P9dLm_Zw2RbK', '<script>x</script>', '{{code}}'],
    ],
    [
      ['lines', 0, 'ssrn'],
      ['ssrn4k7q2m9x1a', 'SSRN', 'S'.repeat(33), 'SSRN 4K7Q', 'SSRN<4K7Q>'],
    ],
    [
      ['salesOrder', 'locale'],
      ['english', 'EN', 'en_US', 'en-us', 'x'],
    ],
    [
      ['salesOrder', 'contacts', 0, 'email'],
      [
        'not-an-address',
        '@acme.example',
        'netops@',
        'netops@@acme.example',
        'netops@acme',
        'netops@acme..example',
        'net ops@acme.example',
        'netops@acme.example\r\nBcc: victim@evil.example',
        'jürgen@müller.example',
        '山田@例え.jp',
        'netops@-acme.example',
        `${'a'.repeat(250)}@x.example`,
        '"quoted"@acme.example',
        'netops@acme.example,other@evil.example',
        '<netops@acme.example>',
      ],
    ],
  ];
  for (const [p, values] of patterned)
    values.forEach((v, i) => add(`pattern ${pathText(p)} #${i}`, setPath(base, p, v), p));

  const crlf: (string | number)[][] = [
    ['salesOrder', 'endCustomer', 'name'],
    ['salesOrder', 'contacts', 0, 'name'],
    ['salesOrder', 'poNumber'],
    ['lines', 0, 'licenseName'],
  ];
  for (const p of crlf) {
    add(`CRLF in ${pathText(p)}`, setPath(base, p, 'Acme\r\nBcc: victim@evil.example'), p);
    add(`NUL in ${pathText(p)}`, setPath(base, p, 'Acme\u0000'), p);
  }
  // Every free-text field: one line of well-formed Unicode, no encoded-word a mail reader would decode into a header.
  const freeText: (string | number)[][] = [
    ['salesOrder', 'accounts', 0, 'name'],
    ['salesOrder', 'contacts', 0, 'name'],
    ['salesOrder', 'contacts', 0, 'role'],
    ['salesOrder', 'poNumber'],
    ['salesOrder', 'endCustomer', 'name'],
    ['lines', 0, 'licenseName'],
    ['lines', 0, 'description'],
    ['lines', 1, 'description'],
  ];
  const badText: Array<[string, string]> = [
    ['CR', 'Acme\rX'],
    ['LF', 'Acme\nBcc: victim@evil.example'],
    ['NUL', 'Acme\u0000'],
    ['lone high surrogate', 'X\ud800Y'],
    ['lone low surrogate', 'X\udc00Y'],
    ['encoded-word with CR/LF', '=?utf-8?q?a=0D=0ABcc:_b@evil.example?='],
  ];
  for (const p of freeText)
    for (const [what, value] of badText) add(`${what} in ${pathText(p)}`, setPath(base, p, value), p);

  const long: Array<[(string | number)[], number]> = [
    [['salesOrder', 'poNumber'], 65],
    [['salesOrder', 'endCustomer', 'name'], 201],
    [['salesOrder', 'contacts', 0, 'name'], 201],
    [['salesOrder', 'contacts', 0, 'role'], 41],
    [['salesOrder', 'accounts', 0, 'name'], 201],
    [['lines', 0, 'licenseName'], 201],
    [['lines', 0, 'description'], 2001],
    [['lines', 0, 'description'], 200_000],
  ];
  for (const [p, n] of long) add(`huge ${pathText(p)} (${n})`, setPath(base, p, 'x'.repeat(n)), p);
  for (const p of [
    ['salesOrder', 'endCustomer', 'name'],
    ['lines', 0, 'licenseName'],
    ['salesOrder', 'poNumber'],
  ] as (string | number)[][]) {
    add(`empty ${pathText(p)}`, setPath(base, p, ''), p);
  }

  // zod names the object that holds an unknown key.
  for (const p of [
    [],
    ['salesOrder'],
    ['salesOrder', 'endCustomer'],
    ['salesOrder', 'contacts', 0],
    ['salesOrder', 'accounts', 0],
    ['lines', 0],
  ] as (string | number)[][]) {
    add(`unknown key in ${pathText(p) || '(root)'}`, setPath(base, [...p, 'unexpected'], 1), p.length ? p : '(root)');
  }
  const renewalBase = setPath(base, ['lines', 0, 'purchase'], 'renewal');
  add('renewal without renews', renewalBase, ['lines', 0, 'renews']);
  add(
    'renewal of a perpetual',
    setPath(setPath(base, ['lines', 1, 'purchase'], 'renewal'), ['lines', 1, 'renews'], { endDate: '2026-12-31' }),
    ['lines', 1, 'purchase'],
  );
  add(
    'renewal with unknown SSRN and no end date',
    setPath(renewalBase, ['lines', 0, 'renews'], { ssrn: 'SSRNUNKNOWN0001' }),
    ['lines', 0, 'renews'],
  );
  add('renews with a bad date', setPath(renewalBase, ['lines', 0, 'renews'], { endDate: '2026-02-30' }), [
    'lines',
    0,
    'renews',
    'endDate',
  ]);
  add('perpetual with a term', setPath(base, ['lines', 1, 'termMonths'], 12), ['lines', 1, 'termMonths']);
  add('duplicate line numbers', setPath(base, ['lines', 1, 'lineNumber'], '1.1'), ['lines', 1, 'lineNumber']);
  add('duplicate activation codes', setPath(base, ['lines', 1, 'activationCode'], 'hTq4Xe-P9dLm-Zw2RbK'), [
    'lines',
    1,
    'activationCode',
  ]);
  add('duplicate SSRNs', setPath(base, ['lines', 1, 'ssrn'], 'SSRN4K7Q2M9X1A'), ['lines', 1, 'ssrn']);
  add('duplicate contacts', setPath(base, ['salesOrder', 'contacts', 1, 'email'], 'NETOPS@acme.example'), [
    'salesOrder',
    'contacts',
    1,
    'email',
  ]);
  add('unknown product', setPath(base, ['lines', 0, 'product'], 'teleporter'), ['lines', 0, 'product']);
  add('key-in-email without devices', setPath(base, ['lines', 0, 'product'], 'coherent-optics'), [
    'lines',
    0,
    'devices',
  ]);
  add(
    'more devices than quantity',
    setPath(
      setPath(
        setPath(base, ['lines', 1, 'product'], 'coherent-optics'),
        ['lines', 1, 'devices'],
        ['JN11D2E7CAFB', 'JN125ED29AFL'],
      ),
      ['lines', 1, 'quantity'],
      1,
    ),
    ['lines', 1, 'devices'],
  );
  add('no lines', setPath(base, ['lines'], []), ['lines']);
  add('no contacts', setPath(base, ['salesOrder', 'contacts'], []), ['salesOrder', 'contacts']);
  add('no accounts', setPath(base, ['salesOrder', 'accounts'], []), ['salesOrder', 'accounts']);
  add(
    '51 contacts',
    setPath(
      base,
      ['salesOrder', 'contacts'],
      Array.from({ length: 51 }, (_, i) => ({ email: `c${i}@acme.example` })),
    ),
    ['salesOrder', 'contacts'],
  );
  add(
    '21 accounts',
    setPath(
      base,
      ['salesOrder', 'accounts'],
      Array.from({ length: 21 }, (_, i) => ({ id: `A${i}`, role: 'customer' })),
    ),
    ['salesOrder', 'accounts'],
  );

  // Prototype-pollution keys must be refused before they reach any object (the JSON body parser rejects them).
  const raw = (name: string, body: string, expectPath: string | undefined, expectStatus = 400) =>
    out.push({ name, body, expectStatus, ...(expectPath && { expectPath }) });
  const json = JSON.stringify(base);
  raw('__proto__ at the root', json.replace('{', '{"__proto__":{"polluted":true},'), undefined);
  raw(
    '__proto__ in salesOrder',
    json.replace('"salesOrder":{', '"salesOrder":{"__proto__":{"isAdmin":true},'),
    undefined,
  );
  raw(
    'constructor.prototype in a line',
    json.replace('"lines":[{', '"lines":[{"constructor":{"prototype":{"polluted":true}},'),
    undefined,
  );
  const deepObject = `${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}`;
  raw(
    'deep nesting in a text field',
    json.replace(
      '"description":"Advanced feature license for one EX Series switch, with support, 3-year subscription"',
      `"description":${deepObject}`,
    ),
    'lines[0].description',
  );
  raw(
    'deep nesting in devices',
    json.replace('"quantity":4,', `"quantity":4,"devices":${'['.repeat(5000)}${']'.repeat(5000)},`),
    'lines[0].devices',
  );
  raw('not JSON', '{"eventId": "x",', undefined);
  raw('JSON array', '[1,2,3]', '(root)');
  raw('JSON string', '"event"', '(root)');
  raw('JSON null', 'null', undefined);
  raw('truncated', json.slice(0, json.length / 2), undefined);
  raw('trailing garbage', `${json}xyz`, undefined);
  raw('BOM and comment', `\ufeff// c\n${json}`, undefined);
  raw('over 1 MiB', JSON.stringify(setPath(base, ['lines', 0, 'description'], 'x'.repeat(1_100_000))), undefined, 413);
  return out;
}
