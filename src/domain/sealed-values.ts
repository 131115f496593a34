import { StepName } from './plans.js';

/**
 * Where the control plane keeps values sealed with MATIH_SECRET_KEY, for the key rotation
 * (engine/secret-key-rotation.ts) to find every one of them:
 *
 * - the table of shared keys (`signing_keys`): the JWT signing keys once sealed, and the local
 *   CA's key (every row that is not a JWT key is sealed by its owner);
 * - step outputs that carry a secret to a later step (SETUP_DATABASE's `credentials`, opened by
 *   DEPLOY_SECRETS): in the job's step row, and copied into the tenant's phase outputs.
 *
 * A step that starts recording a sealed output must be added to SEALED_STEP_OUTPUTS, or the
 * rotation leaves it under the old key (test/process/secret-key-rotation.test.ts scans the
 * whole database for sealed texts and fails on any that only the old key opens).
 */
export const SEALED_STEP_OUTPUTS: readonly { step: StepName; field: string }[] = [{ step: StepName.SETUP_DATABASE, field: 'credentials' }];

/** One place holding sealed values, each value found by a key: a signing key's id, a job's id, a tenant's id. */
export type SealedValuePlace = { kind: 'signing-key' } | { kind: 'step-output' | 'phase-output'; step: StepName; field: string };

export const SEALED_VALUE_PLACES: readonly SealedValuePlace[] = [
  { kind: 'signing-key' },
  ...SEALED_STEP_OUTPUTS.flatMap(({ step, field }) => [
    { kind: 'step-output' as const, step, field },
    { kind: 'phase-output' as const, step, field },
  ]),
];

/** A sealed value as found: its place, its key there (the cursor of a walk), the sealed text. */
export interface SealedValue {
  key: string;
  sealed: string;
}

/** A value's name for operators: `signing-key/<id>`, `step-output/<job id>/<step>.<field>`, `phase-output/<tenant id>/<step>.<field>`. */
export function sealedValueName(place: SealedValuePlace, key: string): string {
  return place.kind === 'signing-key' ? `signing-key/${key}` : `${place.kind}/${key}/${place.step}.${place.field}`;
}

/** How many unreadable values a report names; the count is always whole. */
export const MAX_NAMED_UNREADABLE = 100;

/** What a walk over every sealed value found. */
export interface SealedValueCensus {
  /** Values the current key opens. */
  current: number;
  /** Values only a previous key opens: they still need the current key. */
  previous: number;
  /** Values no key opens: sealed with a key this service was not given, or altered. Never changed. */
  unreadable: number;
  /** Up to MAX_NAMED_UNREADABLE of them, by sealedValueName. */
  unreadableValues: string[];
}

/** What a rotation did. */
export interface RotationReport {
  /** Values sealed again with the current key. */
  resealed: number;
  /** Values already under the current key when the rotation first read them. */
  alreadyCurrent: number;
  unreadable: number;
  unreadableValues: string[];
  /**
   * Zero when the last walk found no value under a previous key. Otherwise the rotation ran out
   * of walks with old-key values still turning up (a replica still sealing with an old key): the
   * count the last walk found, re-sealed or not; run it again once every replica has the new key.
   */
  remaining: number;
  /** Walks over every value; the last one re-sealed nothing and so proved the rest current. */
  passes: number;
}

/**
 * Whether MATIH_SECRET_KEY_PREVIOUS may go: every value opens with the current key. An unreadable
 * value holds it back too: it may be under a key that belongs in MATIH_SECRET_KEY_PREVIOUS.
 */
export function safeToDropPrevious(found: { previous: number; unreadable: number } | { remaining: number; unreadable: number }): boolean {
  return ('previous' in found ? found.previous : found.remaining) === 0 && found.unreadable === 0;
}
