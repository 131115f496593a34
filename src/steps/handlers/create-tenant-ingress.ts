import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Difference } from '../../domain/drift.js';
import { StepName } from '../../domain/plans.js';
import type { CertificateIssuer, KubeObject } from '../../drivers/contract.js';
import { certificateDnsNames, createTenantIngressManifests, tlsSecretName } from '../manifests/index.js';
import type { StepContext, StepDrivers, StepHandler, StepOptions, TlsProvider } from '../step.js';
import { type ClusterStepOutputs, type ExtraOutputs, KIND, clusterStep } from '../support/cluster-step.js';
import { heldTenantSecret } from '../support/secret-data.js';

/**
 * A certificate with less than this left is issued anew on the next run (as cert-manager's default
 * renewBefore does, 1/3 of 90 days); a sweep reports it as drift for a repair to renew.
 */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export interface CreateTenantIngressOutputs extends ClusterStepOutputs {
  /** The Secret that holds the certificate. */
  tlsSecret: string;
  /** Who makes the certificate. */
  tls: TlsProvider['mode'];
  /** The certificate's expiry, with the local CA only: cert-manager renews its certificates by itself. */
  notAfter?: string;
}

declare module '../support/step-outputs.js' {
  interface StepOutputMap {
    CREATE_TENANT_INGRESS: CreateTenantIngressOutputs;
  }
}

/**
 * spec/004 phase 8: the certificate for `{slug}.{domain}` and `*.{slug}.{domain}`, then the Ingress
 * with TLS. With the local CA a certificate is issued only when the Secret holds none that fits
 * (right names, its key, not near expiry), so a re-run keeps the certificate it made and a repair
 * renews one that is running out. Rollback deletes the Ingress and the certificate Secret (and
 * with cert-manager the Certificate, whose Secret carries our labels through its secretTemplate).
 */
export function createTenantIngress(drivers: StepDrivers, options: StepOptions, now: () => Date = () => new Date()): StepHandler {
  const { tls } = drivers;
  // The expiry of the certificate declare settled on, for result: keyed by the run's context, as one handler serves many tenants at once.
  const expiries = new WeakMap<StepContext, string>();
  return clusterStep(
    {
      name: StepName.CREATE_TENANT_INGRESS,
      kinds: tls.mode === 'local-ca' ? [KIND.Secret, KIND.Ingress] : [KIND.Certificate, KIND.Secret, KIND.Ingress],
      async declare(ctx, held) {
        if (tls.mode === 'cert-manager') return createTenantIngressManifests(ctx.tenant, options.baseDomain, { mode: 'cert-manager' });
        const certificate = await currentOrNewCertificate(held, tls.issuer, ctx, options.baseDomain, now());
        expiries.set(ctx, new Date(new X509Certificate(certificate.certificatePem).validTo).toISOString());
        return createTenantIngressManifests(ctx.tenant, options.baseDomain, { mode: 'local-ca', certificate });
      },
      result(ctx) {
        // notAfter with the local CA only: cert-manager renews its certificates by itself.
        const notAfter = expiries.get(ctx);
        expiries.delete(ctx);
        return {
          outputs: { tlsSecret: tlsSecretName(ctx.tenant), tls: tls.mode, ...(notAfter ? { notAfter } : {}) } satisfies ExtraOutputs<CreateTenantIngressOutputs>,
        };
      },
      observe: (observed) => certificateDue(observed.outputs[StepName.CREATE_TENANT_INGRESS]?.notAfter, observed.now),
    },
    drivers,
    options,
  );
}

interface PemCertificate {
  certificatePem: string;
  privateKeyPem: string;
  caPem: string;
}

async function currentOrNewCertificate(
  held: readonly KubeObject[],
  issuer: CertificateIssuer,
  ctx: StepContext,
  baseDomain: string,
  now: Date,
): Promise<PemCertificate> {
  const names = certificateDnsNames(ctx.tenant, baseDomain);
  const secret = heldTenantSecret(held, ctx.tenant, tlsSecretName(ctx.tenant));
  const kept = secret && usable(secret, names, now);
  if (kept) return kept;
  const issued = await issuer.issue(names);
  return { certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, caPem: issued.caPem };
}

/** The held certificate when it still serves: exactly these names, its own key, not near expiry. */
function usable(data: Record<string, string>, names: readonly string[], now: Date): PemCertificate | undefined {
  const certificatePem = data['tls.crt'];
  const privateKeyPem = data['tls.key'];
  const caPem = data['ca.crt'];
  if (!certificatePem || !privateKeyPem || !caPem) return undefined;
  try {
    const leaf = new X509Certificate(certificatePem);
    const sans = (leaf.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)).sort();
    if (sans.join(',') !== [...names].sort().join(',')) return undefined;
    if (new Date(leaf.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return undefined;
    if (!leaf.checkPrivateKey(createPrivateKey(privateKeyPem))) return undefined;
    if (!leaf.verify(new X509Certificate(caPem).publicKey)) return undefined;
    return { certificatePem, privateKeyPem, caPem };
  } catch {
    // Unparsable: someone wrote garbage into our Secret; a new certificate replaces it.
    return undefined;
  }
}

/** A certificate the step would renew on its next run (the local CA's: cert-manager renews its own, and records no notAfter). */
export function certificateDue(notAfter: unknown, now: Date): Difference[] {
  if (typeof notAfter !== 'string') return [];
  const left = new Date(notAfter).getTime() - now.getTime();
  if (Number.isNaN(left) || left >= RENEW_BEFORE_MS) return [];
  const message = left > 0 ? `certificate expires in ${Math.floor(left / DAY_MS)} days` : `certificate expired on ${notAfter}`;
  return [{ kind: 'certificate', step: StepName.CREATE_TENANT_INGRESS, message }];
}
