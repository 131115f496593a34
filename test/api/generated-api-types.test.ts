import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND, ROOT, renderApiTypes } from '../../scripts/generate-api-types.js';

/**
 * The dashboard's and matihctl's API types are generated from the OpenAPI documents the service
 * serves (scripts/generate-api-types.ts) and committed: a route schema changed without running
 * the generator fails here, before a client and the API disagree.
 */
describe('generated API types of the clients', () => {
  it('match the OpenAPI documents of the tenant and infrastructure APIs', async () => {
    const files = await renderApiTypes();
    expect([...files.keys()].sort()).toEqual(['api-types/infra-api.d.ts', 'api-types/tenant-api.d.ts']);
    for (const [file, expected] of files) {
      const target = path.join(ROOT, file);
      const committed = existsSync(target) ? readFileSync(target, 'utf8') : '(missing)';
      expect(committed, `${file} is stale: run ${COMMAND}`).toBe(expected);
    }
  });
});
