import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialRecheck } from '../../src/iam/authenticator.js';
import { bootstrapMatcher } from '../../src/iam/bootstrap-token.js';
import { waitForJobEnd } from '../support/provisioning.js';
import { BOOTSTRAP_TOKEN, type TestApp, adminAuth, createTenantViaApi, startTestApp } from '../support/test-app.js';

/**
 * The once-a-second check of the open progress streams' credentials (api/credential-watch.ts):
 * the same verdicts as a sign-in, every API key among them read in one statement.
 */
describe('re-checking the credentials of open streams', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ engine: { delayMs: 1 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses exactly the revoked key, the wrong secret, the closed tenant and the bad token, with one query for all the keys', async () => {
    const post = (url: string, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url, headers: adminAuth, payload });
    const open = await createTenantViaApi(t.app, { tier: 'FREE' });
    const suspended = await createTenantViaApi(t.app, { tier: 'FREE' });
    // Suspending takes an ACTIVE tenant.
    expect((await waitForJobEnd(t.app, suspended.id, 60_000)).job.status).toBe('SUCCEEDED');
    const second = (await post(`/api/v1/tenants/${open.id}/api-keys`, { name: 'second', role: 'Viewer' })).json<{ id: string; key: string }>();
    const revoked = (await post(`/api/v1/tenants/${open.id}/api-keys`, { name: 'revoked', role: 'Viewer' })).json<{ id: string; key: string }>();
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${open.id}/api-keys/${revoked.id}`, headers: adminAuth })).statusCode).toBe(200);
    expect((await post(`/api/v1/tenants/${suspended.id}/suspend`, { reason: 'unpaid' })).statusCode).toBe(202);
    const good = open.initialApiKey.key;
    const wrongSecret = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;

    let queries = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const recheck = createCredentialRecheck({ db: t.database.db.withPlugin(counting), tokens: t.deps.tokens, isBootstrapToken: bootstrapMatcher(BOOTSTRAP_TOKEN) });
    const refused = await recheck([good, second.key, revoked.key, wrongSecret, suspended.initialApiKey.key, BOOTSTRAP_TOKEN, 'not.a.token']);

    expect([...refused.keys()].sort()).toEqual([revoked.key, wrongSecret, suspended.initialApiKey.key, 'not.a.token'].sort());
    const reason = (bearer: string) => (refused.get(bearer) as Error).message;
    expect(reason(revoked.key)).toBe('the API key has been revoked');
    expect(reason(wrongSecret)).toBe('the API key is not valid');
    expect(reason(suspended.initialApiKey.key)).toMatch(/the tenant is (suspending|suspended)/);
    // Five API keys, one statement; the bootstrap token and a token that does not verify need none.
    expect(queries).toBe(1);
    // Nothing to check, nothing asked.
    expect((await recheck([])).size).toBe(0);
    expect(queries).toBe(1);
  });
});
