/**
 * What the simulated cluster (drivers/simulated) needs of its storage, and what the store
 * (store/sim/sim-objects.ts) gives it: declared once, here, where both may look, so that drivers
 * never import the store and the store keeps no copy of the shapes. The composition root passes
 * the store's implementation to the driver.
 *
 * Writes are compare-and-set on `resourceVersion`: `undefined` means the write lost a race (the
 * object changed or appeared meanwhile, or its load-balancer address was just taken), and the
 * cluster reads again and retries.
 */
export interface SimObjectKey {
  apiGroup: string;
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
}

export interface SimObjectRecord extends SimObjectKey {
  /** The version it was last applied at. */
  apiVersion: string;
  uid: string;
  /** The object as declared: apiVersion, kind, metadata (no server fields), spec or data; never status. */
  object: Record<string, unknown>;
  labels: Record<string, string>;
  generation: number;
  resourceVersion: string;
  /** Every apply, whether it changed anything or not. */
  applyCount: number;
  /** When the simulated controller has it ready (future while it rolls out); null: never yet. */
  readyAt: Date | null;
  loadBalancerIp: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SimObjectWrite {
  apiVersion: string;
  object: Readonly<Record<string, unknown>>;
  labels: Readonly<Record<string, string>>;
  generation: number;
  readyAt: Date | null;
  loadBalancerIp: string | null;
}

export interface SimObjectFilter {
  apiGroup?: string;
  kind?: string;
  namespace?: string;
  labels?: Readonly<Record<string, string>>;
}

export interface SimInventoryRecord extends SimObjectKey {
  /** The index of the label set it was selected by. */
  selection: number;
  apiVersion: string;
  labels: Record<string, string>;
  updatedAt: Date;
}

export interface SimObjectStore {
  get(key: SimObjectKey): Promise<SimObjectRecord | undefined>;
  /** Those of `keys` that exist, in any order. */
  getMany(keys: readonly SimObjectKey[]): Promise<SimObjectRecord[]>;
  insert(key: SimObjectKey, uid: string, write: SimObjectWrite): Promise<SimObjectRecord | undefined>;
  /** Replaces it if still at `resourceVersion`, with a new resourceVersion and apply_count + 1. */
  replace(key: SimObjectKey, resourceVersion: string, write: SimObjectWrite): Promise<SimObjectRecord | undefined>;
  /** apply_count + 1 and nothing else, if still at `resourceVersion`. */
  countApply(key: SimObjectKey, resourceVersion: string): Promise<SimObjectRecord | undefined>;
  /** True when it existed. */
  delete(key: SimObjectKey): Promise<boolean>;
  /** The Namespace object and every object in the namespace. */
  deleteNamespace(namespace: string): Promise<{ namespaceExisted: boolean; contents: number }>;
  list(filter: SimObjectFilter): Promise<SimObjectRecord[]>;
  /** For each of `labelSets`, keys, labels and last change of the objects carrying all its labels; no object bodies. */
  inventory(labelSets: readonly Readonly<Record<string, string>>[]): Promise<SimInventoryRecord[]>;
  /** True when the object exists. */
  setReadyAt(key: SimObjectKey, at: Date): Promise<boolean>;
  loadBalancerIpsInUse(): Promise<string[]>;
}
