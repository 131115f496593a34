import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerDatabase, dropServerDatabase } from '../support/databases.js';
import { ServiceProcesses, httpJson } from '../support/service-process.js';

/**
 * The bootstrap token runbook of docs/operations.md: a process accepts exactly the token it read
 * at start (MATIH_BOOTSTRAP_TOKEN, else the data directory's `bootstrap-token`, generated when
 * missing), so a rotation is a new token and a restart. After it the old token is refused, the new
 * one accepted, and the API keys made with the old one keep working.
 */

const processes = new ServiceProcesses();
afterAll(async () => {
  await processes.cleanup();
});

const whoami = (url: string, token: string) => httpJson<{ actor: string }>(`${url}/api/v1/auth/whoami`, { token });

describe('rotating the bootstrap token', () => {
  it('refuses the old token after a restart with a new one, and keeps the API keys made with it', async () => {
    const url = await createServerDatabase();
    const dataDir = await processes.tempDir('matih-bootstrap-');
    const file = path.join(dataDir, 'bootstrap-token');
    const env = { DATABASE_URL: url, MATIH_SECRET_KEY: Buffer.alloc(32, 5).toString('base64') };
    try {
      // Generated at the first start, printed once and kept in the data directory.
      const first = await processes.start({ dataDir, env });
      const generated = (await fs.readFile(file, 'utf8')).trim();
      expect(first.stdout()).toContain(generated);
      expect((await whoami(first.tenantUrl, generated)).body.actor).toBe('bootstrap');
      const key = await httpJson<{ id: string; key: string }>(`${first.tenantUrl}/api/v1/api-keys`, { method: 'POST', token: generated, body: { name: 'automation' } });
      expect(key.status).toBe(201);
      await first.stop();

      // Without MATIH_BOOTSTRAP_TOKEN: delete the file and restart.
      await fs.rm(file);
      const second = await processes.start({ dataDir, env });
      const regenerated = (await fs.readFile(file, 'utf8')).trim();
      expect(regenerated).not.toBe(generated);
      expect((await whoami(second.tenantUrl, generated)).status).toBe(401);
      expect((await whoami(second.tenantUrl, regenerated)).body.actor).toBe('bootstrap');
      expect((await whoami(second.tenantUrl, key.body.key)).body.actor).toBe(`api-key:${key.body.id}`);
      await second.stop();

      // With MATIH_BOOTSTRAP_TOKEN (the chart's Secret): the variable wins, the file is not read.
      const chosen = 'mtb_rotated-bootstrap-token-0123456789';
      const third = await processes.start({ dataDir, env: { ...env, MATIH_BOOTSTRAP_TOKEN: chosen } });
      expect((await whoami(third.tenantUrl, chosen)).body.actor).toBe('bootstrap');
      expect((await whoami(third.tenantUrl, regenerated)).status).toBe(401);
      expect(third.stdout()).not.toContain(chosen);
      expect((await whoami(third.tenantUrl, key.body.key)).status).toBe(200);
      await third.stop();
    } finally {
      await processes.killAll();
      await dropServerDatabase(url);
    }
  }, 200_000);
});
