/**
 * What the engine and the steps know of the outside world (DESIGN.md section 5). Every verb is
 * idempotent; the engine imports only this file, never a concrete driver. Modelled on
 * crossplane-runtime's ExternalClient: observe first, then act only on the difference.
 */

import type { CloudEvent } from '../domain/events.js';

/** A failure says whether trying again can help; the engine retries only those that can. */
export class DriverError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DriverError';
  }
}

export function isRetryable(error: unknown): boolean {
  // An error no driver classified is most likely transient (a dropped connection, a timeout).
  return error instanceof DriverError ? error.retryable : true;
}

export interface ResourceRef {
  tenantId: string;
  kind: string;
  name: string;
}

/** A resource as a step declares it should be. `step` ties it to its owner for teardown and drift. */
export interface DesiredResource extends ResourceRef {
  step: string;
  spec: Readonly<Record<string, unknown>>;
}

export interface Observation {
  exists: boolean;
  /** Exists and equals the declaration; false when absent. */
  upToDate: boolean;
}

/**
 * Where the outbox relay delivers events (DESIGN.md section 4). Delivery is at least once: after
 * a failure the relay sends the same event again, possibly to a sink that already had it, so a
 * receiver deduplicates by the CloudEvent `id`.
 */
export interface EventSink {
  /** Short and stable: it names the sink in logs and in the outbox's last_error. */
  readonly name: string;
  /**
   * Delivers one event, or throws (a DriverError says whether a retry can help). `signal` aborts
   * a delivery the relay no longer owns (its lease on the event is running out).
   */
  deliver(event: CloudEvent, signal?: AbortSignal): Promise<void>;
}

/** A message to a person, e.g. the tenant admin when provisioning completes or fails. */
export interface NotificationMessage {
  to: string;
  subject: string;
  text: string;
  /** The CloudEvent id the message is about: mail clients and receivers deduplicate retries by it. */
  eventId: string;
}

export interface Notifier {
  /** Sends the message, or throws (a DriverError says whether a retry can help); `signal` gives up. */
  notify(message: NotificationMessage, signal?: AbortSignal): Promise<void>;
}

/* ------------------------------------------------------------------------------------------ *
 * Kubernetes (issue 4). Objects are plain manifests; ownership is carried by labels
 * (matih.ai/tenant-id, matih.ai/step), so observe, drift detection and teardown find them.
 * ------------------------------------------------------------------------------------------ */

// The object shapes are shared with the store and the API (src/shared/); the contract speaks them.
export type { KubeObject, ObjectKind, ObjectRef } from '../shared/kubernetes-objects.js';
import type { KubeObject, ObjectKind, ObjectRef } from '../shared/kubernetes-objects.js';

export interface ReadyWait {
  timeoutMs: number;
  signal: AbortSignal;
  /**
   * Objects as the caller just listed or applied them: the driver may take these as the current
   * state instead of reading them again, so that one already ready costs no request.
   */
  known?: readonly KubeObject[];
}

/**
 * A Kubernetes cluster. Implemented by the real driver (server-side apply through
 * @kubernetes/client-node) and by the simulated cluster (a test double). Errors are DriverErrors:
 * 404 on read is "absent", not an error; 409 conflicts, 429 and 5xx are retryable; 400, 403 and
 * 422 (the object itself is wrong, or we may not do this) are permanent.
 */
export interface ObjectObservation extends Observation {
  /** The object as the cluster has it, when it exists. */
  actual?: KubeObject;
}

export interface ClusterDriver {
  /** One object as the cluster has it; undefined when it does not exist. Changes nothing. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /**
   * The actual state of `desired` against it: absent; present and up to date (every field
   * `desired` declares has the declared value; fields the server adds, such as status, uid or
   * defaults, are not drift); or present and drifted. Changes nothing.
   */
  observe(desired: KubeObject): Promise<ObjectObservation>;
  /**
   * Server-side apply with one stable field manager and force: creates the object or makes the
   * fields we manage equal to `object`. Applying the same object twice changes nothing more.
   * Returns the object as stored.
   */
  apply(object: KubeObject): Promise<KubeObject>;
  /** Deletes one object; an absent object is success. */
  delete(ref: ObjectRef): Promise<void>;
  /** The objects of `kind` carrying every label in `labels` (a label selector), in `namespace` or cluster-wide. */
  list(kind: ObjectKind, labels: Readonly<Record<string, string>>, namespace?: string): Promise<KubeObject[]>;
  /**
   * Waits until every object is ready: a Deployment's available replicas equal its desired, a
   * Flux HelmRelease (or any object with status.conditions) has Ready=True, a LoadBalancer Service
   * has an ingress address; kinds without readiness are ready once they exist. Fails with a
   * retryable DriverError after `timeoutMs`; stops when `signal` aborts.
   */
  awaitReady(refs: readonly ObjectRef[], wait: ReadyWait): Promise<void>;
  /**
   * One HTTP GET of `path` on a Service through the API server's service proxy
   * (`/api/v1/namespaces/{ns}/services/{name}:{port}/proxy{path}`): how VERIFY asks each deployed
   * service for its /health. An answer, healthy or not, is a ProbeResult; not being allowed to ask
   * (401, 403) is a permanent DriverError, the API server not answering a retryable one.
   */
  probe(endpoint: ServiceEndpoint, path: string, signal?: AbortSignal): Promise<ProbeResult>;
  /**
   * For each selection, every object of any kind carrying all its labels, in its namespace or
   * cluster-scoped (answers in the order asked): what the reconciler compares with what it
   * expects, for a page of tenants in one call instead of one list per kind and tenant.
   * Optional: a driver without it is listed kind by kind. Changes nothing.
   */
  inventory?(selections: readonly InventorySelection[]): Promise<InventoryItem[][]>;
}

export interface InventorySelection {
  labels: Readonly<Record<string, string>>;
  namespace: string;
}

/** One object as an inventory names it. */
export interface InventoryItem extends ObjectRef {
  labels: Record<string, string>;
  /** When its declared content last changed, when the driver knows (the simulated cluster does). */
  changedAt?: Date;
}

export interface ServiceEndpoint {
  namespace: string;
  /** The Service's name. */
  name: string;
  /** A port number or the name of one of the Service's ports. */
  port: number | string;
}

export interface ProbeResult {
  /** The service answered 2xx. */
  healthy: boolean;
  /** The HTTP status of the answer: the service's, or the proxy's (503 when no endpoint is ready, 404 when the Service is absent). */
  status: number;
  /** A short reason for an unhealthy answer, for the step's error message. Never the body of a 2xx. */
  detail?: string;
}

/* ------------------------------------------------------------------------------------------ *
 * Tenant databases (issue 4): schemas and a login role per tenant on a PostgreSQL server, or a
 * database of its own for Enterprise (spec/004 "Database Isolation Strategy").
 * ------------------------------------------------------------------------------------------ */

export interface TenantDatabaseSpec {
  tenantId: string;
  /** SCHEMA_PER_TENANT: `schemas` in the shared database; DATABASE_PER_TENANT: `database` with the same schemas inside. */
  isolation: 'SCHEMA_PER_TENANT' | 'DATABASE_PER_TENANT';
  /** Unquoted names; the driver always quotes identifiers. */
  schemas: readonly string[];
  role: string;
  /** For DATABASE_PER_TENANT. */
  database?: string;
  /**
   * For SCHEMA_PER_TENANT: a role without login, one per deployment, that holds CONNECT on the
   * shared database and whose membership gives it to the tenant's role (made when missing).
   * Without it the tenant's role is granted CONNECT itself.
   */
  connectGroup?: string;
}

export interface TenantDatabaseObservation {
  rolePresent: boolean;
  /** Only for DATABASE_PER_TENANT. */
  databasePresent: boolean;
  schemasPresent: string[];
  /** The tenant migrations applied, highest version; null before any. */
  migrationVersion: number | null;
}

export interface TenantDatabaseConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface TenantDatabaseDriver {
  observe(spec: TenantDatabaseSpec): Promise<TenantDatabaseObservation>;
  /**
   * observe of many tenants at once, in a constant number of round trips (the reconciler's page
   * of tenants), answers in the order asked. A tenant that cannot be observed (a bad name, its
   * database refused the session) is answered with its DriverError; a failure of the whole read
   * rejects. Optional: without it the drift detector calls observe tenant by tenant.
   */
  observeMany?(specs: readonly TenantDatabaseSpec[]): Promise<(TenantDatabaseObservation | DriverError)[]>;
  /**
   * Creates what is missing (database, role with `password`, schemas, grants limited to the
   * tenant's own schemas), runs the tenant migrations and seeds the reference data. Idempotent:
   * a second call changes nothing (except setting the password again).
   */
  ensure(spec: TenantDatabaseSpec, password: string): Promise<TenantDatabaseConnection>;
  /** Logs in as the tenant's role and uses its schemas; throws if it cannot. */
  verify(connection: TenantDatabaseConnection, spec: TenantDatabaseSpec): Promise<void>;
  /** Drops exactly what `ensure` made: schemas (or database) and role. Absent is success. */
  drop(spec: TenantDatabaseSpec): Promise<void>;
}

/** Encrypts secrets at rest (tenant database credentials in step outputs). */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** What re-sealing one value came to: nothing to do, or its text under the current key. */
export type Resealed = { current: true } | { current: false; sealed: string };

/**
 * A SecretBox over a current key and the keys before it (MATIH_SECRET_KEY_PREVIOUS): it seals
 * with the current key and opens with any, so values sealed before a key change stay readable
 * until the rotation (engine/secret-key-rotation.ts) has sealed them again.
 */
export interface SecretKeyRing extends SecretBox {
  /** How many previous keys it opens with besides the current one. */
  readonly previousKeys: number;
  /** Throws the permanent DriverError of `open` when no key opens `sealed`. */
  reseal(sealed: string): Resealed;
}

// The DNS and TLS ports, the enterprise ports (service principal, Terraform state lock,
// Terraform) and the archive live apart to keep this file readable; they are part of the same contract.
export * from './contract/dns-and-tls.js';
export * from './contract/enterprise.js';
export * from './contract/archive.js';
