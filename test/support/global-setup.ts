import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { EmbeddedPostgres } from '../../src/store/server/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server URL whose role may create databases and roles: the run's own embedded server, or TEST_DATABASE_URL. */
    testDatabaseUrl: string;
  }
}

/**
 * One PostgreSQL server for the whole run: TEST_DATABASE_URL when set, else an embedded server
 * started here (the same code the service runs by default) in a temporary directory, without
 * fsync (a throwaway cluster), stopped and removed when the run ends. Each test file makes its
 * own database on it (databases.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) {
    project.provide('testDatabaseUrl', configured);
    return async () => undefined;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'matih-test-postgres-'));
  // Searchable by the server's own user when we run as root (the service would do it, and say so).
  chmodSync(dataDir, 0o711);
  const server = await EmbeddedPostgres.start({
    dataDir,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' }),
    durable: false,
    // Two test files at a time, each with its pools and the service processes it starts.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 500 },
  });
  project.provide('testDatabaseUrl', server.url);
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
