import type { StepName } from '../../domain/plans.js';
import type { StepContext } from '../step.js';

/**
 * The type of each step's outputs, by step name. Each handler file adds its own entry beside the
 * interface it exports (`declare module '../support/step-outputs.js'`, declaration merging):
 * handlers import this module and it imports none of them, because a map importing every
 * handler's type, read by handlers, would be an import cycle (.dependency-cruiser.cjs counts type
 * imports). The checks below make the map complete all the same.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the handler files (declaration merging)
export interface StepOutputMap {}

/** The steps a handler runs: every step but the three the create request performs. */
export type HandledStep = Exclude<StepName, 'VALIDATE_REQUEST' | 'CHECK_CLOUD_AVAILABILITY' | 'CREATE_CONTROL_PLANE_RECORDS'>;

/** Fails to compile, naming the culprits, when `T` is not `never`. */
type Nothing<T extends never> = T;
/** A handled step whose handler file declares no outputs. */
type _EveryHandledStepDeclaresItsOutputs = Nothing<Exclude<HandledStep, keyof StepOutputMap>>;
/** An entry that names no handled step (a typo, or a step that lost its handler). */
type _EveryEntryIsAHandledStep = Nothing<Exclude<keyof StepOutputMap, HandledStep>>;

/**
 * What `step` recorded, typed, for a step that reads an earlier step's outputs. Partial, and
 * undefined when the step has not completed: outputs are persisted JSON, and a record written by
 * an older version may lack a field, so readers still check what they rely on.
 */
export function outputOf<S extends HandledStep>(ctx: Pick<StepContext, 'outputs'>, step: S): Partial<StepOutputMap[S]> | undefined {
  return ctx.outputs[step] as Partial<StepOutputMap[S]> | undefined;
}
