import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import type { Io } from '../../cli/output.js';

/**
 * `matihctl admin rotate-secret-key` in process, against a stand-in of the API answering the
 * documents a rotation can end with: what it prints and its exit status, the verdict on
 * MATIH_SECRET_KEY_PREVIOUS. (test/process/secret-key-rotation.test.ts runs it against the service.)
 */

const PATH = '/api/v1/admin/secret-key/rotation';
const SAFE = { resealed: 3, alreadyCurrent: 1, unreadable: 0, unreadableValues: [], remaining: 0, passes: 2, previousKeys: 1, safeToDropPrevious: true };

describe('matihctl admin rotate-secret-key', () => {
  let server: Server;
  let url: string;
  const answers = new Map<string, unknown>();
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const key = `${req.method ?? ''} ${req.url ?? ''}`;
      asked.push(`${key} ${req.headers.authorization ?? ''}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answers.get(key) ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function run(args: string[], answer: { method: 'GET' | 'POST'; body: unknown }) {
    answers.clear();
    answers.set(`${answer.method} ${PATH}`, answer.body);
    let stdout = '';
    let stderr = '';
    const io: Io = {
      out: (text) => void (stdout += text),
      err: (text) => void (stderr += text),
      stdoutIsTTY: false,
      stdinIsTTY: false,
      env: { MATIH_SERVER: url, MATIH_TOKEN: 'a-token', MATIHCTL_CONFIG: path.join(os.tmpdir(), 'matihctl-admin-test-none.json') },
      readLine: async () => undefined,
    };
    const code = await main(['node', 'matihctl', 'admin', 'rotate-secret-key', ...args], io);
    return { code, stdout, stderr };
  }

  it('rotates, and says the previous key may go when every value opens with the current one', async () => {
    const table = await run([], { method: 'POST', body: SAFE });
    expect(table.code).toBe(0);
    expect(asked.at(-1)).toBe(`POST ${PATH} Bearer a-token`);
    expect(table.stdout).toMatch(/resealed\s+3/);
    expect(table.stdout).toContain('safe to remove MATIH_SECRET_KEY_PREVIOUS');
    // JSON: the document alone on stdout, the verdict on stderr.
    const json = await run(['--output', 'json'], { method: 'POST', body: SAFE });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(SAFE);
    expect(json.stderr).toContain('safe to remove MATIH_SECRET_KEY_PREVIOUS');
  });

  it('exits 1 keeping the previous key while values need it, saying why and naming unreadable ones', async () => {
    const unreadable = await run([], { method: 'POST', body: { ...SAFE, unreadable: 1, unreadableValues: ['step-output/j1/SETUP_DATABASE.credentials'], safeToDropPrevious: false } });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('error previous_key_still_needed: keep MATIH_SECRET_KEY_PREVIOUS');
    expect(unreadable.stderr).toContain('1 sealed value opens with no key this replica has (step-output/j1/SETUP_DATABASE.credentials)');
    expect(unreadable.stdout).not.toContain('safe to remove');

    const remaining = await run([], { method: 'POST', body: { ...SAFE, remaining: 4, safeToDropPrevious: false } });
    expect(remaining.code).toBe(1);
    expect(remaining.stderr).toContain('4 values kept turning up under a previous key: a replica still seals with an old MATIH_SECRET_KEY');
  });

  it('--check only reads, and exits 1 while values still need the new key', async () => {
    const check = await run(['--check'], { method: 'GET', body: { current: 5, previous: 2, unreadable: 0, unreadableValues: [], previousKeys: 1, safeToDropPrevious: false } });
    expect(asked.at(-1)).toBe(`GET ${PATH} Bearer a-token`);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/only a previous key opens\s+2/);
    expect(check.stderr).toContain('2 sealed values still need the new key: run `matihctl admin rotate-secret-key`');
  });
});
