import { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import type { WhoAmI } from '../api-types.js';
import { type StoredConfig, defaultInfraServer, readConfig, writeConfig } from '../config-store.js';
import { DEFAULT_SERVER, checkUrl } from '../connection.js';
import type { GlobalOptions, Runner } from '../context.js';
import { UsageError } from '../errors.js';
import { emit, keyValues } from '../output.js';

type LoginOptions = Partial<GlobalOptions> & { apiKey?: string };

/** `matihctl login`: check a credential with whoami, then store it for the next commands. */
export function loginCommand(run: Runner): Command {
  return new Command('login')
    .description('check a credential against the server and store it ($MATIHCTL_CONFIG or ~/.config/matihctl/config.json, mode 0600)')
    .option('--api-key <key>', 'an API key (mtk_...)')
    .addHelpText('after', '\nThe global --server, --infra-server and --token name what to store; the server defaults to the stored one, else ' + DEFAULT_SERVER + '.')
    .action(
      run(async ({ io, format }, _args, merged) => {
        // --server, --infra-server and --token are global flags: the runner passes them merged in.
        const options = merged as LoginOptions;
        if (options.token && options.apiKey) throw new UsageError('give --token or --api-key, not both');
        const credential = options.apiKey ?? options.token ?? io.env.MATIH_TOKEN;
        if (!credential) throw new UsageError('login needs --token <token> or --api-key <key>');
        const stored = await readConfig(io.env);
        const server = checkUrl('--server', options.server ?? io.env.MATIH_SERVER ?? stored?.server ?? DEFAULT_SERVER);
        const infraServer = options.infraServer ? checkUrl('--infra-server', options.infraServer) : defaultInfraServer(server);
        const client = new ApiClient({ server, infraServer, token: credential });
        const who = await client.request<WhoAmI>('GET', '/api/v1/auth/whoami');
        const config: StoredConfig = { server, infraServer, credential: { kind: options.apiKey ? 'apiKey' : 'token', value: credential } };
        const file = await writeConfig(io.env, config);
        emit(io, format, who, (w) =>
          `Logged in to ${server} as ${w.actor} (${w.role}${w.tenantId ? `, tenant ${w.tenantId}` : ''}).\n` +
          keyValues([
            ['server', server],
            ['infra server', infraServer],
            ['config', file],
          ]),
        );
      }),
    );
}
