import { describe, expect, it } from 'vitest';
import { MAX_TENANT_NAME_PREFIX_LENGTH, TENANT_SCHEMA_SUFFIXES, tenantDatabasePlan, tenantNamePrefixProblem } from '../../src/domain/tenant-database.js';

describe("a tenant's database names", () => {
  it('nine schemas after the services, and a role (and for a database of its own, the database) from the slug', () => {
    expect(tenantDatabasePlan('t-1', 'acme-corp', 'SCHEMA_PER_TENANT')).toEqual({
      tenantId: 't-1',
      isolation: 'SCHEMA_PER_TENANT',
      schemas: TENANT_SCHEMA_SUFFIXES.map((suffix) => `acme_corp_${suffix}`),
      role: 'acme_corp_app',
      // One group per deployment holds CONNECT on the shared database; tenant roles are its members.
      connectGroup: 'matih_tenants',
    });
    expect(tenantDatabasePlan('t-1', 'acme-corp', 'DATABASE_PER_TENANT')).toMatchObject({ role: 'acme_corp_owner', database: 'matih_acme_corp' });
  });

  it('prefixes the server-wide names (roles, database), never the schemas', () => {
    const shared = tenantDatabasePlan('t-1', 'acme-corp', 'SCHEMA_PER_TENANT', 'cp1_');
    expect(shared).toMatchObject({ role: 'cp1_acme_corp_app', connectGroup: 'cp1_matih_tenants', schemas: expect.arrayContaining(['acme_corp_ai', 'acme_corp_governance']) as unknown });
    expect(tenantDatabasePlan('t-1', 'acme-corp', 'DATABASE_PER_TENANT', 'cp1_')).toMatchObject({ role: 'cp1_acme_corp_owner', database: 'cp1_matih_acme_corp' });
    // The default is no prefix: the names of before.
    expect(tenantDatabasePlan('t-1', 'acme', 'SCHEMA_PER_TENANT')).toEqual(tenantDatabasePlan('t-1', 'acme', 'SCHEMA_PER_TENANT', ''));
  });

  it('takes a prefix only when it is a safe name start of at most 16 characters', () => {
    for (const ok of ['', 'a', 'cp1_', 'matih_', 'a_b_c', 'pg', 'pgx_', 'x'.repeat(MAX_TENANT_NAME_PREFIX_LENGTH)]) expect(tenantNamePrefixProblem(ok), ok).toBeUndefined();
    for (const bad of ['pg_', 'pg_x_', '1cp_', '_cp', 'Cp_', 'cp-1', 'cp"', 'cp;', 'cp ', 'é', 'x'.repeat(17)]) expect(tenantNamePrefixProblem(bad), bad).toEqual(expect.any(String));
    expect(tenantNamePrefixProblem('pg_x')).toContain('pg_');
    // One character more is a prefix too long, refused rather than truncated.
    expect(tenantNamePrefixProblem('x'.repeat(MAX_TENANT_NAME_PREFIX_LENGTH + 1))).toMatch(/1 to 16/);
  });
});
