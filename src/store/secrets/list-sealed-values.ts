import { sql } from 'kysely';
import type { SealedValue, SealedValuePlace } from '../../domain/sealed-values.js';
import { JWT_KEYS } from '../iam/signing-key.js';
import type { Db } from '../open-database.js';

/**
 * One page of the sealed values at `place`, in the order of their key, after `after` (keyset
 * paging: a walk resumes where it stopped, and rows written meanwhile are found by later pages or
 * the next walk). Reads only; each row is read as it is now, under no lock. In the table of shared
 * keys a JWT key is sealed once `sealed` is true; every other row (the local CA's) is sealed by its
 * owner from the start.
 */
export async function listSealedValues(db: Db, place: SealedValuePlace, after: string | undefined, limit: number): Promise<SealedValue[]> {
  const query =
    place.kind === 'signing-key'
      ? sql<SealedValue>`
          select id as key, secret as sealed from signing_keys
          where (sealed or id not like ${JWT_KEYS}) and (${after ?? null}::text is null or id > ${after ?? null}::text)
          order by id limit ${limit}`
      : place.kind === 'step-output'
        ? sql<SealedValue>`
          select job_id::text as key, outputs ->> ${place.field}::text as sealed from provisioning_steps
          where name = ${place.step} and jsonb_typeof(outputs -> ${place.field}::text) = 'string'
            and (${after ?? null}::uuid is null or job_id > ${after ?? null}::uuid)
          order by job_id limit ${limit}`
        : sql<SealedValue>`
          select tenant_id::text as key, phase_outputs -> ${place.step}::text ->> ${place.field}::text as sealed from tenant_provisioning_state
          where jsonb_typeof(phase_outputs -> ${place.step}::text -> ${place.field}::text) = 'string'
            and (${after ?? null}::uuid is null or tenant_id > ${after ?? null}::uuid)
          order by tenant_id limit ${limit}`;
  const { rows } = await query.execute(db);
  return rows;
}
