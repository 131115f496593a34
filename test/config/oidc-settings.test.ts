import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';


const MINIMAL = {
  MATIH_OIDC_ISSUER: 'https://login.example.com/realms/matih',
  MATIH_OIDC_AUDIENCE: 'https://api.matih.example.com',
  MATIH_OIDC_ADMIN_GROUPS: 'matih-admins',
};

describe('OIDC settings (MATIH_OIDC_*)', () => {
  it('are off unless an issuer is named', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
  });

  it('read the issuer, audience, clients and the claim-to-role mapping', () => {
    const config = loadConfig({
      ...MINIMAL,
      MATIH_OIDC_CLIENT_ID: 'matih-dashboard',
      MATIH_OIDC_CLIENT_SECRET: 'secret-value',
      MATIH_OIDC_SCOPES: 'openid email groups',
      MATIH_OIDC_RESOURCE_INDICATOR: 'false',
      MATIH_OIDC_GROUPS_CLAIM: 'roles',
      MATIH_OIDC_TENANT_CLAIM: 'https://matih.example.com/tenant',
      MATIH_OIDC_ADMIN_GROUPS: 'matih-admins, platform-ops',
      MATIH_OIDC_ROLE_GROUPS: 'Admin:tenant-admins,Analyst:analysts,Viewer:viewers,Viewer:auditors',
      MATIH_OIDC_CLOCK_SKEW_S: '60',
    });
    expect(config.oidc).toEqual({
      issuer: 'https://login.example.com/realms/matih',
      audience: 'https://api.matih.example.com',
      clientId: 'matih-dashboard',
      clientSecret: 'secret-value',
      // matihctl signs in as the dashboard's client unless it has its own.
      cliClientId: 'matih-dashboard',
      scopes: ['openid', 'email', 'groups'],
      resourceIndicator: false,
      groupsClaim: 'roles',
      tenantClaim: 'https://matih.example.com/tenant',
      adminGroups: ['matih-admins', 'platform-ops'],
      roleGroups: [
        { role: 'Admin', group: 'tenant-admins' },
        { role: 'Analyst', group: 'analysts' },
        { role: 'Viewer', group: 'viewers' },
        { role: 'Viewer', group: 'auditors' },
      ],
      clockSkewSeconds: 60,
    });
    expect(loadConfig({ ...MINIMAL, MATIH_OIDC_CLIENT_ID: 'web', MATIH_OIDC_CLI_CLIENT_ID: 'native' }).oidc).toMatchObject({
      clientId: 'web',
      cliClientId: 'native',
      scopes: ['openid', 'profile', 'email'],
      resourceIndicator: true,
      groupsClaim: 'groups',
      tenantClaim: 'matih_tenant',
      clockSkewSeconds: 30,
    });
  });

  it('list what is wrong, never echoing the secret', () => {
    const found = configProblems({
      MATIH_OIDC_ISSUER: 'http://login.example.com',
      MATIH_OIDC_CLIENT_SECRET: 'do-not-print-me',
      MATIH_OIDC_SCOPES: 'email',
      MATIH_OIDC_ROLE_GROUPS: 'Owner:owners,Viewer:',
      MATIH_OIDC_CLOCK_SKEW_S: '3600',
    }).join('\n');
    expect(found).toContain('MATIH_OIDC_ISSUER="http://login.example.com" must be an https URL');
    expect(found).toContain('MATIH_OIDC_AUDIENCE is required');
    expect(found).toContain('MATIH_OIDC_CLIENT_SECRET needs MATIH_OIDC_CLIENT_ID');
    expect(found).toContain('MATIH_OIDC_SCOPES="email" must include openid');
    expect(found).toContain('entry "Owner:owners" must be <role>:<group>');
    expect(found).toContain('entry "Viewer:" must be <role>:<group>');
    expect(found).toContain('needs MATIH_OIDC_ADMIN_GROUPS or MATIH_OIDC_ROLE_GROUPS');
    expect(found).toContain('MATIH_OIDC_CLOCK_SKEW_S="3600"');
    expect(found).not.toContain('do-not-print-me');
    // Plain http is for a provider on this machine only.
    expect(configProblems({ ...MINIMAL, MATIH_OIDC_ISSUER: 'http://127.0.0.1:9000' })).toEqual([]);
    // Settings without an issuer would be ignored: said instead.
    expect(configProblems({ MATIH_OIDC_AUDIENCE: 'x', MATIH_OIDC_ADMIN_GROUPS: 'y' })).toEqual([
      'MATIH_OIDC_AUDIENCE, MATIH_OIDC_ADMIN_GROUPS are set but MATIH_OIDC_ISSUER is not: set it, or unset them',
    ]);
  });
});
