import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { readConfig } from './config-store.js';
import { type Connection, resolveConnection } from './connection.js';
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
  const connection = resolveConnection(globals, io.env, await readConfig(io.env));
  return { io, format: globals.output, connection, client: new ApiClient(connection) };
}

export type Action = (ctx: CommandContext, args: string[], options: Record<string, unknown>) => Promise<void>;

/** Turns an action into what commander calls: positional arguments, then options, then the command. */
export type Runner = (action: Action) => (...params: unknown[]) => Promise<void>;
