import { describe, expect, it } from 'vitest';
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from '../../src/iam/api-key-format.js';
import { bootstrapMatcher } from '../../src/iam/bootstrap-token.js';
import { TokenService } from '../../src/iam/token-service.js';

describe('API keys', () => {
  it('round-trip: the key names its id, and only its secret matches the stored hash', () => {
    const key = generateApiKey();
    const parsed = parseApiKey(key.token);
    expect(parsed?.id).toBe(key.id);
    expect(secretMatches(parsed!.secret, key.secretHash)).toBe(true);
    const other = parsed!.secret.endsWith('A') ? 'B' : 'A';
    expect(secretMatches(`${parsed!.secret.slice(0, -1)}${other}`, key.secretHash)).toBe(false);
    expect(key.secretHash).toBe(hashSecret(parsed!.secret));
    expect(key.secretHash).not.toContain(parsed!.secret);
  });

  it('reject malformed keys', () => {
    for (const bad of ['', 'mtk_', 'mtk_xyz_abc', `mtk_${'0'.repeat(32)}_short`, 'Bearer x']) expect(parseApiKey(bad)).toBeUndefined();
  });
});

describe('access tokens', () => {
  const tokens = new TokenService('a-signing-secret-long-enough-for-hs256-0123456789', 60);

  it('carry role, tenant and the key they came from', async () => {
    const { token, claims } = await tokens.issue({ apiKeyId: 'k1', role: 'Admin', tenantId: 't1' });
    expect(await tokens.verify(token)).toEqual(claims);
    expect(claims.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('refuse tampered, foreign and expired tokens', async () => {
    const { token } = await tokens.issue({ apiKeyId: 'k1', role: 'Viewer', tenantId: 't1' });
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'platform_admin' })).toString('base64url');
    await expect(tokens.verify(`${h}.${forged}.${s}`)).rejects.toThrow(/not valid/);
    const other = new TokenService('another-secret-entirely-0123456789-abcdefghij', 60);
    await expect(other.verify(token)).rejects.toThrow(/not valid/);
    const expired = new TokenService('a-signing-secret-long-enough-for-hs256-0123456789', -5);
    const { token: old } = await expired.issue({ apiKeyId: 'k1', role: 'Admin', tenantId: 't1' });
    await expect(tokens.verify(old)).rejects.toThrow(/expired/);
  });
});

describe('bootstrap token', () => {
  it('matches only itself', () => {
    const matches = bootstrapMatcher('the-bootstrap-token-0123456789');
    expect(matches('the-bootstrap-token-0123456789')).toBe(true);
    expect(matches('the-bootstrap-token-012345678')).toBe(false);
    expect(matches('')).toBe(false);
  });
});
