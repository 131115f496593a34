import { describe, expect, it } from 'vitest';
import { PGliteGate } from '../../src/store/pglite-dialect.js';
import { openDatabase } from '../../src/store/open-database.js';

describe('PGliteGate: who gets the embedded database\'s one session next', () => {
  it('hands the session to foreground waiters before background ones, in arrival order within a lane', async () => {
    const gate = new PGliteGate();
    const release = await gate.acquire('background');
    const order: string[] = [];
    const take = (lane: 'foreground' | 'background', name: string) =>
      gate.acquire(lane).then((done) => {
        order.push(name);
        done();
      });
    const all = Promise.all([take('background', 'b1'), take('foreground', 'f1'), take('background', 'b2'), take('foreground', 'f2')]);
    release();
    await all;
    expect(order).toEqual(['f1', 'f2', 'b1', 'b2']);
  });

  it('gives the session to one holder at a time, and a second release changes nothing', async () => {
    const gate = new PGliteGate();
    const first = await gate.acquire('foreground');
    let second = false;
    const waiting = gate.acquire('foreground').then((done) => {
      second = true;
      return done;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(second).toBe(false);
    first();
    first();
    const done = await waiting;
    expect(second).toBe(true);
    // Had the double release freed the gate, this would get in at once alongside the holder.
    let third = false;
    const after = gate.acquire('background').then((d) => {
      third = true;
      d();
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    done();
    await after;
    expect(third).toBe(true);
  });

  it('lets an API query through while background work queues on the embedded database', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: undefined });
    try {
      // A background transaction holds the session; more background work queues behind it.
      let releaseHolder!: () => void;
      const holding = new Promise<void>((r) => (releaseHolder = r));
      const holder = database.backgroundDb.transaction().execute(async () => holding);
      const finished: string[] = [];
      const background = Array.from({ length: 5 }, (_, i) =>
        database.backgroundDb.selectNoFrom((eb) => eb.val(i).as('n')).execute().then(() => finished.push(`background-${i}`)),
      );
      await new Promise((r) => setTimeout(r, 10));
      const api = database.db.selectNoFrom((eb) => eb.val(1).as('n')).execute().then(() => finished.push('api'));
      releaseHolder();
      await Promise.all([holder, api, ...background]);
      expect(finished[0]).toBe('api');
    } finally {
      await database.close();
    }
  });
});
