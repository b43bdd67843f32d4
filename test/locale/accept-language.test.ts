import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preferredLocale } from '../../src/locale/accept-language.ts';

const SUPPORTED = ['en', 'de', 'ja'];

describe('the language a browser prefers', () => {
  it('by quality, then by order; regions fall back to their language', () => {
    expect(preferredLocale('de-CH, en;q=0.5', SUPPORTED)).toBe('de');
    expect(preferredLocale('en;q=0.4, ja;q=0.9', SUPPORTED)).toBe('ja');
    expect(preferredLocale('fr-FR, fr;q=0.9, ja;q=0.8, en;q=0.7', SUPPORTED)).toBe('ja');
    expect(preferredLocale('en-US, de;q=0.9', SUPPORTED)).toBe('en');
    expect(preferredLocale('DE', SUPPORTED)).toBe('de');
  });

  it('English when nothing supported is asked for, the header is absent, or a language is refused (q=0)', () => {
    expect(preferredLocale(undefined, SUPPORTED)).toBe('en');
    expect(preferredLocale('fr, es', SUPPORTED)).toBe('en');
    expect(preferredLocale('de;q=0, fr', SUPPORTED)).toBe('en');
    expect(preferredLocale('*', SUPPORTED)).toBe('en');
  });

  it('any header at all yields a supported locale', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (header) => {
        expect(SUPPORTED).toContain(preferredLocale(header, SUPPORTED));
      }),
      { numRuns: 500 },
    );
  });
});

describe('preferredLocale', () => {
  const supported = ['de', 'en', 'ja'];
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['de-CH', 'de'],
    ['ja,en;q=0.8', 'ja'],
    ['fr-FR, fr;q=0.9, de;q=0.8, en;q=0.7', 'de'],
    ['en;q=0.5, ja;q=0.9', 'ja'],
    ['en-GB, de', 'en'],
    ['de;q=0, ja;q=0.1', 'ja'],
    ['*', 'en'],
    ['de;q=abc, ja', 'ja'],
    [`${'x-y, '.repeat(10_000)}ja`, 'en'],
  ])('%s gives %s', (header, locale) => {
    expect(preferredLocale(header, supported)).toBe(locale);
  });
});
