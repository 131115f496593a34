import type { FieldProblem, Problem } from './api-types.js';
import { ExitCode, exitCodeForStatus } from './exit-codes.js';

/** Every failure matihctl reports: a code for stderr and the exit status scripts see. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly fieldErrors: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The API answered with an error status; `problem` is its problem+json body (or one made up). */
export class ApiError extends CliError {
  constructor(readonly problem: Problem) {
    super(problem.code, problem.detail, exitCodeForStatus(problem.status), problem.errors ?? []);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super('usage', message, ExitCode.USAGE);
  }
}

export class UnreachableError extends CliError {
  constructor(message: string) {
    super('unreachable', message, ExitCode.UNAVAILABLE);
  }
}

export class NotLoggedInError extends CliError {
  constructor() {
    super('not_logged_in', 'no credential: run `matihctl login`, or set MATIH_TOKEN, or pass --token', ExitCode.AUTH);
  }
}

/** The request went through but the operation did not succeed (job failed, user declined). */
export class OperationFailedError extends CliError {
  constructor(code: string, message: string) {
    super(code, message, ExitCode.FAILED);
  }
}

/** `error <code>: <detail>` and one indented line per field, as printed on stderr. */
export function describeError(error: CliError): string {
  // The API's detail often just joins the field messages; then the field lines say it better.
  const joined = error.fieldErrors.map((f) => `${f.field}: ${f.message}`).join('; ');
  const n = error.fieldErrors.length;
  const detail = n > 0 && error.message === joined ? `${n} invalid field${n === 1 ? '' : 's'}` : error.message;
  const lines = [`error ${error.code}: ${detail}`];
  for (const f of error.fieldErrors) lines.push(`  ${f.field}: ${f.message}`);
  return `${lines.join('\n')}\n`;
}
