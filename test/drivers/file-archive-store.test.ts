import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileArchiveStore } from '../../src/drivers/archive/file-archive-store.js';
import { isRetryable } from '../../src/drivers/contract.js';
import { confirmationCodeMatches, generateConfirmationCode } from '../../src/iam/confirmation-code.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the file archive store', () => {
  it('writes the object and a sha256sum-style checksum beside it, verified from what it reads back', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'archive-'));
    const store = new FileArchiveStore(root);
    const body = Buffer.from('{"type":"tenant"}\n{"type":"audit"}\n');
    const stored = await store.put('tenants/abc/audit-1.jsonl', body);
    expect(stored).toEqual({ location: path.join(root, 'tenants/abc/audit-1.jsonl'), sha256: sha(body), bytes: body.length });
    expect(await readFile(stored.location)).toEqual(body);
    expect(await readFile(`${stored.location}.sha256`, 'utf8')).toBe(`${sha(body)}  audit-1.jsonl\n`);
    // No temporary files left behind.
    expect((await readdir(path.dirname(stored.location))).sort()).toEqual(['audit-1.jsonl', 'audit-1.jsonl.sha256']);
    expect(await store.verify('tenants/abc/audit-1.jsonl')).toEqual(stored);
  });

  it('is idempotent, replaces with new bytes whole, and reports a corrupted object as absent', async () => {
    const store = new FileArchiveStore(await mkdtemp(path.join(tmpdir(), 'archive-')));
    const first = await store.put('k.jsonl', Buffer.from('one\n'));
    expect(await store.put('k.jsonl', Buffer.from('one\n'))).toEqual(first);
    const second = await store.put('k.jsonl', Buffer.from('one\ntwo\n'));
    expect(second.sha256).toBe(sha(Buffer.from('one\ntwo\n')));
    await writeFile(second.location, 'tampered\n');
    expect(await store.verify('k.jsonl')).toBeUndefined();
    expect(await store.verify('absent.jsonl')).toBeUndefined();
  });

  it('refuses keys that would leave its directory, permanently', async () => {
    const store = new FileArchiveStore(await mkdtemp(path.join(tmpdir(), 'archive-')));
    for (const key of ['../escape', '/abs/path', 'a/../../b', 'a//b', '']) {
      const error = await store.put(key, Buffer.from('x')).catch((e: unknown) => e);
      expect(error, key).toBeInstanceOf(Error);
      expect(isRetryable(error)).toBe(false);
    }
  });
});

describe('deletion confirmation codes', () => {
  it('are random, readable, and match as people type them', () => {
    const a = generateConfirmationCode();
    const b = generateConfirmationCode();
    expect(a.code).not.toBe(b.code);
    expect(a.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(a.hash).not.toContain(a.code.replaceAll('-', ''));
    expect(confirmationCodeMatches(a.code, a.hash)).toBe(true);
    expect(confirmationCodeMatches(` ${a.code.toLowerCase().replaceAll('-', '')} `, a.hash)).toBe(true);
    expect(confirmationCodeMatches(b.code, a.hash)).toBe(false);
  });
});
