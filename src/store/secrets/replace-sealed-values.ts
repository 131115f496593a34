import { sql } from 'kysely';
import type { SealedValuePlace } from '../../domain/sealed-values.js';
import { JWT_KEYS } from '../iam/signing-key.js';
import type { Db } from '../open-database.js';

/** A value to replace: where (its key at the place), the text read, and the text to write instead. */
export interface SealedValueChange {
  key: string;
  expected: string;
  sealed: string;
}

/**
 * Compare-and-set of a batch of sealed values at `place`, in one statement: a value is replaced
 * only while it still holds the text that was read (`expected`); returns the keys replaced.
 *
 * Rows another transaction holds are skipped (SKIP LOCKED), never waited for: the statement
 * cannot join a deadlock with a worker advancing a job or a deletion removing a tenant's rows,
 * and what it skipped the caller reads again. A value rewritten meanwhile (a step run again, a
 * JWT key replaced) does not match `expected` and is left as its writer left it. Inside a step's
 * outputs only the one field changes, so whatever else the row holds is kept.
 */
export async function replaceSealedValues(db: Db, place: SealedValuePlace, changes: readonly SealedValueChange[]): Promise<string[]> {
  if (changes.length === 0) return [];
  const keys = changes.map((c) => c.key);
  const expected = changes.map((c) => c.expected);
  const sealed = changes.map((c) => c.sealed);
  const query =
    place.kind === 'signing-key'
      ? sql<{ key: string }>`
          with wanted as (select * from unnest(${keys}::text[], ${expected}::text[], ${sealed}::text[]) as w (key, expected, sealed)),
          target as (
            select k.id, w.expected, w.sealed from signing_keys k join wanted w on w.key = k.id
            -- A JWT key still in clear is no sealed value: replacing it would change the key itself.
            where k.secret = w.expected and (k.sealed or k.id not like ${JWT_KEYS})
            for update of k skip locked
          )
          update signing_keys k set secret = t.sealed
          from target t where k.id = t.id and k.secret = t.expected
          returning k.id as key`
      : place.kind === 'step-output'
        ? sql<{ key: string }>`
          with wanted as (select * from unnest(${keys}::uuid[], ${expected}::text[], ${sealed}::text[]) as w (key, expected, sealed)),
          target as (
            select s.job_id, w.expected, w.sealed from provisioning_steps s join wanted w on w.key = s.job_id
            where s.name = ${place.step} and s.outputs ->> ${place.field}::text = w.expected
            for update of s skip locked
          )
          update provisioning_steps s set outputs = jsonb_set(s.outputs, array[${place.field}::text], to_jsonb(t.sealed))
          from target t where s.job_id = t.job_id and s.name = ${place.step} and s.outputs ->> ${place.field}::text = t.expected
          returning s.job_id::text as key`
        : sql<{ key: string }>`
          with wanted as (select * from unnest(${keys}::uuid[], ${expected}::text[], ${sealed}::text[]) as w (key, expected, sealed)),
          target as (
            select p.tenant_id, w.expected, w.sealed from tenant_provisioning_state p join wanted w on w.key = p.tenant_id
            where p.phase_outputs -> ${place.step}::text ->> ${place.field}::text = w.expected
            for update of p skip locked
          )
          update tenant_provisioning_state p
          set phase_outputs = jsonb_set(p.phase_outputs, array[${place.step}::text, ${place.field}::text], to_jsonb(t.sealed))
          from target t where p.tenant_id = t.tenant_id and p.phase_outputs -> ${place.step}::text ->> ${place.field}::text = t.expected
          returning p.tenant_id::text as key`;
  const { rows } = await query.execute(db);
  return rows.map((r) => r.key);
}
