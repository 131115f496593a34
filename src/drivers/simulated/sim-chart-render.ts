import type { KubeObject, ObjectRef } from '../contract.js';

/**
 * What the simulated cluster's stand-in for Flux's helm-controller installs for a HelmRelease.
 * The sim runs no charts (simulated-cluster.ts), but a step that reads an object a chart makes
 * (DEPLOY_INGRESS_CONTROLLER waits for the controller's LoadBalancer address) needs that object
 * to exist, as it would on a cluster. So for the few charts whose objects the control plane reads,
 * the sim creates those objects with the release and deletes them with it; every other chart
 * renders nothing here.
 *
 * Flux labels what it installs with the release's name and namespace; the sim does the same, and
 * finds the objects again by those labels when the release goes.
 */
export const FLUX_RELEASE_LABELS = { name: 'helm.toolkit.fluxcd.io/name', namespace: 'helm.toolkit.fluxcd.io/namespace' } as const;

/** The objects the sim installs for `release`, or none. */
export function renderedObjects(release: KubeObject): KubeObject[] {
  const chart = chartOf(release);
  const namespace = release.metadata.namespace;
  if (!namespace || chart !== 'ingress-nginx') return [];
  return [ingressNginxControllerService(release.metadata.name, namespace, release)];
}

/** The label selection of what `release` installed. */
export function releaseSelector(ref: ObjectRef): Record<string, string> {
  return { [FLUX_RELEASE_LABELS.name]: ref.name, [FLUX_RELEASE_LABELS.namespace]: ref.namespace ?? '' };
}

/**
 * The ingress-nginx chart's controller Service: named `<fullname>-controller`, where the
 * fullname is the release name when it contains the chart name (as "ingress-nginx" does), and of
 * the type the values ask for (LoadBalancer by default).
 */
function ingressNginxControllerService(releaseName: string, namespace: string, release: KubeObject): KubeObject {
  const fullname = releaseName.includes('ingress-nginx') ? releaseName : `${releaseName}-ingress-nginx`;
  const service = record(record(record(record(release.spec).values).controller).service);
  const type = typeof service.type === 'string' ? service.type : 'LoadBalancer';
  const annotations = record(service.annotations) as Record<string, string>;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: `${fullname}-controller`,
      namespace,
      labels: {
        'app.kubernetes.io/name': 'ingress-nginx',
        'app.kubernetes.io/instance': releaseName,
        'app.kubernetes.io/component': 'controller',
        [FLUX_RELEASE_LABELS.name]: releaseName,
        [FLUX_RELEASE_LABELS.namespace]: namespace,
      },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      type,
      selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': releaseName, 'app.kubernetes.io/component': 'controller' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
      ],
    },
  };
}

function chartOf(release: KubeObject): string | undefined {
  const chart = record(record(record(release.spec).chart).spec).chart;
  return typeof chart === 'string' ? chart : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
