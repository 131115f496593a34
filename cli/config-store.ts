import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from './errors.js';

/**
 * Where `matihctl login` keeps the server and the credential: $MATIHCTL_CONFIG, else
 * $XDG_CONFIG_HOME/matihctl/config.json, else ~/.config/matihctl/config.json. The file holds a
 * secret, so it is written 0600 in a 0700 directory, replaced atomically.
 */

export interface StoredCredential {
  /**
   * A bearer token (bootstrap token or JWT) or an API key (mtk_...); both go in Authorization.
   * `oidc`: an access token from the OpenID Provider (`login --oidc`), renewed with its refresh
   * token shortly before `expiresAt` (oidc-login.ts).
   */
  kind: 'token' | 'apiKey' | 'oidc';
  value: string;
  refreshToken?: string;
  /** ISO 8601. */
  expiresAt?: string;
  /** The client the tokens were issued to: refreshing names it. */
  clientId?: string;
}

export interface StoredConfig {
  server: string;
  infraServer: string;
  credential: StoredCredential;
}

type Env = Readonly<Record<string, string | undefined>>;

export function configPath(env: Env): string {
  if (env.MATIHCTL_CONFIG) return path.resolve(env.MATIHCTL_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'matihctl', 'config.json');
}

export async function readConfig(env: Env): Promise<StoredConfig | undefined> {
  let text: string;
  try {
    text = await fs.readFile(configPath(env), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Partial<StoredConfig>;
  try {
    parsed = JSON.parse(text) as Partial<StoredConfig>;
  } catch {
    throw new UsageError(`${configPath(env)} is not JSON: run \`matihctl login\` again, or remove it`);
  }
  if (typeof parsed.server !== 'string' || typeof parsed.credential?.value !== 'string') return undefined;
  return {
    server: parsed.server,
    infraServer: typeof parsed.infraServer === 'string' ? parsed.infraServer : defaultInfraServer(parsed.server),
    credential: credentialOf(parsed.credential),
  };
}

function credentialOf(stored: StoredCredential): StoredCredential {
  if (stored.kind === 'apiKey') return { kind: 'apiKey', value: stored.value };
  if (stored.kind !== 'oidc') return { kind: 'token', value: stored.value };
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const [refreshToken, expiresAt, clientId] = [text(stored.refreshToken), text(stored.expiresAt), text(stored.clientId)];
  return { kind: 'oidc', value: stored.value, ...(refreshToken ? { refreshToken } : {}), ...(expiresAt ? { expiresAt } : {}), ...(clientId ? { clientId } : {}) };
}

export async function writeConfig(env: Env, config: StoredConfig): Promise<string> {
  const file = configPath(env);
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.config.json.${process.pid}.tmp`);
  await fs.writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file; make sure of it either way.
  await fs.chmod(temp, 0o600);
  await fs.rename(temp, file);
  return file;
}

/** The infrastructure API is on the same host as the tenant API, port 8089. */
export function defaultInfraServer(server: string): string {
  const url = new URL(server);
  url.port = '8089';
  return trimSlash(url.toString());
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
