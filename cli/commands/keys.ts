import { Command, InvalidArgumentError } from 'commander';
import { API_KEY_SCOPES, type ApiKey, type CreatedApiKey } from '../api-types.js';
import type { Runner } from '../context.js';
import { UsageError } from '../errors.js';
import { positiveInt } from '../options.js';
import { type Column, emit, keyValues, table } from '../output.js';
import { resolveTenantId } from '../tenant-ref.js';

const KEY_COLUMNS: readonly Column<ApiKey>[] = [
  { header: 'ID', value: (k) => k.id },
  { header: 'NAME', value: (k) => k.name },
  { header: 'ROLE', value: (k) => k.role },
  { header: 'SCOPES', value: (k) => k.scopes.join(',') },
  { header: 'EXPIRES', value: (k) => k.expiresAt },
  { header: 'LAST USED', value: (k) => k.lastUsedAt },
  { header: 'REVOKED', value: (k) => k.revokedAt },
];

function keyDetail(k: ApiKey): string {
  return keyValues([
    ['id', k.id],
    ['name', k.name],
    ['role', k.role],
    ['tenant', k.tenantId ?? 'none: a platform-admin key'],
    ['scopes', k.scopes.join(', ')],
    ['expires', k.expiresAt ?? 'never'],
    ['last used', k.lastUsedAt],
    ['created', k.createdAt],
    ['created by', k.createdBy],
    ['revoked', k.revokedAt],
  ]);
}

/** --scope read --scope suspend, or --scope read,suspend: known scopes only, checked before anything is sent. */
function scope(value: string, previous: string[] | undefined): string[] {
  const scopes = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scopes) {
    if (!(API_KEY_SCOPES as readonly string[]).includes(s)) throw new InvalidArgumentError(`unknown scope "${s}": one of ${API_KEY_SCOPES.join(', ')}`);
  }
  return [...(previous ?? []), ...scopes];
}

/** The collection a command works on: the tenant's keys with --tenant, else the platform's. */
async function keysPath(client: Parameters<typeof resolveTenantId>[0], tenant: unknown): Promise<string> {
  return typeof tenant === 'string' ? `/api/v1/tenants/${await resolveTenantId(client, tenant)}/api-keys` : '/api/v1/api-keys';
}

const TENANT_OPTION = ['--tenant <tenant>', "a tenant's keys (id or slug); without it, the platform-admin keys"] as const;

/** keys create | list | revoke */
export function keysCommand(run: Runner): Command {
  const create = new Command('create')
    .description('create an API key, with scopes and an expiry; prints it with its secret (shown once)')
    .option(...TENANT_OPTION)
    .option('--role <role>', 'with --tenant: Admin, Analyst or Viewer')
    .option('--name <name>', 'what the key is for', 'matihctl')
    .option('--scope <scope>', `what the key may be used for (repeatable or comma-separated): ${API_KEY_SCOPES.join(', ')}; default: every scope its role allows (and your credential has)`, scope)
    .option('--expires-in-days <days>', 'the key stops working after this many days (default: never)', positiveInt)
    .addHelpText('after', '\nExamples:\n  matihctl keys create --name ci --scope create --expires-in-days 90\n  matihctl keys create --tenant acme --role Viewer --scope read --scope audit\n')
    .action(
      run(async ({ io, format, client }, _args, o) => {
        if (o.tenant === undefined && o.role !== undefined) throw new UsageError('--role is for a tenant key: give --tenant too (a key without --tenant is a platform-admin key)');
        if (o.tenant !== undefined && o.role === undefined) throw new UsageError('a tenant key needs --role (Admin, Analyst or Viewer)');
        const path = await keysPath(client, o.tenant);
        const body = {
          name: o.name as string,
          ...(o.role === undefined ? {} : { role: o.role as string }),
          ...(o.scope === undefined ? {} : { scopes: o.scope as string[] }),
          ...(o.expiresInDays === undefined ? {} : { expiresInDays: o.expiresInDays as number }),
        };
        const created = await client.request<CreatedApiKey>('POST', path, { body });
        emit(io, format, created, (k) => keyDetail(k) + keyValues([['key', k.key]]));
        io.err('warning: the key is shown once and cannot be read again; store it now.\n');
      }),
    );

  const list = new Command('list')
    .description('list API keys with their scopes, expiry and last use (never their secrets)')
    .option(...TENANT_OPTION)
    .action(
      run(async ({ io, format, client }, _args, o) => {
        const document = await client.request<{ items: ApiKey[] }>('GET', await keysPath(client, o.tenant));
        emit(io, format, document, (d) => table(KEY_COLUMNS, d.items));
      }),
    );

  const revoke = new Command('revoke')
    .description('revoke an API key: it and every token exchanged for it stop working at once')
    .argument('<key-id>', 'the key id (keys list)')
    .option(...TENANT_OPTION)
    .action(
      run(async ({ io, format, client }, [keyId], o) => {
        const revoked = await client.request<ApiKey>('DELETE', `${await keysPath(client, o.tenant)}/${encodeURIComponent(keyId!)}`);
        emit(io, format, revoked, keyDetail);
      }),
    );

  const keys = new Command('keys').description("API keys: a tenant's (--tenant) or the platform-admin ones; scoped, expiring, revocable");
  for (const command of [create, list, revoke]) keys.addCommand(command);
  return keys;
}
