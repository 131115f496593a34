import { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import type { WhoAmI } from '../api-types.js';
import { type StoredConfig, defaultInfraServer, readConfig, writeConfig } from '../config-store.js';
import { DEFAULT_SERVER, checkUrl } from '../connection.js';
import type { GlobalOptions, Runner } from '../context.js';
import { UsageError } from '../errors.js';
import { LOGIN_TIMEOUT_MS, loginWithOidc, parseCallbackPort } from '../oidc-login.js';
import { emit, keyValues } from '../output.js';

type LoginOptions = Partial<GlobalOptions> & { apiKey?: string; oidc?: boolean; browser?: boolean; callbackPort?: string };

/** `matihctl login`: check a credential with whoami, then store it for the next commands. */
export function loginCommand(run: Runner): Command {
  return new Command('login')
    .description('check a credential against the server and store it ($MATIHCTL_CONFIG or ~/.config/matihctl/config.json, mode 0600)')
    .option('--api-key <key>', 'an API key (mtk_...)')
    .option('--oidc', "sign in with the server's OpenID Provider in a browser (authorization code + PKCE, loopback redirect)")
    .option('--no-browser', 'with --oidc: print the address to open instead of starting a browser')
    .option('--callback-port <port>', 'with --oidc: the 127.0.0.1 port to receive the sign-in on (default: any free port)')
    .addHelpText('after', '\nThe global --server, --infra-server and --token name what to store; the server defaults to the stored one, else ' + DEFAULT_SERVER + '.')
    .action(
      run(async ({ io, format }, _args, merged) => {
        // --server, --infra-server and --token are global flags: the runner passes them merged in.
        const options = merged as LoginOptions;
        if ([options.token, options.apiKey, options.oidc].filter(Boolean).length > 1) throw new UsageError('give one of --token, --api-key and --oidc');
        const callbackPort = parseCallbackPort(options.callbackPort);
        const given = options.apiKey ?? options.token ?? (options.oidc ? undefined : io.env.MATIH_TOKEN);
        if (!given && !options.oidc) throw new UsageError('login needs --token <token>, --api-key <key> or --oidc');
        const stored = await readConfig(io.env);
        const server = checkUrl('--server', options.server ?? io.env.MATIH_SERVER ?? stored?.server ?? DEFAULT_SERVER);
        const infraServer = options.infraServer ? checkUrl('--infra-server', options.infraServer) : defaultInfraServer(server);
        const signedIn = given
          ? { kind: options.apiKey ? ('apiKey' as const) : ('token' as const), value: given }
          : await loginWithOidc(io, new ApiClient({ server, infraServer, token: undefined }), {
              port: callbackPort,
              openBrowser: options.browser !== false && io.stdinIsTTY,
              timeoutMs: Number(io.env.MATIHCTL_LOGIN_TIMEOUT_S ?? '') * 1000 || LOGIN_TIMEOUT_MS,
            });
        const client = new ApiClient({ server, infraServer, token: signedIn.value });
        const who = await client.request<WhoAmI>('GET', '/api/v1/auth/whoami');
        const config: StoredConfig = { server, infraServer, credential: signedIn };
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
