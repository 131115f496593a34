import type { VariableReader } from './variable-reader.js';

/** Where tenant namespaces and workloads go (DESIGN.md section 5). */
export const CLUSTER_VARIABLES = {
  MATIH_CLUSTER: 'simulated',
  KUBECONFIG: '',
} as const;
type ClusterVariable = keyof typeof CLUSTER_VARIABLES;

export type ClusterSettings =
  | { kind: 'simulated' }
  /** `kubeconfig` unset: the pod's service account (in-cluster). */
  | { kind: 'kubernetes'; kubeconfig: string | undefined };

export function parseClusterSettings(read: VariableReader<ClusterVariable>, problems: string[]): ClusterSettings {
  const raw = read.text('MATIH_CLUSTER');
  const kubeconfig = read.optional('KUBECONFIG');
  if (raw === 'simulated') return { kind: 'simulated' };
  if (raw !== 'kubernetes') {
    problems.push(`MATIH_CLUSTER="${raw}" must be simulated or kubernetes`);
    return { kind: 'simulated' };
  }
  // Never guess a cluster (client-node would try http://localhost:8080): say where, or run in a
  // pod, where Kubernetes itself sets KUBERNETES_SERVICE_HOST (not a setting of ours).
  if (kubeconfig === undefined && !read.env.KUBERNETES_SERVICE_HOST) {
    problems.push('MATIH_CLUSTER=kubernetes needs KUBECONFIG, or to run in a pod (KUBERNETES_SERVICE_HOST)');
  }
  return { kind: 'kubernetes', kubeconfig };
}
