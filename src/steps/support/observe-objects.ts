import type { Difference } from '../../domain/drift.js';
import type { StepName } from '../../domain/plans.js';
import { LABEL } from '../manifests/index.js';
import type { TenantObservation } from '../step.js';

/**
 * A cluster step's drift: objects it recorded holding ("Kind/name") that the cluster lacks;
 * objects carrying its labels that it no longer declares (its re-run prunes them); and objects
 * changed after the tenant's last job commit, when the driver tells when an object changed:
 * nobody but a job of the tenant writes its objects, so a later change is someone else's.
 */
export async function observeObjects(step: StepName, observed: TenantObservation): Promise<Difference[]> {
  const recorded = observed.outputs[step]?.objects;
  if (!Array.isArray(recorded)) return [];
  const declared = new Set(recorded.filter((o): o is string => typeof o === 'string'));
  const differences: Difference[] = [];
  const present = new Set<string>();
  for (const item of await observed.objects()) {
    if (item.labels[LABEL.step] !== step) continue;
    const name = `${item.kind}/${item.name}`;
    present.add(name);
    if (!declared.has(name)) differences.push({ kind: 'object', step, message: `${name} is not declared by ${step}` });
    else if (item.changedAt && item.changedAt.getTime() > observed.lastJobCommitAt.getTime()) {
      differences.push({ kind: 'object', step, message: `${name} changed outside the control plane` });
    }
  }
  for (const name of declared) if (!present.has(name)) differences.push({ kind: 'object', step, message: `${name} missing` });
  return differences;
}
