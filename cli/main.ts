import { Command, CommanderError, Option } from 'commander';
import { adminCommand } from './commands/admin.js';
import { auditCommand } from './commands/audit.js';
import { infraCommand } from './commands/infra.js';
import { keysCommand } from './commands/keys.js';
import { loginCommand } from './commands/login.js';
import { tenantsCommand } from './commands/tenants.js';
import { type Action, type Runner, contextFor } from './context.js';
import { CliError, describeError } from './errors.js';
import { EXIT_CODE_HELP, ExitCode } from './exit-codes.js';
import { type Io, OUTPUT_FORMATS } from './output.js';
import { readLineFromStdin } from './prompt.js';

/**
 * matihctl: the MATIH control plane from a terminal or a script. It speaks the public HTTP API
 * (and its WebSocket) only. `main` returns the exit status instead of exiting, so output is
 * flushed and the function can be driven in-process.
 */

export function buildProgram(io: Io): Command {
  const run: Runner = (action: Action) => async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const ctx = await contextFor(command, io);
    await action(ctx, command.args, command.optsWithGlobals());
  };

  const program = new Command('matihctl')
    .description('Command-line client of the MATIH tenant control plane (tenant API :8082, infrastructure API :8089).')
    .addOption(new Option('-o, --output <format>', 'table for people, json for scripts (exactly the API document on stdout)').choices(OUTPUT_FORMATS).default('table'))
    .option('--server <url>', 'tenant API base URL (env MATIH_SERVER; default: the stored login, else http://127.0.0.1:8082)')
    .option('--infra-server <url>', 'infrastructure API base URL (env MATIH_INFRA_SERVER; default: the server host, port 8089)')
    .option('--token <token>', 'bearer token or API key (env MATIH_TOKEN; default: the stored login)')
    .addHelpText(
      'after',
      `\nEnvironment: MATIH_SERVER, MATIH_INFRA_SERVER and MATIH_TOKEN override the stored login;\nMATIHCTL_CONFIG names the config file (default ~/.config/matihctl/config.json).\n\n${EXIT_CODE_HELP}\n`,
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });

  for (const command of [loginCommand(run), tenantsCommand(run), infraCommand(run), auditCommand(run), keysCommand(run), adminCommand(run)]) program.addCommand(command);
  inheritSettings(program);
  return program;
}

/** addCommand does not pass output, exit and help settings down; copy them through the tree. */
function inheritSettings(parent: Command): void {
  for (const child of parent.commands) {
    child.copyInheritedSettings(parent);
    inheritSettings(child);
  }
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'node' });
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    if (error instanceof CliError) {
      io.err(describeError(error));
      return error.exitCode;
    }
    // A bug in matihctl: not worth a retry, so not 7.
    io.err(`error internal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.FAILED;
  }
}

export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    readLine: readLineFromStdin,
  };
}
