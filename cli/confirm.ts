import { OperationFailedError, UsageError } from './errors.js';
import type { Io } from './output.js';

/** Destructive commands make the user type the tenant's slug again, unless --yes. */
export async function confirmSlug(io: Io, slug: string, action: string, yes: boolean): Promise<void> {
  if (yes) return;
  const answer = await io.readLine(`This will ${action}. Type the tenant's slug (${slug}) to confirm: `);
  if (answer === undefined) throw new UsageError('no confirmation on stdin: pass --yes to confirm without a prompt');
  if (answer.trim() !== slug) throw new OperationFailedError('aborted', `"${answer.trim()}" is not ${slug}; nothing was done`);
}
