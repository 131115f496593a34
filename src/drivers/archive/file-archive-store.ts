import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isSafeArchivePath } from '../../domain/archive-keys.js';
import { type ArchiveStore, type ArchivedObject, DriverError } from '../contract.js';

/**
 * The archive as files: `{root}/{key}` and beside it `{key}.sha256` in `sha256sum` format (so
 * `sha256sum -c` checks it). Each file is written to a temporary name, flushed to disk, then
 * renamed into place, and the directory flushed too: after a crash a key holds the old bytes or
 * the new, never half of them. The checksum is computed from what is read back, not from what
 * was meant to be written.
 */
export class FileArchiveStore implements ArchiveStore {
  constructor(private readonly root: string) {}

  async put(key: string, body: Uint8Array): Promise<ArchivedObject> {
    const file = this.fileOf(key);
    const existing = await this.verify(key);
    if (existing && existing.sha256 === sha256(body)) return existing;
    await mkdir(path.dirname(file), { recursive: true });
    await writeDurably(file, body);
    const stored = await readFile(file);
    const digest = sha256(stored);
    if (digest !== sha256(body)) throw new DriverError(`archive ${key}: the bytes read back differ from those written`, true);
    await writeDurably(`${file}.sha256`, Buffer.from(`${digest}  ${path.basename(file)}\n`));
    await syncDirectory(path.dirname(file));
    return { location: file, sha256: digest, bytes: stored.length };
  }

  async verify(key: string): Promise<ArchivedObject | undefined> {
    const file = this.fileOf(key);
    let stored: Buffer;
    let recorded: string;
    try {
      [stored, recorded] = await Promise.all([readFile(file), readFile(`${file}.sha256`, 'utf8')]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new DriverError(`archive ${key}: ${(error as Error).message}`, true);
    }
    const digest = sha256(stored);
    if (recorded.split(/\s+/)[0] !== digest) return undefined;
    return { location: file, sha256: digest, bytes: stored.length };
  }

  private fileOf(key: string): string {
    if (!isSafeArchivePath(key)) {
      throw new DriverError(`archive key ${JSON.stringify(key)} is not a safe relative path`, false);
    }
    return path.join(this.root, key);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function writeDurably(file: string, body: Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
