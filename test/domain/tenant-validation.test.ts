import { describe, expect, it } from 'vitest';
import { CLOUD_PROVIDERS } from '../../src/domain/cloud.js';
import { ValidationError } from '../../src/domain/errors.js';
import { RESERVED_SLUGS, slugProblem, validateNewTenant } from '../../src/domain/tenant-validation.js';

const ctx = { enabledCloudProviders: CLOUD_PROVIDERS };
const valid = { name: 'Acme Corporation', slug: 'acme', tier: 'professional', adminEmail: 'Admin@Acme.com', region: 'eastus' };

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fieldErrors.map((e) => e.field);
    throw error;
  }
  return [];
}

describe('tenant validation (spec/002 VALIDATE)', () => {
  it('normalises a valid request: tier upper-cased, email lower-cased, provider defaulted', () => {
    expect(validateNewTenant(valid, ctx)).toEqual({
      name: 'Acme Corporation',
      slug: 'acme',
      tier: 'PROFESSIONAL',
      adminEmail: 'admin@acme.com',
      cloudProvider: 'AZURE',
      region: 'eastus',
    });
  });

  it('defaults the region to the provider default when none is given', () => {
    expect(validateNewTenant({ ...valid, cloudProvider: 'gcp', region: undefined }, ctx).region).toBe('us-central1');
  });

  it.each([
    ['ab', 'must be 3 to 40'],
    ['a'.repeat(41), 'must be 3 to 40'],
    ['Acme', 'lowercase'],
    ['acme_co', 'lowercase'],
    ['-acme', 'must not start or end with a hyphen'],
    ['acme-', 'must not start or end with a hyphen'],
    ['ac--me', 'two hyphens'],
    ['acme corp', 'lowercase'],
    ["acme';drop", 'lowercase'],
    ['admin', 'reserved'],
  ])('rejects slug %j', (slug, message) => {
    expect(slugProblem(slug)).toContain(message);
  });

  it.each(['abc', 'a-1', '123', 'a'.repeat(40), 'acme-corp-eu'])('accepts slug %j', (slug) => {
    expect(slugProblem(slug)).toBeUndefined();
  });

  it('keeps every reserved slug out', () => {
    for (const slug of RESERVED_SLUGS) if (slug.length >= 3) expect(slugProblem(slug)).toMatch(/reserved/);
  });

  it.each(['not-an-email', 'a@b', 'a b@c.com', '@acme.com', 'a@.com', `${'a'.repeat(250)}@x.com`])('rejects email %j', (adminEmail) => {
    expect(fieldsOf(() => validateNewTenant({ ...valid, adminEmail }, ctx))).toEqual(['adminEmail']);
  });

  it('rejects an unknown tier, naming the choices', () => {
    expect(() => validateNewTenant({ ...valid, tier: 'gold' }, ctx)).toThrow(/FREE, PROFESSIONAL, ENTERPRISE/);
  });

  it('rejects a provider that is not enabled here', () => {
    expect(() => validateNewTenant({ ...valid, cloudProvider: 'AWS', region: 'us-east-1' }, { enabledCloudProviders: ['AZURE'] })).toThrow(
      /AWS is not enabled/,
    );
  });

  it('rejects Enterprise on a cloud whose dedicated infrastructure this installation cannot build', () => {
    const azureOnly = { enabledCloudProviders: CLOUD_PROVIDERS, dedicatedCloudProviders: ['AZURE'] as const };
    expect(() => validateNewTenant({ ...valid, tier: 'enterprise', cloudProvider: 'AWS', region: 'us-east-1' }, azureOnly)).toThrow(
      /ENTERPRISE runs on dedicated infrastructure, which this installation builds on AZURE only/,
    );
    expect(fieldsOf(() => validateNewTenant({ ...valid, tier: 'enterprise', cloudProvider: 'GCP', region: 'us-central1' }, azureOnly))).toEqual(['cloudProvider']);
    // Shared tiers run on the platform's cluster, whatever the cloud; Enterprise on Azure is built.
    expect(validateNewTenant({ ...valid, cloudProvider: 'AWS', region: 'us-east-1' }, azureOnly).cloudProvider).toBe('AWS');
    expect(validateNewTenant({ ...valid, tier: 'enterprise' }, azureOnly).tier).toBe('ENTERPRISE');
  });

  it('rejects a region of another provider', () => {
    expect(fieldsOf(() => validateNewTenant({ ...valid, cloudProvider: 'AZURE', region: 'us-east-1' }, ctx))).toEqual(['region']);
  });

  it('rejects empty, over-long and control-character names', () => {
    for (const name of ['  ', 'x'.repeat(101), 'Acme\u0000Corp']) {
      expect(fieldsOf(() => validateNewTenant({ ...valid, name }, ctx))).toEqual(['name']);
    }
  });

  it('reports every bad field at once', () => {
    expect(
      fieldsOf(() => validateNewTenant({ name: '', slug: '-x', tier: 'gold', adminEmail: 'nope', cloudProvider: 'mars' }, ctx)).sort(),
    ).toEqual(['adminEmail', 'cloudProvider', 'name', 'slug', 'tier']);
  });
});
