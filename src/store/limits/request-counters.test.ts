import { describe, expect, it } from 'vitest';
import { databasePerTest, sleep } from '../../../test/support/store-operations.js';
import { countHits, purgeEndedCounters, readCounter } from './request-counters.js';

describe('countHits', () => {
  const db = databasePerTest({ poolSize: 16 });

  it('counts each key in a fixed window started by its first hit, and starts the next one at 1', async () => {
    const hit = (key: string, windowMs = 60_000) => countHits(db(), [{ key, windowMs }]);
    const first = (await hit('a'))[0]!;
    expect(first).toMatchObject({ key: 'a', count: 1 });
    expect(first.ttlMs).toBeGreaterThan(59_000);
    expect(first.ttlMs).toBeLessThanOrEqual(60_000);
    expect((await hit('a'))[0]!.count).toBe(2);
    // The window is the first hit's: a later hit does not move its end.
    expect((await hit('a', 1))[0]!.ttlMs).toBeLessThanOrEqual(first.ttlMs);
    expect((await hit('b', 300))[0]!.count).toBe(1);
    await sleep(350);
    const next = (await hit('b', 300))[0]!;
    expect(next.count).toBe(1);
    expect(next.ttlMs).toBeGreaterThan(200);
  });

  it('counts several keys in one statement, and reads a counter without counting it', async () => {
    await countHits(db(), [{ key: 'lock', windowMs: 60_000 }]);
    const counted = await countHits(db(), [{ key: 'x', windowMs: 60_000 }, { key: 'y', windowMs: 60_000 }]);
    expect(counted.map((c) => [c.key, c.count]).sort()).toEqual([['x', 1], ['y', 1]]);
    expect(await readCounter(db(), 'lock')).toMatchObject({ key: 'lock', count: 1 });
    expect((await readCounter(db(), 'lock'))?.count).toBe(1);
    expect(await readCounter(db(), 'nobody')).toBeUndefined();
    expect(await countHits(db(), [])).toEqual([]);
  });

  it('does not read a window that has ended', async () => {
    await countHits(db(), [{ key: 'lock', windowMs: 50 }]);
    await sleep(80);
    expect(await readCounter(db(), 'lock')).toBeUndefined();
  });

  it('loses no hit when many arrive at once on keys they share', async () => {
    const hits = Array.from({ length: 120 }, (_, i) =>
      countHits(db(), [{ key: `credential-${i % 3}`, windowMs: 60_000 }, { key: 'tenant', windowMs: 60_000 }]),
    );
    const results = await Promise.all(hits);
    const tenantCounts = results.map((r) => r.find((c) => c.key === 'tenant')!.count).sort((a, b) => a - b);
    expect(tenantCounts).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const last = await countHits(db(), [{ key: 'credential-0', windowMs: 60_000 }]);
    expect(last[0]!.count).toBe(41);
  });

  it('purges the counters whose window has ended, and only those', async () => {
    await countHits(db(), [{ key: 'ended', windowMs: 20 }, { key: 'open', windowMs: 60_000 }]);
    await sleep(50);
    expect(await purgeEndedCounters(db())).toBe(1);
    expect((await db().selectFrom('requestCounters').select('key').execute()).map((r) => r.key)).toEqual(['open']);
  });
});
