import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { readConfig } from './config-store.js';
import { type Connection, resolveConnection } from './connection.js';
import { renewIfDue } from './oidc-login.js';
import type { Io, OutputFormat } from './output.js';

/** The global flags, valid before or after the subcommand. */
export interface GlobalOptions {
  output: OutputFormat;
  server?: string;
  infraServer?: string;
  token?: string;
}

/** What every command action gets: where to print, in which format, and a client. */
export interface CommandContext {
  io: Io;
  format: OutputFormat;
  connection: Connection;
  client: ApiClient;
}

export async function contextFor(command: Command, io: Io): Promise<CommandContext> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  let stored = await readConfig(io.env);
  // A stored single sign-on token about to expire is renewed first, unless another credential or server is named.
  if (stored && globals.token === undefined && io.env.MATIH_TOKEN === undefined && (globals.server ?? io.env.MATIH_SERVER) === undefined) {
    stored = await renewIfDue(io, new ApiClient({ server: stored.server, infraServer: stored.infraServer, token: undefined }), stored);
  }
  const connection = resolveConnection(globals, io.env, stored);
  return { io, format: globals.output, connection, client: new ApiClient(connection) };
}

export type Action = (ctx: CommandContext, args: string[], options: Record<string, unknown>) => Promise<void>;

/** Turns an action into what commander calls: positional arguments, then options, then the command. */
export type Runner = (action: Action) => (...params: unknown[]) => Promise<void>;
