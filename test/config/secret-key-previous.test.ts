import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';

const key = (n: number) => Buffer.alloc(32, n).toString('base64');

describe('MATIH_SECRET_KEY_PREVIOUS', () => {
  it('is no key by default, and one or several comma-separated keys, each once', () => {
    expect(loadConfig({}).previousSecretKeys).toEqual([]);
    expect(loadConfig({ MATIH_SECRET_KEY: key(2), MATIH_SECRET_KEY_PREVIOUS: key(1) }).previousSecretKeys).toEqual([key(1)]);
    expect(loadConfig({ MATIH_SECRET_KEY_PREVIOUS: ` ${key(1)} , ${key(0)},${key(1)},` }).previousSecretKeys).toEqual([key(1), key(0)]);
  });

  it('refuses an entry that is not a key, naming its position and never the keys', () => {
    const bad = 'c2hvcnQta2V5LXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    const problems = configProblems({ MATIH_SECRET_KEY_PREVIOUS: `${key(1)},${bad},,abc` });
    expect(problems).toEqual(['MATIH_SECRET_KEY_PREVIOUS must be comma-separated keys of 32 random bytes in base64 (openssl rand -base64 32); entries 2, 3 are not']);
    expect(problems.join('\n')).not.toContain(key(1));
    expect(problems.join('\n')).not.toContain(bad);
  });
});
