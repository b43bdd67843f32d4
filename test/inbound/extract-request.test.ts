import { describe, expect, it } from 'vitest';
import { extractActivationRequest } from '../../src/inbound/extract-request.ts';
import { isAutomaticMail } from '../../src/inbound/automatic-mail.ts';

const CODE = 'Mk3pWz-7HqRt-Bn4VxC';

describe('finding the activation code and devices in a request', () => {
  it.each([
    ['labelled, English', { text: `Activation code: ${CODE}\nSerial number: JN11D2E7CAFB` }, [CODE], ['JN11D2E7CAFB']],
    ['labelled, German', { text: `Aktivierungscode: ${CODE}\nSeriennummer: JN11D2E7CAFB` }, [CODE], ['JN11D2E7CAFB']],
    ['labelled, Japanese full-width colon', { text: `アクティベーションコード：${CODE}\nシリアル番号：JN11D2E7CAFB` }, [CODE], ['JN11D2E7CAFB']],
    ['unlabelled in prose', { text: `Please activate ${CODE} for our router JN11D2E7CAFB, thanks` }, [CODE], ['JN11D2E7CAFB']],
    ['code in the subject', { subject: `Activation ${CODE}`, text: 'S/N: jn11d2e7cafb' }, [CODE], ['JN11D2E7CAFB']],
    ['several devices on one line', { text: `Code: ${CODE}\nSerial numbers: JN11D2E7CAFB, JN125ED29AFL; CV1234AB5678` }, [CODE], ['JN11D2E7CAFB', 'JN125ED29AFL', 'CV1234AB5678']],
    ['a UUID, any case', { text: `${CODE}\nUUID: 7F3C2A9E-1B4D-4C8E-9A61-2D5F8E0B7C13` }, [CODE], ['7f3c2a9e-1b4d-4c8e-9a61-2d5f8e0b7c13']],
    ['HTML only', { html: `<div>Code: <b>${CODE}</b><br>Serial: <span>JN11D2E7CAFB</span></div>` }, [CODE], ['JN11D2E7CAFB']],
    ['quoted reply text ignored', { text: `Serial: JN125ED29AFL\nCode ${CODE}\n\nOn Mon someone wrote:\n> Code: Qr5sTu-8VwXy-Za1BcD\n> Serial: JN11D2E7CAFB` }, [CODE], ['JN125ED29AFL']],
    ['signature ignored', { text: `Code ${CODE} serial JN11D2E7CAFB\n-- \nJohn, phone JN000000000X` }, [CODE], ['JN11D2E7CAFB']],
    ['duplicates collapse', { text: `${CODE} ${CODE}\nJN11D2E7CAFB jn11d2e7cafb` }, [CODE], ['JN11D2E7CAFB']],
    ['nothing that looks like one', { text: 'Order 15563301 of 2026-11-28, SKU S-NS-CTRL-100-1, SSRN2C9D4E6F8G' }, [], []],
  ])('%s', (_name, input, codes, devices) => {
    expect(extractActivationRequest(input)).toEqual({ codes, devices });
  });

  it('reads no further than 64 KiB of a huge body', () => {
    const huge = `${'x '.repeat(100_000)}\nCode: ${CODE}`;
    expect(extractActivationRequest({ text: huge }).codes).toEqual([]);
  });
});

describe('automatic mail', () => {
  const h = (o: Record<string, string>) => new Map(Object.entries(o));
  it.each([
    [h({ 'auto-submitted': 'auto-replied' }), 'a@b.example', /Auto-Submitted/],
    [h({ 'auto-submitted': 'auto-generated' }), 'a@b.example', /Auto-Submitted/],
    [h({ precedence: 'bulk' }), 'a@b.example', /Precedence/],
    [h({ precedence: 'junk' }), 'a@b.example', /Precedence/],
    [h({ precedence: 'list' }), 'a@b.example', /Precedence/],
    [h({}), 'MAILER-DAEMON@mx.example', /mail system/],
    [h({}), 'noreply@vendor.example', /mail system/],
    [h({ 'list-id': '<x.lists.example>' }), 'a@b.example', /mailing list/],
    [h({ 'x-autoreply': 'yes' }), 'a@b.example', /automatic reply/],
    [h({ 'content-type': 'multipart/report; report-type=delivery-status' }), 'a@b.example', /report/],
    [h({}), 'activate@example.net', /own address/],
  ])('%o from %s is automatic', (headers, from, reason) => {
    expect(isAutomaticMail(headers, from, ['activate@example.net'])).toMatch(reason);
  });

  it('leaves a person\'s mail alone', () => {
    expect(isAutomaticMail(h({ 'auto-submitted': 'no', precedence: 'normal' }), 'juergen@mueller.example', ['activate@example.net'])).toBeUndefined();
  });
});
