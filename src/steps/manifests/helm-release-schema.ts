import { type Static, Type } from '@sinclair/typebox';

/**
 * Flux's HelmRelease (helm.toolkit.fluxcd.io/v2) as a TypeBox schema: the TypeScript type and
 * its validator from one declaration. `@kubernetes-models/flux-cd` models v2 only from 3.0 on,
 * which needs Node 22 and kubernetes-models 5; its 2.x line (the one for kubernetes-models 4)
 * stops at v2beta2. Limits follow Flux's CRD (name and namespace lengths, duration pattern).
 *
 * Closed objects (no additional properties) on purpose: the API server prunes fields a CRD does
 * not know, so a misspelt field would vanish silently; here it fails the build. Fields Flux
 * has and we do not use yet (install, upgrade, timeout...) are added here when first needed.
 */

const closed = { additionalProperties: false } as const;
const Duration = Type.String({ pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' });
const Name = Type.String({ minLength: 1, maxLength: 253 });
const NamespaceName = Type.String({ minLength: 1, maxLength: 63 });

/** The tier as charts see it: lower case, as the namespace's `matih.ai/tier` label spells it. */
export const TierValueSchema = Type.Union([Type.Literal('free'), Type.Literal('professional'), Type.Literal('enterprise')]);
export type TierValue = Static<typeof TierValueSchema>;

/**
 * The values of spec/004's example plus spec/002's `tenant.*`: the contract between us and every
 * matih/* chart.
 */
export const ServiceValuesSchema = Type.Object(
  {
    /** spec/002's `--set tenant.id=... --set tenant.tier=...`. */
    tenant: Type.Object({ id: Type.String({ minLength: 1 }), tier: TierValueSchema }, closed),
    replicaCount: Type.Integer({ minimum: 0 }),
    image: Type.Object({ repository: Type.String({ minLength: 1 }), tag: Type.String({ minLength: 1 }) }, closed),
    /** The pods' identity: the tenant's own ServiceAccount (spec/002 phase 2), made by CREATE_NAMESPACE, not by the chart. */
    serviceAccount: Type.Object({ create: Type.Literal(false), name: Name }, closed),
    env: Type.Array(
      Type.Union([
        Type.Object({ name: Type.String({ minLength: 1 }), value: Type.String() }, closed),
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            valueFrom: Type.Object({ secretKeyRef: Type.Object({ name: Name, key: Type.String({ minLength: 1 }) }, closed) }, closed),
          },
          closed,
        ),
      ]),
    ),
    resources: Type.Object(
      {
        requests: Type.Object({ cpu: Type.String(), memory: Type.String() }, closed),
        limits: Type.Object({ cpu: Type.String(), memory: Type.String() }, closed),
      },
      closed,
    ),
  },
  closed,
);
export type ServiceValues = Static<typeof ServiceValuesSchema>;

export const HELM_RELEASE_API_VERSION = 'helm.toolkit.fluxcd.io/v2';

/**
 * Flux's ValuesReference: values read from a ConfigMap or Secret of the release's namespace,
 * merged in order under `spec.values` (which wins), as `helm --values` files under `--set`.
 */
export const ValuesReferenceSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('ConfigMap'), Type.Literal('Secret')]),
    name: Name,
    valuesKey: Type.Optional(Type.String({ maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$' })),
  },
  closed,
);
export type ValuesReference = Static<typeof ValuesReferenceSchema>;

/**
 * The chart source, `matih` in spec/004's `matih/<service>`. One HelmRepository for the whole
 * platform, installed with Flux in its own namespace: no tenant step owns it, so tearing a
 * tenant down can never delete the charts every other tenant installs from. (It needs Flux's
 * cross-namespace references, which is the default.)
 */
export const HELM_REPOSITORY = { kind: 'HelmRepository', name: 'matih', namespace: 'flux-system' } as const;

export const HelmReleaseSchema = Type.Object(
  {
    apiVersion: Type.Literal(HELM_RELEASE_API_VERSION),
    kind: Type.Literal('HelmRelease'),
    metadata: Type.Object(
      {
        name: Name,
        namespace: NamespaceName,
        labels: Type.Optional(Type.Record(Type.String(), Type.String())),
        annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
      },
      // Open: the rest is standard ObjectMeta (uid, finalizers...), which the API server owns.
    ),
    spec: Type.Object(
      {
        interval: Duration,
        chart: Type.Object(
          {
            spec: Type.Object(
              {
                chart: Type.String({ minLength: 1, maxLength: 2048 }),
                version: Type.Optional(Type.String({ minLength: 1 })),
                sourceRef: Type.Object(
                  {
                    kind: Type.Union([Type.Literal('HelmRepository'), Type.Literal('GitRepository'), Type.Literal('Bucket')]),
                    name: Name,
                    namespace: Type.Optional(NamespaceName),
                  },
                  closed,
                ),
              },
              closed,
            ),
          },
          closed,
        ),
        releaseName: Type.Optional(Type.String({ minLength: 1, maxLength: 53 })),
        dependsOn: Type.Optional(Type.Array(Type.Object({ name: Name, namespace: Type.Optional(NamespaceName) }, closed))),
        valuesFrom: Type.Optional(Type.Array(ValuesReferenceSchema)),
        // Free-form for Flux; validate.ts holds matih/* charts to ServiceValuesSchema.
        values: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      closed,
    ),
  },
  closed,
);
export type HelmRelease = Static<typeof HelmReleaseSchema>;
