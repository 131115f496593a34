import type { SecretKeyRing } from '../drivers/contract.js';
import {
  MAX_NAMED_UNREADABLE,
  type RotationReport,
  SEALED_VALUE_PLACES,
  type SealedValueCensus,
  type SealedValuePlace,
  sealedValueName,
} from '../domain/sealed-values.js';
import type { Db } from '../store/open-database.js';
import { listSealedValues } from '../store/secrets/list-sealed-values.js';
import { type SealedValueChange, replaceSealedValues } from '../store/secrets/replace-sealed-values.js';

export interface SecretKeyRotationOptions {
  /** Values read and written per statement. */
  batchSize?: number;
  /** Walks at most, when values keep changing under the rotation (a replica still sealing with an old key). */
  maxPasses?: number;
}

/** One walk over every sealed value. Values under a previous key it could not replace (changed or held meanwhile) the next walk reads again. */
interface Walk extends SealedValueCensus {
  resealed: number;
}

/**
 * MATIH_SECRET_KEY rotation: every sealed value (domain/sealed-values.ts says where they are)
 * sealed again with the current key of the service's SecretKeyRing, which still opens the
 * previous keys. Safe to run at any time and from any number of replicas at once, while tenants
 * provision: each value is replaced by a compare-and-set on the text read (a value a worker
 * rewrote meanwhile is its writer's), in batches, and a run that stops half-way is simply run
 * again (what is current is left alone). A value no key opens is counted and named, never changed.
 *
 * The rotation walks until a walk has nothing left to re-seal: that last walk read every value
 * and found it current, which is what makes dropping MATIH_SECRET_KEY_PREVIOUS safe.
 */
export class SecretKeyRotation {
  private readonly batchSize: number;
  private readonly maxPasses: number;

  constructor(
    private readonly db: Db,
    private readonly box: SecretKeyRing,
    options: SecretKeyRotationOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxPasses = options.maxPasses ?? 5;
  }

  /** How many previous keys this process was given (MATIH_SECRET_KEY_PREVIOUS). */
  get previousKeys(): number {
    return this.box.previousKeys;
  }

  /** Which key opens each sealed value; changes nothing. */
  async census(): Promise<SealedValueCensus> {
    const { current, previous, unreadable, unreadableValues } = await this.walk(false);
    return { current, previous, unreadable, unreadableValues };
  }

  async rotate(): Promise<RotationReport> {
    const report: RotationReport = { resealed: 0, alreadyCurrent: 0, unreadable: 0, unreadableValues: [], remaining: 0, passes: 0 };
    for (let pass = 1; pass <= this.maxPasses; pass++) {
      const walk = await this.walk(true);
      report.passes = pass;
      report.resealed += walk.resealed;
      if (pass === 1) report.alreadyCurrent = walk.current;
      report.unreadable = walk.unreadable;
      report.unreadableValues = walk.unreadableValues;
      // Nothing under an old key was left: this walk proved every readable value current.
      if (walk.previous === 0) return { ...report, remaining: 0 };
      // Out of walks with old-key values still turning up: whatever this walk found is not proven.
      report.remaining = walk.previous;
    }
    return report;
  }

  private async walk(reseal: boolean): Promise<Walk> {
    const walk: Walk = { current: 0, previous: 0, unreadable: 0, unreadableValues: [], resealed: 0 };
    for (const place of SEALED_VALUE_PLACES) await this.walkPlace(place, reseal, walk);
    return walk;
  }

  private async walkPlace(place: SealedValuePlace, reseal: boolean, walk: Walk): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await listSealedValues(this.db, place, after, this.batchSize);
      const changes: SealedValueChange[] = [];
      for (const value of page) {
        let outcome;
        try {
          outcome = this.box.reseal(value.sealed);
        } catch {
          walk.unreadable += 1;
          if (walk.unreadableValues.length < MAX_NAMED_UNREADABLE) walk.unreadableValues.push(sealedValueName(place, value.key));
          continue;
        }
        if (outcome.current) walk.current += 1;
        else {
          walk.previous += 1;
          changes.push({ key: value.key, expected: value.sealed, sealed: outcome.sealed });
        }
      }
      if (reseal && changes.length > 0) walk.resealed += (await replaceSealedValues(this.db, place, changes)).length;
      if (page.length < this.batchSize) return;
      after = page[page.length - 1]!.key;
    }
  }
}
