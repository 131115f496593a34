import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { StepName } from '../../domain/plans.js';
import type { IssuedCertificate, KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { ingressClassName } from './ingress-controller.js';
import { ownerLabels } from './labels.js';
import { tenantMeta, toKubeObject } from './object-meta.js';

/**
 * spec/004 phase 8: the tenant's certificate and its Ingress.
 *
 * The certificate is for `{slug}.{domain}` and `*.{slug}.{domain}` and lives in the Secret
 * `{slug}-tls-certificate` (type kubernetes.io/tls) the Ingress names. Who writes the Secret
 * depends on the TLS driver: `local-ca` issues the certificate in the control plane and the step
 * writes the Secret itself; `cert-manager` declares a Certificate (issuer letsencrypt-prod-dns01)
 * and cert-manager writes it.
 *
 * spec/004 also puts `cert-manager.io/cluster-issuer` on the Ingress. Together with the explicit
 * Certificate that annotation makes cert-manager's ingress-shim manage a second Certificate for
 * the same Secret, and the two fight; the explicit Certificate is the one spec/004 waits for, so
 * the annotation is left out.
 */

export const CLUSTER_ISSUER = 'letsencrypt-prod-dns01';
export const TENANT_INGRESS = 'tenant-ingress';
export const CERTIFICATE_API_VERSION = 'cert-manager.io/v1';

export function tenantHost(tenant: Pick<TenantFacts, 'slug'>, baseDomain: string): string {
  return `${tenant.slug}.${baseDomain}`;
}

/** The names the certificate must cover: the apex and one level of subdomains. */
export function certificateDnsNames(tenant: Pick<TenantFacts, 'slug'>, baseDomain: string): string[] {
  const host = tenantHost(tenant, baseDomain);
  return [host, `*.${host}`];
}

export function tlsSecretName(tenant: Pick<TenantFacts, 'slug'>): string {
  return `${tenant.slug}-tls-certificate`;
}

/** The Secret the local CA's certificate goes into; `ca.crt` lets in-cluster clients trust it. */
export function tlsSecretManifest(tenant: TenantFacts, cert: Pick<IssuedCertificate, 'certificatePem' | 'privateKeyPem' | 'caPem'>): KubeObject {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const secret: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: tenantMeta(tenant, StepName.CREATE_TENANT_INGRESS, tlsSecretName(tenant)),
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(cert.certificatePem), 'tls.key': b64(cert.privateKeyPem), 'ca.crt': b64(cert.caPem) },
  };
  return toKubeObject(secret);
}

/** cert-manager's Certificate (spec/004 phase 8), solved by DNS-01 in the tenant's child zone. */
export function certificateManifest(tenant: TenantFacts, baseDomain: string): KubeObject {
  return toKubeObject({
    apiVersion: CERTIFICATE_API_VERSION,
    kind: 'Certificate',
    metadata: tenantMeta(tenant, StepName.CREATE_TENANT_INGRESS, tlsSecretName(tenant)),
    spec: {
      secretName: tlsSecretName(tenant),
      dnsNames: certificateDnsNames(tenant, baseDomain),
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: CLUSTER_ISSUER },
      // The Secret cert-manager writes carries the step's labels, so rollback finds and deletes it.
      secretTemplate: { labels: ownerLabels(tenant, StepName.CREATE_TENANT_INGRESS) },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    },
  } as { apiVersion: string; kind: string; metadata: ReturnType<typeof tenantMeta> });
}

/**
 * Where the hosts lead. spec/004's example routes to `api-gateway:8080` and `bi-workbench:3000`,
 * services the data plane of spec/002 does not have; its entry point for API calls is
 * `auth-proxy` and its BI front end `bi-service`, so those are the backends, by the `http` port
 * name every service chart exposes (VERIFY probes the same port). `api.{host}`, which phase 7
 * gives an A record, leads to the API too.
 */
export const INGRESS_BACKENDS = { api: 'auth-proxy', bi: 'bi-service' } as const;

export function tenantIngressManifest(tenant: TenantFacts, baseDomain: string): KubeObject {
  const host = tenantHost(tenant, baseDomain);
  const backend = (name: string) => ({ service: { name, port: { name: 'http' } } });
  const ingress: IIngress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: tenantMeta(tenant, StepName.CREATE_TENANT_INGRESS, TENANT_INGRESS),
    spec: {
      ingressClassName: ingressClassName(tenant),
      tls: [{ hosts: certificateDnsNames(tenant, baseDomain), secretName: tlsSecretName(tenant) }],
      rules: [
        { host, http: { paths: [{ path: '/api', pathType: 'Prefix', backend: backend(INGRESS_BACKENDS.api) }] } },
        { host: `api.${host}`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend(INGRESS_BACKENDS.api) }] } },
        { host: `bi.${host}`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend(INGRESS_BACKENDS.bi) }] } },
      ],
    },
  };
  return toKubeObject(ingress);
}
