import fs from 'node:fs';
import path from 'node:path';

/**
 * A secret the service generates at first start and keeps in a file of the data directory
 * (mode 0600), for the embedded defaults: the bootstrap token, the key that seals secrets at rest.
 * Returns the file's content and whether this call wrote it. Two processes racing to create it
 * agree on one value: 'wx' lets only the first write, the other reads what it wrote.
 */
export function readOrCreateSecretFile(dataDir: string, name: string, generate: () => string): { value: string; generated: boolean; file: string } {
  const file = path.join(dataDir, name);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length > 0) return { value: existing, generated: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const value = generate();
  try {
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: fs.readFileSync(file, 'utf8').trim(), generated: false, file };
  }
  return { value, generated: true, file };
}
