import { InfrastructureStatus } from './infrastructure.js';
import type { StepName } from './plans.js';

/** One way a tenant differs from its declaration; `step` is the step whose re-run repairs it. */
export interface Difference {
  kind: 'object' | 'database' | 'dns' | 'certificate' | 'generation' | 'status';
  step: StepName | null;
  message: string;
}

/** Differences of the actual state; generation and status say the declaration or the last job moved, not the world. */
export function isDrift(d: Difference): boolean {
  return d.kind !== 'generation' && d.kind !== 'status';
}

/** A declaration newer than the last job that converged, or a last job that failed: either needs a run. */
export function declarationDifferences(c: { generation: number; observedGeneration: number; infrastructureStatus: string | null }): Difference[] {
  const differences: Difference[] = [];
  if (c.generation > c.observedGeneration) differences.push({ kind: 'generation', step: null, message: `generation ${c.generation}, observed ${c.observedGeneration}` });
  if (c.infrastructureStatus === InfrastructureStatus.FAILED) differences.push({ kind: 'status', step: null, message: 'infrastructure FAILED after its last job' });
  return differences;
}
