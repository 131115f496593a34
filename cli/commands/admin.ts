import { Command } from 'commander';
import type { SecretKeyRotation, SecretKeyStatus } from '../api-types.js';
import type { Runner } from '../context.js';
import { OperationFailedError } from '../errors.js';
import { type Io, type OutputFormat, emit, keyValues } from '../output.js';

const PATH = '/api/v1/admin/secret-key/rotation';

/** `1 sealed value`, `2 sealed values`. */
function values(n: number, what = 'sealed value'): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function statusDetail(s: SecretKeyStatus): string {
  return keyValues([
    ['current key opens', s.current],
    ['only a previous key opens', s.previous],
    ['no key opens', s.unreadable],
    ['previous keys given', s.previousKeys],
    ['safe to drop previous', s.safeToDropPrevious],
  ]);
}

function rotationDetail(r: SecretKeyRotation): string {
  return keyValues([
    ['resealed', r.resealed],
    ['already current', r.alreadyCurrent],
    ['unreadable', r.unreadable],
    ['remaining', r.remaining],
    ['passes', r.passes],
    ['previous keys given', r.previousKeys],
    ['safe to drop previous', r.safeToDropPrevious],
  ]);
}

/**
 * The verdict, in words: safe to remove MATIH_SECRET_KEY_PREVIOUS, or why not. Safe goes with the
 * document (stdout, or stderr beside JSON); not safe is an error (exit 1), so scripts can branch.
 */
function conclude(io: Io, format: OutputFormat, answer: SecretKeyStatus | SecretKeyRotation): void {
  if (answer.safeToDropPrevious) {
    const note =
      answer.previousKeys > 0
        ? 'every sealed value opens with MATIH_SECRET_KEY: it is safe to remove MATIH_SECRET_KEY_PREVIOUS from every replica now (then roll them)\n'
        : 'every sealed value opens with MATIH_SECRET_KEY (this replica was given no MATIH_SECRET_KEY_PREVIOUS)\n';
    if (format === 'json') io.err(note);
    else io.out(note);
    return;
  }
  const reasons: string[] = [];
  if ('previous' in answer && answer.previous > 0) reasons.push(`${values(answer.previous)} still need${answer.previous === 1 ? 's' : ''} the new key: run \`matihctl admin rotate-secret-key\``);
  if ('remaining' in answer && answer.remaining > 0) {
    reasons.push(`${values(answer.remaining, 'value')} kept turning up under a previous key: a replica still seals with an old MATIH_SECRET_KEY; give every replica the new key and run this again`);
  }
  if (answer.unreadable > 0) {
    const named = answer.unreadableValues.join(', ');
    reasons.push(
      `${values(answer.unreadable)} open${answer.unreadable === 1 ? 's' : ''} with no key this replica has (${named}${answer.unreadable > answer.unreadableValues.length ? ', ...' : ''}): sealed with a key missing from MATIH_SECRET_KEY_PREVIOUS, or altered; add the missing key and run this again, or decide they are not needed`,
    );
  }
  throw new OperationFailedError('previous_key_still_needed', `keep MATIH_SECRET_KEY_PREVIOUS: ${reasons.join('; ')}`);
}

/** admin rotate-secret-key: the platform operator's commands. */
export function adminCommand(run: Runner): Command {
  const rotate = new Command('rotate-secret-key')
    .description('seal every sealed value again with MATIH_SECRET_KEY, then say whether MATIH_SECRET_KEY_PREVIOUS may be removed (platform admin)')
    .option('--check', 'only count the values by the key that opens them; change nothing')
    .addHelpText(
      'after',
      `
Run it once every replica has the new MATIH_SECRET_KEY and the old one in MATIH_SECRET_KEY_PREVIOUS
(docs/operations.md, "Rotate the secret key"). It is idempotent: run it again after an interruption.
Exit 0: every sealed value opens with MATIH_SECRET_KEY, MATIH_SECRET_KEY_PREVIOUS may go.
Exit 1: some value still needs a previous key (or none opens it): keep MATIH_SECRET_KEY_PREVIOUS.
`,
    )
    .action(
      run(async ({ io, format, client }, _args, o) => {
        if (o.check === true) {
          const status = await client.request<SecretKeyStatus>('GET', PATH);
          emit(io, format, status, statusDetail);
          conclude(io, format, status);
          return;
        }
        const report = await client.request<SecretKeyRotation>('POST', PATH);
        emit(io, format, report, rotationDetail);
        conclude(io, format, report);
      }),
    );

  const admin = new Command('admin').description('operating the control plane itself (platform admin)');
  admin.addCommand(rotate);
  return admin;
}
