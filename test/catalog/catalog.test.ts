import { describe, expect, it } from 'vitest';
import { loadCatalog, parseCatalog } from '../../src/catalog/catalog.ts';

const product = {
  family: 'ATP Cloud',
  displayName: 'ATP Cloud',
  instructionsUrl: 'https://licensing.example.net/docs/activate/atp-cloud',
  features: ['ATP-CLOUD'],
};
const parse = (fields: object) => parseCatalog({ products: { 'atp-cloud': { ...product, ...fields } } });

describe('the product catalog', () => {
  it('names the portal of every product-portal product in the fixtures, with an https link', () => {
    const portals = [...loadCatalog().values()].filter((p) => p.mode === 'product-portal');
    expect(portals.map((p) => p.key).sort()).toEqual(['atp-cloud', 'security-director-cloud']);
    for (const p of portals) {
      expect(p.portalName, p.key).toMatch(/\S/);
      expect(new URL(p.portalUrl!).protocol, p.key).toBe('https:');
    }
  });

  it('takes portalName and portalUrl, optional outside product-portal', () => {
    const named = parse({
      mode: 'product-portal',
      portalName: 'ATP Cloud Web Portal',
      portalUrl: 'https://atp.example',
    });
    expect(named.get('atp-cloud')).toMatchObject({
      portalName: 'ATP Cloud Web Portal',
      portalUrl: 'https://atp.example',
    });
    expect(parse({ mode: 'product-portal', portalUrl: 'https://atp.example' }).get('atp-cloud')!.portalName).toBe(
      undefined,
    );
    expect(parse({ mode: 'portal' }).get('atp-cloud')!.portalUrl).toBe(undefined);
  });

  it.each([
    [{ mode: 'product-portal' }, 'products.atp-cloud.portalUrl: is required when mode is product-portal'],
    [
      { mode: 'product-portal', portalUrl: 'http://atp.example' },
      'products.atp-cloud.portalUrl: must be an https:// URL',
    ],
    [{ mode: 'product-portal', portalUrl: 'javascript:alert(1)' }, 'products.atp-cloud.portalUrl: must be an https://'],
    [{ mode: 'portal', portalUrl: 'atp.example' }, 'products.atp-cloud.portalUrl: must be an https:// URL'],
    [{ mode: 'product-portal', portalUrl: 'https://atp.example', portalName: ' ' }, 'portalName: must not be empty'],
  ])('refuses %j, naming the field', (fields, message) => {
    expect(() => parse(fields)).toThrow(message);
  });
});
