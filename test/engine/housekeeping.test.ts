import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Housekeeping } from '../../src/engine/housekeeping.js';
import { revokeToken, tokenStanding } from '../../src/store/iam/revoked-tokens.js';
import { type TestDatabase, openTestDatabase } from '../support/databases.js';

describe('housekeeping', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  const jtis = async () => (await database.db.selectFrom('revokedTokens').select('jti').orderBy('jti').execute()).map((r) => r.jti);

  it('purges the revocations of tokens that have expired anyway, and keeps those still needed', async () => {
    const now = new Date();
    await revokeToken(database.db, 'expired-yesterday', new Date(now.getTime() - 86_400_000), 'test');
    await revokeToken(database.db, 'expires-in-an-hour', new Date(now.getTime() + 3_600_000), 'test');
    const housekeeping = new Housekeeping(database.db, pino({ level: 'silent' }));
    expect(await housekeeping.runOnce(now)).toMatchObject({ revocationsPurged: 1 });
    expect(await jtis()).toEqual(['expires-in-an-hour']);
    // The revocation still stands where it matters: a token that has not expired stays refused.
    const standing = await tokenStanding(database.db, { jti: 'expires-in-an-hour', apiKeyId: '00000000-0000-7000-8000-000000000000', issuedAt: now });
    expect(standing.revoked).toBe('the token has been revoked');
    expect(await housekeeping.runOnce(now)).toMatchObject({ revocationsPurged: 0 });
  });

  it('runs a round at start and stops promptly however long its interval', async () => {
    await revokeToken(database.db, 'expired-at-start', new Date(Date.now() - 1000), 'test');
    const housekeeping = new Housekeeping(database.db, pino({ level: 'silent' }), { intervalMs: 3_600_000 });
    housekeeping.start();
    const deadline = Date.now() + 10_000;
    while ((await jtis()).includes('expired-at-start') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await jtis()).not.toContain('expired-at-start');
    // An hour's wait is cut short: stop() returns within the test's timeout.
    await housekeeping.stop();
  });
});
