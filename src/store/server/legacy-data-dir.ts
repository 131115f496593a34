import fs from 'node:fs';
import path from 'node:path';

/**
 * Releases before the embedded PostgreSQL server kept their data in an in-process database, in
 * `pgdata/` of the data directory. This release cannot read it and must not start beside it as if
 * the directory were new (the tenants would seem gone): it refuses, and says how to move the data.
 */
export class LegacyDataDirError extends Error {
  constructor(readonly dataDir: string) {
    const old = path.join(dataDir, 'pgdata');
    super(
      `${old} holds the embedded database of an earlier release, which this release does not read (it runs a PostgreSQL server). ` +
        `To keep the data: dump its rows with the earlier release's tools, move ${old} away, start this release once, ` +
        `and load the dump into the database of ${path.join(dataDir, 'postgres.url')}; the README's section ` +
        `"Moving from an earlier release's data directory" has the steps. To start afresh instead, move ${old} away.`,
    );
    this.name = 'LegacyDataDirError';
  }
}

export function refuseLegacyDataDir(dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))) throw new LegacyDataDirError(dataDir);
}
