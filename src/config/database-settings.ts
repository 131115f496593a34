import path from 'node:path';
import type { VariableReader } from './variable-reader.js';

/** The control-plane database, and the data directory the embedded server lives in. */
export const DATABASE_VARIABLES = {
  MATIH_DATA_DIR: './.matih',
  DATABASE_URL: '',
  MATIH_DB_POOL_SIZE: '10',
} as const;
type DatabaseVariable = keyof typeof DATABASE_VARIABLES;

export interface DatabaseSettings {
  /** The embedded server, its lock file, and what is generated once (bootstrap token, secret key); absolute. */
  dataDir: string;
  /** Unset: the embedded PostgreSQL server under dataDir/postgres (store/server/embedded-postgres.ts). */
  databaseUrl: string | undefined;
  databasePoolSize: number;
}

export function parseDatabaseSettings(read: VariableReader<DatabaseVariable>, problems: string[]): DatabaseSettings {
  const databaseUrl = read.optional('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL (unset it for the embedded database)');
  }
  return {
    dataDir: path.resolve(read.text('MATIH_DATA_DIR')),
    databaseUrl,
    databasePoolSize: read.int('MATIH_DB_POOL_SIZE', 1, 200),
  };
}
