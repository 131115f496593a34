import { DriverError, type KubeObject } from '../contract.js';
import { labelSelector } from '../kubernetes/label-selector.js';
import { describeRef } from '../kubernetes/object-refs.js';
import { groupOf, isKnownNamespaced, scopedNamespace } from './sim-kinds.js';
import type { SimObjectKey } from '../../shared/simulated-cluster-store.js';

/** An object as the simulated cluster stores it: what was declared, and only that. */
export interface DeclaredObject {
  key: SimObjectKey;
  apiVersion: string;
  /** apiVersion, kind, metadata without server fields, and the rest; never status. JSON-clean. */
  object: Record<string, unknown>;
  labels: Record<string, string>;
}

/** Metadata the server owns: an apply that sends it back does not get to set it. */
const SERVER_METADATA = new Set(['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

// apimachinery's IsDNS1123Subdomain, which most kinds require of metadata.name.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks what the API server's own validation would refuse before any admission (a permanent
 * DriverError, as a 400 or 422 is), and returns the declared form: status and server metadata
 * stripped, the namespace put where the kind's scope says, round-tripped through JSON so it
 * compares equal to what the database gives back.
 */
export function declaredForm(object: KubeObject): DeclaredObject {
  const candidate = object as Partial<KubeObject> | null;
  if (typeof candidate !== 'object' || candidate === null) throw refused('apply: the object is not a JSON object');
  const { apiVersion, kind, metadata } = candidate;
  if (typeof apiVersion !== 'string' || apiVersion === '') throw refused('apply: apiVersion is required');
  if (typeof kind !== 'string' || kind === '') throw refused(`apply ${apiVersion}: kind is required`);
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.name !== 'string' || metadata.name === '') {
    throw refused(`apply ${apiVersion} ${kind}: metadata.name is required`);
  }
  const apiGroup = groupOf(apiVersion);
  const given = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
  const namespace = scopedNamespace(apiGroup, kind, given);
  const action = `apply ${describeRef({ apiVersion, kind, name: metadata.name, ...(namespace ? { namespace } : {}) })}`;
  if (namespace === '' && isKnownNamespaced(apiGroup, kind)) throw refused(`${action}: ${kind} is namespaced and metadata.namespace is empty`);
  if (metadata.name.length > 253 || !DNS_SUBDOMAIN.test(metadata.name)) {
    throw refused(`${action}: metadata.name must be a lowercase RFC 1123 subdomain`);
  }
  const labels = stringMap(metadata.labels, `${action}: metadata.labels`);
  stringMap(metadata.annotations, `${action}: metadata.annotations`);
  try {
    labelSelector(labels);
  } catch (error) {
    throw refused(`${action}: ${error instanceof Error ? error.message : String(error)}`);
  }

  const { status: _status, metadata: _metadata, ...rest } = object;
  const declaredMetadata = Object.fromEntries(Object.entries(metadata).filter(([key]) => !SERVER_METADATA.has(key) && key !== 'namespace'));
  if (namespace) declaredMetadata.namespace = namespace;
  const clean = JSON.parse(JSON.stringify({ ...rest, metadata: declaredMetadata })) as Record<string, unknown>;
  return { key: { apiGroup, kind, namespace, name: metadata.name }, apiVersion, object: clean, labels };
}

/** Everything but apiVersion, kind and metadata: a change here bumps metadata.generation, as the API server does. */
export function specPart(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = object;
  return rest;
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw refused(`${what} must be a map of strings`);
  for (const [key, v] of Object.entries(value)) if (typeof v !== 'string') throw refused(`${what}[${key}] must be a string`);
  return value as Record<string, string>;
}

function refused(message: string): DriverError {
  return new DriverError(message, false);
}
