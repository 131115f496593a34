import path from 'node:path';

/** Where a data directory keeps the embedded server's files. */
export function embeddedLayout(dataDir: string) {
  return {
    pgdata: path.join(dataDir, 'postgres'),
    passwordFile: path.join(dataDir, 'postgres.password'),
    urlFile: path.join(dataDir, 'postgres.url'),
  };
}
