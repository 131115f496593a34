import type { JsonSchema, Operation, Parameter, ServerName } from './openapi-operations.js';
import { typesOf } from './openapi-operations.js';
import type { Prng } from './prng.js';

/**
 * Requests for one operation of an OpenAPI document: valid by its schema, then (most of the time)
 * broken in one or two ways, and sent with one of five credentials. Pure: the same PRNG state
 * gives the same case.
 */

export const CREDENTIALS = ['platformAdmin', 'tenantAdmin', 'otherViewer', 'none', 'garbage'] as const;
export type CredentialName = (typeof CREDENTIALS)[number];

export interface FuzzFixtures {
  /** The tenant most cases are about; its Admin key is `tenantAdmin`. */
  primary: string;
  /** Another tenant; its Viewer key is `otherViewer`. */
  other: string;
  /** The tenant destructive routes aim at instead of the two above (suspend, cancel, delete, deprovision). */
  victim: string;
  /** API keys of `primary` that may be revoked: never a credential the run uses. */
  decoyKeyIds: readonly string[];
  tokens: { platformAdmin: string; tenantAdmin: string; otherViewer: string };
}

export interface FuzzCase {
  server: ServerName;
  method: Operation['method'] | 'HEAD' | 'OPTIONS';
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
  credential: CredentialName;
  /** What was done to the valid request, e.g. `body:nul@branding.displayName`. */
  mutations: string[];
}

/** Routes whose valid request would take a fixture away: their tenant ids never name one. */
export function isDestructive(op: Operation): boolean {
  return (op.method === 'DELETE' && op.path !== '/api/v1/sim/objects' && !op.path.includes('{keyId}')) || /\/(suspend|provisioning\/cancel)$/.test(op.path);
}

const FLAGS = ['analytics.basic', 'ai.assist', 'analytics.full', 'ai.chat', 'ml.workbench', 'ai.customModels', 'support.sla'];

type Hint = (rng: Prng, f: FuzzFixtures) => unknown;

/** Values the service understands, by field name: a schema says `string`, the service wants a tier. */
const HINTS: Record<string, Hint> = {
  tier: (r) => r.pick(['FREE', 'PROFESSIONAL', 'ENTERPRISE', 'professional', 'Free']),
  cloudProvider: (r) => r.pick(['AZURE', 'AWS', 'GCP', 'azure']),
  region: (r) => r.pick(['eastus', 'westeurope', 'us-east-1', 'eu-west-1', 'us-central1', 'europe-west1']),
  role: (r) => r.pick(['Admin', 'Analyst', 'Viewer', 'platform_admin']),
  name: (r) => `Fuzz ${r.text(8)}`,
  slug: (r) => `fz-${r.text(10)}`,
  adminEmail: (r) => `fz-${r.text(8)}@example.com`,
  alertEmail: (r) => r.pick([`oncall-${r.text(5)}@example.com`, null]),
  email: (r) => r.chance(0.5),
  webhookUrl: (r) => r.pick(['https://hooks.example.com/alerts', 'https://hooks.slack.com/services/T0/B0/x', null]),
  logoUrl: (r) => r.pick(['https://cdn.example.com/logo.png', null]),
  displayName: (r) => r.pick([`Fuzz ${r.text(4)}`, null]),
  primaryColor: (r) => r.pick(['#2563eb', '#000000']),
  timezone: (r) => r.pick(['Europe/Berlin', 'UTC', 'America/New_York']),
  locale: (r) => r.pick(['de-DE', 'en-US', 'fr']),
  queryTimeoutSeconds: (r) => r.pick([30, 60, 300]),
  dataRetentionDays: (r) => r.pick([7, 30, 90]),
  aiModelPreference: (r) => r.pick(['gpt-4o', 'claude', 'llama']),
  databaseSize: (r) => r.pick(['Standard_D2s_v3', 'Standard_B1ms', 'db.t3.medium']),
  storageGb: (r) => r.pick([10, 50, 100, 500]),
  enableHa: (r) => r.chance(0.3),
  quota: (r) =>
    r.pick([null, { cpuRequests: '16', cpuLimits: '32', memoryRequests: '32Gi', memoryLimits: '64Gi', pods: 100, services: 50, persistentVolumeClaims: 20 }, { pods: r.int(1, 500) }]),
  configuration: (r, f) => {
    const out: Record<string, unknown> = {};
    for (const key of ['databaseSize', 'storageGb', 'enableHa', 'quota']) if (r.chance(0.4)) out[key] = (HINTS[key] as Hint)(r, f);
    return out;
  },
  apiKey: (r, f) => (r.chance(0.6) ? f.tokens.tenantAdmin : `mtk_${r.text(40)}`),
  token: (r) => r.pick(['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'not-a-jwt', `mtk_${r.text(20)}`]),
  confirmationCode: (r) => r.text(r.int(6, 12), '0123456789ABCDEF'),
  reason: (r) => `fuzz ${r.text(6)}`,
  status: (r) => r.pick(['ACTIVE', 'provisioning', 'SUSPENDED', 'FAILED']),
  q: (r) => r.pick(['fuzz', 'Tenant', '%', '_', "o'hara"]),
  cursor: (r) => r.pick(['', 'eyJ0IjoiMjAyNC0wMS0wMSJ9', r.text(16)]),
  kind: (r) => r.pick(['JOB', 'STAGE', 'step', 'ROLLBACK', 'OPERATION', 'Deployment', 'Namespace', 'Secret']),
  trigger: (r) => r.pick(['step.failed', 'job.retried', 'job.created']),
  namespace: (r) => r.pick(['', 'default', `tenant-${r.text(6)}`]),
  apiVersion: (r) => r.pick(['v1', 'apps/v1', 'networking.k8s.io/v1']),
  grantType: (r) => r.pick(['authorization_code', 'refresh_token']),
  clientId: (r) => r.pick(['matih-dashboard', 'matihctl']),
  redirectUri: (r) => r.pick(['http://127.0.0.1:8082/callback', 'https://app.example.com/cb']),
  codeVerifier: (r) => r.text(r.int(43, 60), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-'),
  endIssuedTokens: (r) => r.chance(0.2),
  expiresInDays: (r) => r.pick([1, 30, 3650]),
};

/** Field names whose valid values are a closed set (the `bad-enum` mutation aims at them). */
const ENUM_LIKE = new Set(['tier', 'cloudProvider', 'region', 'role', 'status', 'aiModelPreference', 'grantType', 'kind', 'timezone', 'locale', 'databaseSize']);

const BAD_ENUM_VALUES = ['BOGUS', 'free ', ' FREE', 'FREE\n', 'PLATINUM', 'Admin;DROP TABLE', 'ENTERPRISE'.repeat(20), '*', 'null', '0', 'ＦＲＥＥ', 'ﬀ', 'I\u0307'];

/** A value valid by `schema` (and by the hint for `name`, when there is one). */
export function validValue(schema: JsonSchema, rng: Prng, f: FuzzFixtures, name?: string, depth = 0): unknown {
  const hint = name ? HINTS[name] : undefined;
  const types = typesOf(schema);
  if (hint && (types.length === 0 || !types.includes('array'))) return hint(rng, f);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0) return validValue(rng.pick(branches), rng, f, name, depth);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum && schema.enum.length > 0) return rng.pick(schema.enum);
  if (schema.examples && schema.examples.length > 0 && rng.chance(0.5)) return rng.pick(schema.examples);
  const type = types.length > 0 ? rng.pick(types) : 'string';
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = Math.min(schema.maximum ?? min + 1000, min + 1000);
      return rng.int(min, max);
    }
    case 'array': {
      const item = schema.items ?? {};
      const count = rng.int(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3));
      return Array.from({ length: count }, () => (hint ? hint(rng, f) : validValue(item, rng, f, undefined, depth + 1)));
    }
    case 'object':
      return validObject(schema, rng, f, depth);
    default:
      return validString(schema, rng, f);
  }
}

function validString(schema: JsonSchema, rng: Prng, f: FuzzFixtures): string {
  if (schema.format === 'uuid') return rng.pick([f.primary, f.other, rng.uuid()]);
  if (schema.format === 'date-time') return new Date(Date.UTC(2020, 0, 1) + rng.int(0, 2_000) * 86_400_000).toISOString();
  if (schema.format === 'email') return `fz-${rng.text(6)}@example.com`;
  const min = schema.minLength ?? 1;
  const max = Math.max(min, Math.min(schema.maxLength ?? min + 11, min + 11));
  return rng.text(rng.int(min, max), 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.');
}

function validObject(schema: JsonSchema, rng: Prng, f: FuzzFixtures, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (required.has(key) || rng.chance(0.5)) out[key] = validValue(property, rng, f, key, depth + 1);
  }
  if (typeof schema.additionalProperties === 'object' && Object.keys(out).length === 0) {
    // A map (feature overrides): known keys, each a valid value.
    for (const flag of FLAGS) if (rng.chance(0.3)) out[flag] = validValue(schema.additionalProperties, rng, f, undefined, depth + 1);
  }
  if (Object.keys(out).length < (schema.minProperties ?? 0)) {
    const candidates = Object.keys(schema.properties ?? {});
    if (candidates.length > 0) {
      const key = rng.pick(candidates);
      out[key] = validValue(schema.properties?.[key] ?? {}, rng, f, key, depth + 1);
    } else out[rng.pick(FLAGS)] = rng.chance(0.5);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** A field of a body schema: its path and schema (`{}` when the schema leaves it open). */
interface Field {
  path: string[];
  schema: JsonSchema;
}

function fieldsOf(schema: JsonSchema, prefix: string[] = [], depth = 0): Field[] {
  if (depth > 4) return [];
  const out: Field[] = [];
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const path = [...prefix, key];
    out.push({ path, schema: property });
    const objectBranch = [property, ...(property.anyOf ?? [])].find((s) => s.properties);
    if (objectBranch) out.push(...fieldsOf(objectBranch, path, depth + 1));
  }
  return out;
}

function setAt(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at: Record<string, unknown> = root;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) at[last] = value;
}

function deleteAt(root: Record<string, unknown>, path: readonly string[]): void {
  let at: unknown = root;
  for (const key of path.slice(0, -1)) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  const last = path[path.length - 1];
  if (typeof at === 'object' && at !== null && last !== undefined) delete (at as Record<string, unknown>)[last];
}

/** The objects of a value, by path (the root first). */
function objectsIn(value: unknown, path: string[] = [], depth = 0): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || depth > 5) return [];
  return [path, ...Object.entries(value).flatMap(([k, v]) => objectsIn(v, [...path, k], depth + 1))];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function valueAt(root: unknown, path: readonly string[]): unknown {
  let at = root;
  for (const key of path) at = isObject(at) ? at[key] : undefined;
  return at;
}

function objectAt(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let at: Record<string, unknown> = root;
  for (const key of path) at = at[key] as Record<string, unknown>;
  return at;
}

const WRONG_TYPES: readonly unknown[] = [0, -1, 1.5, 123456789, true, false, null, [], ['a', 1], {}, { nested: true }, '', ' ', 'text', '42', 'true'];

function wrongTypeFor(schema: JsonSchema, rng: Prng): unknown {
  const types = typesOf(schema);
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  const candidates = WRONG_TYPES.filter((v) => !types.includes(typeOf(v)) && !(typeOf(v) === 'integer' && types.includes('number')));
  return rng.pick(candidates.length > 0 ? candidates : WRONG_TYPES);
}

function hugeString(rng: Prng): string {
  // Past every maxLength (1000 and less); 70k and more past the 64 KiB body limit.
  return rng.pick(['a', 'é', '😀', '\\', '"']).repeat(rng.pick([1_001, 4_097, 20_000, 70_000, 300_000]));
}

function badString(kind: 'nul' | 'surrogate', rng: Prng): string {
  if (kind === 'nul') return rng.pick(['\u0000', 'a\u0000b', 'x'.repeat(10) + '\u0000', '\u0000\u0000']);
  return rng.pick(['\ud800', '\udc00', 'a\ud800b', 'b\udfff', '\udc00\ud800', '😀\ud83d']);
}

const BOUNDARY_NUMBERS: readonly string[] = ['0', '-0', '-1', '1.5', '2147483647', '2147483648', '-2147483649', '9007199254740991', '9007199254740993', '1e308', '-1e308', '1e400', '1e-400', '0.0000001', '3651', '201', '1001', '99999999999999999999999999'];

const NON_OBJECT_BODIES = ['null', '[]', '[{}]', '42', '-1', '"text"', '""', 'true', 'false', '1e400', '[null]'];

const MALFORMED_JSON = ['{', '{"a":', "{'a':1}", '{"a":1,}', '{"a":1}garbage', 'undefined', 'NaN', '{"a":01}', '{"a":"\\x41"}', '{"a" 1}', '[[[[[[', '}', '{"a":"\u0001"}', '\ufeff{}', '{"a":1}{"b":2}', '{"a":tru}', '{"a":"\\u00"}'];

const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/merge-patch+json',
  'application/JSON',
  'application/json;',
  'application/json, text/plain',
  'application/vnd.api+json',
  'application/octet-stream',
  '*/*',
  'json',
  ';',
  'application/json; boundary="',
];

const BAD_IDS = (valid: string, rng: Prng): string[] => [
  '',
  'not-a-uuid',
  '123',
  'null',
  'undefined',
  valid.toUpperCase(),
  valid.slice(0, -1),
  `${valid}0`,
  valid.replace(/-/g, ''),
  `%7B${valid}%7D`,
  `${valid.slice(0, -1)}g`,
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'a'.repeat(rng.pick([64, 400, 999])),
  'a'.repeat(rng.pick([1_001, 1_200, 5_000])),
  '%E0%A4%A',
  '%',
  '%zz',
  '%00',
  `${valid}%00`,
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%2F',
  `${valid}%2F..`,
  '..',
  '%2e%2e',
  '%20',
  `${valid}%20`,
  '%C3%BC',
  '%F0%9F%98%80',
  '__proto__',
  'constructor',
  '%25',
  `${valid};x=1`,
];

const QUERY_BAD_NUMBERS = ['abc', '1.5', '-1', '0', '1e3', '99999999999999999999', '', '0x10', 'Infinity', 'NaN', '2147483648', '9007199254740992', '+5', ' 5', '5 ', '%00', 'true', '[]'];

const QUERY_STRINGS_BAD = ['%00', 'a%00b', '%ED%A0%80', '%ED%B0%80', '%E0%A4%A', '%zz', '%', '%C0%AF', '%FF'];

const IF_MATCH = ['garbage', '"-1"', 'W/"1"', '*', '"99999999999999999999"', '"1", "2"', '""', '"1.5"', 'x'.repeat(9_000), '"0"', '"abc"', ' '];

const GARBAGE_AUTH = [
  'Bearer garbage',
  'Bearer mtk_00000000000000000000000000000000',
  'Bearer mtk_',
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6InBsYXRmb3JtX2FkbWluIn0.',
  'Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA',
  'Basic dXNlcjpwYXNz',
  'Bearer',
  'Bearer ',
  '',
  'Bearer a b',
  `Bearer ${'x'.repeat(10_000)}`,
  'bearer\tfoo',
  'Token abc',
];

type Mutation =
  | 'body:wrong-type'
  | 'body:missing-required'
  | 'body:extra-field'
  | 'body:duplicate-key'
  | 'body:huge-string'
  | 'body:nul'
  | 'body:surrogate'
  | 'body:proto'
  | 'body:constructor-prototype'
  | 'body:non-object'
  | 'body:deep-nesting'
  | 'body:bad-enum'
  | 'body:boundary-number'
  | 'body:wrong-content-type'
  | 'body:empty'
  | 'body:malformed-json'
  | 'body:none'
  | 'body:unexpected'
  | 'path:bad-id'
  | 'query:wrong-type'
  | 'query:unknown'
  | 'query:duplicate'
  | 'query:huge'
  | 'query:bad-string'
  | 'query:bad-enum'
  | 'query:bad-date'
  | 'query:too-many'
  | 'query:proto-key'
  | 'header:if-match'
  | 'header:confirmation-code'
  | 'header:odd'
  | 'method:other';

function mutationsFor(op: Operation): (readonly [Mutation, number])[] {
  const out: (readonly [Mutation, number])[] = [];
  if (op.body) {
    out.push(
      ['body:wrong-type', 4],
      ['body:missing-required', 2],
      ['body:extra-field', 2],
      ['body:duplicate-key', 1],
      ['body:huge-string', 2],
      ['body:nul', 2],
      ['body:surrogate', 2],
      ['body:proto', 2],
      ['body:constructor-prototype', 1],
      ['body:non-object', 2],
      ['body:deep-nesting', 2],
      ['body:bad-enum', 2],
      ['body:boundary-number', 2],
      ['body:wrong-content-type', 2],
      ['body:empty', 1],
      ['body:malformed-json', 2],
      ['body:none', 1],
    );
  } else out.push(['body:unexpected', 2]);
  if (op.pathParams.length > 0) out.push(['path:bad-id', 6]);
  if (op.query.length > 0) {
    out.push(['query:wrong-type', 3], ['query:duplicate', 1], ['query:huge', 1], ['query:bad-string', 2], ['query:bad-enum', 1], ['query:too-many', 1], ['query:proto-key', 1]);
    if (op.query.some((q) => q.schema.format === 'date-time')) out.push(['query:bad-date', 2]);
  }
  out.push(['query:unknown', 1]);
  if (op.headers.some((h) => h.name === 'if-match')) out.push(['header:if-match', 3]);
  if (op.headers.some((h) => h.name === 'x-confirmation-code')) out.push(['header:confirmation-code', 3]);
  out.push(['header:odd', 1], ['method:other', 1]);
  return out;
}

interface Draft {
  method: FuzzCase['method'];
  pathValues: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body: unknown;
  /** When set, sent as is instead of the JSON of `body`. */
  rawBody: string | undefined;
  hasBody: boolean;
  contentType: string | undefined;
  /** Markers in the JSON of `body` to replace with raw text (deep nesting). */
  splices: Map<string, string>;
}

/** One case for `op`. */
export function generateCase(op: Operation, rng: Prng, f: FuzzFixtures): FuzzCase {
  const credential = rng.weighted<CredentialName>([
    ['platformAdmin', 40],
    ['tenantAdmin', 25],
    ['otherViewer', 13],
    ['none', 11],
    ['garbage', 11],
  ]);
  const draft = validDraft(op, rng, f);
  const mutations: string[] = [];
  // A fifth of the cases stay valid; a few get two mutations.
  const count = rng.weighted([
    [0, 20],
    [1, 70],
    [2, 10],
  ]);
  const choices = mutationsFor(op);
  for (let i = 0; i < count; i += 1) mutations.push(mutate(rng.weighted(choices), op, draft, rng, f));

  const headers: Record<string, string> = { ...draft.headers };
  const authorization = authorizationFor(credential, rng, f);
  if (authorization !== undefined) headers.authorization = authorization;
  let payload: string | undefined;
  if (draft.hasBody) {
    payload = draft.rawBody ?? serialize(draft.body, draft.splices);
    headers['content-type'] = draft.contentType ?? 'application/json';
  } else if (draft.contentType !== undefined) headers['content-type'] = draft.contentType;
  return { server: op.server, method: draft.method, url: urlOf(op, draft), headers, payload, credential, mutations };
}

function authorizationFor(credential: CredentialName, rng: Prng, f: FuzzFixtures): string | undefined {
  switch (credential) {
    case 'none':
      return undefined;
    case 'garbage':
      return rng.pick(GARBAGE_AUTH);
    default:
      return `Bearer ${f.tokens[credential]}`;
  }
}

function validDraft(op: Operation, rng: Prng, f: FuzzFixtures): Draft {
  const destructive = isDestructive(op);
  const pathValues: Record<string, string> = {};
  for (const p of op.pathParams) {
    if (p.name === 'keyId') pathValues[p.name] = rng.chance(0.7) && f.decoyKeyIds.length > 0 ? rng.pick(f.decoyKeyIds) : rng.uuid();
    else if (destructive) pathValues[p.name] = rng.weighted([[f.victim, 6], [rng.uuid(), 1]]);
    else pathValues[p.name] = rng.weighted([[f.primary, 7], [f.other, 2], [f.victim, 1], [rng.uuid(), 1]]);
  }
  const query: [string, string][] = [];
  for (const q of op.query) if (q.required ? rng.chance(0.6) : rng.chance(0.4)) query.push([q.name, encodeURIComponent(queryValue(q, rng, f))]);
  const headers: Record<string, string> = {};
  for (const h of op.headers) {
    if (h.name === 'if-match' && rng.chance(0.3)) headers[h.name] = `"${rng.int(0, 5)}"`;
    if (h.name === 'x-confirmation-code' && rng.chance(0.5)) headers[h.name] = rng.text(8, '0123456789ABCDEF');
  }
  const body = op.body ? validValue(op.body, rng, f) : undefined;
  return { method: op.method, pathValues, query, headers, body, rawBody: undefined, hasBody: op.body !== undefined && (op.body.required?.length ? true : rng.chance(0.85)), contentType: undefined, splices: new Map() };
}

function queryValue(q: Parameter, rng: Prng, f: FuzzFixtures): string {
  const value = validValue(q.schema, rng, f, q.name);
  if (Array.isArray(value)) return value.map((v) => JSON.stringify(v).replace(/^"|"$/g, '')).join(',');
  if (typeof value === 'string') return value;
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

function serialize(body: unknown, splices: Map<string, string>): string {
  let text = JSON.stringify(body) ?? '';
  for (const [marker, raw] of splices) text = text.replace(JSON.stringify(marker), raw);
  return text;
}

function urlOf(op: Operation, draft: Draft): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => draft.pathValues[name] ?? '');
  const query = draft.query.map(([k, v]) => `${k}=${v}`).join('&');
  return query ? `${path}?${query}` : path;
}

function bodyObject(draft: Draft): Record<string, unknown> {
  if (typeof draft.body !== 'object' || draft.body === null || Array.isArray(draft.body)) draft.body = {};
  draft.hasBody = true;
  draft.rawBody = undefined;
  return draft.body as Record<string, unknown>;
}

/** A field of the body schema to aim at (or a new top-level one when the schema has none that fit). */
function pickField(op: Operation, rng: Prng, fits: (f: Field) => boolean): string[] {
  const fields = fieldsOf(op.body ?? {}).filter(fits);
  return fields.length > 0 ? rng.pick(fields).path : [rng.pick(['fuzz', 'name', 'x'])];
}

const isStringish = (field: Field) => {
  const types = typesOf(field.schema);
  return types.length === 0 || types.includes('string');
};

/** Applies `mutation` to the draft; returns its label. */
function mutate(mutation: Mutation, op: Operation, draft: Draft, rng: Prng, f: FuzzFixtures): string {
  switch (mutation) {
    case 'body:wrong-type': {
      const path = pickField(op, rng, () => true);
      const field = fieldsOf(op.body ?? {}).find((x) => x.path.join('.') === path.join('.'));
      setAt(bodyObject(draft), path, wrongTypeFor(field?.schema ?? {}, rng));
      return `${mutation}@${path.join('.')}`;
    }
    case 'body:missing-required': {
      const body = bodyObject(draft);
      const required = op.body?.required ?? [];
      const key = required.length > 0 ? rng.pick(required) : rng.pick(Object.keys(body).length > 0 ? Object.keys(body) : ['none']);
      deleteAt(body, [key]);
      return `${mutation}@${key}`;
    }
    case 'body:extra-field': {
      const body = bodyObject(draft);
      const at = rng.pick(objectsIn(body));
      const key = rng.pick(['extra', 'isAdmin', 'id', 'tenantId', 'status', 'role', '', ' ', 'a.b', '$where', 'ü', 'toString', 'hasOwnProperty', 'valueOf']);
      objectAt(body, at)[key] = rng.pick<unknown>(['x', 1, true, null, { a: 1 }]);
      return `${mutation}@${[...at, key].join('.')}`;
    }
    case 'body:duplicate-key': {
      const body = bodyObject(draft);
      const keys = Object.keys(body);
      const key = keys.length > 0 ? rng.pick(keys) : 'x';
      const text = serialize(body, draft.splices);
      const inner = text.length > 2 ? `${text.slice(1, -1)},` : '';
      draft.rawBody = `{${inner}${JSON.stringify(key)}:${JSON.stringify(wrongTypeFor({}, rng))}}`;
      return `${mutation}@${key}`;
    }
    case 'body:huge-string':
    case 'body:nul':
    case 'body:surrogate': {
      const body = bodyObject(draft);
      const inKey = mutation !== 'body:huge-string' && rng.chance(0.2);
      const value = mutation === 'body:huge-string' ? hugeString(rng) : badString(mutation === 'body:nul' ? 'nul' : 'surrogate', rng);
      if (inKey) {
        const at = rng.pick(objectsIn(body));
        objectAt(body, at)[value] = 'x';
        return `${mutation}@key:${at.join('.')}`;
      }
      const path = pickField(op, rng, isStringish);
      setAt(body, path, value);
      return `${mutation}@${path.join('.')}`;
    }
    case 'body:proto':
    case 'body:constructor-prototype': {
      const body = bodyObject(draft);
      const at = rng.pick([...objectsIn(body), ...fieldsOf(op.body ?? {}).filter((x) => typesOf(x.schema).includes('object')).map((x) => x.path)]);
      if (at.length > 0 && !isObject(valueAt(body, at))) setAt(body, at, {});
      const target = objectAt(body, at);
      const polluted = { polluted: true, isAdmin: true };
      // Own, enumerable keys, as JSON.parse makes them (an assignment to `__proto__` would set the prototype).
      const [key, value] = mutation === 'body:proto' ? ['__proto__', polluted] : ['constructor', { prototype: polluted }];
      Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
      return `${mutation}@${at.join('.') || '(root)'}`;
    }
    case 'body:non-object': {
      draft.hasBody = true;
      draft.rawBody = rng.chance(0.2) ? JSON.stringify([draft.body ?? {}]) : rng.pick(NON_OBJECT_BODIES);
      return `${mutation}:${draft.rawBody.slice(0, 10)}`;
    }
    case 'body:deep-nesting': {
      const body = bodyObject(draft);
      const depth = rng.pick([65, 200, 2_000, 10_000, 30_000]);
      const arrays = rng.chance(0.5);
      const nest = arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const marker = `@@deep-${rng.hex(8)}@@`;
      const path = rng.chance(0.2) ? [] : pickField(op, rng, () => true);
      if (path.length === 0) {
        draft.rawBody = nest;
      } else {
        setAt(body, path, marker);
        draft.splices.set(marker, nest);
      }
      return `${mutation}:${arrays ? 'arrays' : 'objects'}x${depth}@${path.join('.') || '(root)'}`;
    }
    case 'body:bad-enum': {
      const path = pickField(op, rng, (x) => ENUM_LIKE.has(x.path[x.path.length - 1] ?? '') || Boolean(x.schema.enum ?? x.schema.anyOf?.some((b) => b.enum)));
      setAt(bodyObject(draft), path, rng.pick(BAD_ENUM_VALUES));
      return `${mutation}@${path.join('.')}`;
    }
    case 'body:boundary-number': {
      const body = bodyObject(draft);
      const path = pickField(op, rng, (x) => {
        const types = typesOf(x.schema);
        return types.includes('integer') || types.includes('number') || ['storageGb', 'pods', 'services', 'persistentVolumeClaims'].includes(x.path[x.path.length - 1] ?? '');
      });
      const marker = `@@num-${rng.hex(8)}@@`;
      setAt(body, path, marker);
      const literal = rng.pick(BOUNDARY_NUMBERS);
      draft.splices.set(marker, literal);
      return `${mutation}:${literal}@${path.join('.')}`;
    }
    case 'body:wrong-content-type': {
      draft.hasBody = true;
      draft.contentType = rng.pick(CONTENT_TYPES);
      if (draft.contentType.includes('form')) draft.rawBody = 'name=x&tier=FREE';
      return `${mutation}:${draft.contentType}`;
    }
    case 'body:empty':
      draft.hasBody = true;
      draft.rawBody = rng.pick(['', ' ', '\n', '\r\n\t']);
      return mutation;
    case 'body:malformed-json':
      draft.hasBody = true;
      draft.rawBody = rng.pick(MALFORMED_JSON);
      return `${mutation}:${draft.rawBody.slice(0, 12)}`;
    case 'body:none':
      draft.hasBody = false;
      draft.contentType = rng.chance(0.3) ? 'application/json' : undefined;
      return mutation;
    case 'body:unexpected': {
      draft.hasBody = true;
      const kind = rng.pick(['object', 'non-object', 'malformed', 'empty', 'content-type'] as const);
      if (kind === 'object') draft.body = { unexpected: rng.text(5) };
      else if (kind === 'non-object') draft.rawBody = rng.pick(NON_OBJECT_BODIES);
      else if (kind === 'malformed') draft.rawBody = rng.pick(MALFORMED_JSON);
      else if (kind === 'empty') draft.rawBody = '';
      else draft.contentType = rng.pick(CONTENT_TYPES);
      return `${mutation}:${kind}`;
    }
    case 'path:bad-id': {
      const name = rng.pick(op.pathParams).name;
      const valid = draft.pathValues[name] ?? f.primary;
      draft.pathValues[name] = rng.pick(BAD_IDS(valid, rng));
      return `${mutation}@${name}:${(draft.pathValues[name] ?? '').slice(0, 20)}`;
    }
    case 'query:wrong-type': {
      const typed = op.query.filter((q) => typesOf(q.schema).some((t) => t === 'integer' || t === 'number'));
      const q = typed.length > 0 ? rng.pick(typed) : rng.pick(op.query);
      setQuery(draft, q.name, rng.pick(QUERY_BAD_NUMBERS));
      return `${mutation}@${q.name}`;
    }
    case 'query:unknown':
      draft.query.push([rng.pick(['fuzz', 'page', 'offset', 'sort', 'tenantId', 'LIMIT']), rng.pick(['1', 'x', '', '%00'])]);
      return mutation;
    case 'query:duplicate': {
      const q = rng.pick(op.query);
      draft.query.push([q.name, encodeURIComponent(queryValue(q, rng, f))], [q.name, encodeURIComponent(queryValue(q, rng, f))]);
      return `${mutation}@${q.name}`;
    }
    case 'query:huge': {
      const q = rng.pick(op.query);
      setQuery(draft, q.name, rng.pick(['a', '%C3%A9']).repeat(rng.pick([101, 1_001, 10_000, 100_000])));
      return `${mutation}@${q.name}`;
    }
    case 'query:bad-string': {
      const q = rng.pick(op.query);
      setQuery(draft, q.name, rng.pick(QUERY_STRINGS_BAD));
      return `${mutation}@${q.name}`;
    }
    case 'query:bad-enum': {
      const q = rng.pick(op.query);
      setQuery(draft, q.name, encodeURIComponent(rng.pick(BAD_ENUM_VALUES)));
      return `${mutation}@${q.name}`;
    }
    case 'query:bad-date': {
      const q = rng.pick(op.query.filter((x) => x.schema.format === 'date-time'));
      setQuery(draft, q.name, encodeURIComponent(rng.pick(['yesterday', '2024-13-45T00:00:00Z', '0', '2024-01-01', '2024-02-30T25:61:61Z', '+275760-09-13T00:00:00.001Z', '-000001-01-01T00:00:00Z', '9999-12-31T23:59:60Z', '1970-01-01T00:00:00+99:99'])));
      return `${mutation}@${q.name}`;
    }
    case 'query:too-many': {
      const q = rng.pick(op.query);
      const n = rng.pick([51, 200, 2_000]);
      if (rng.chance(0.5)) for (let i = 0; i < n; i += 1) draft.query.push([q.name, `v${i}`]);
      else setQuery(draft, q.name, Array.from({ length: n }, (_, i) => `v${i}`).join(','));
      return `${mutation}@${q.name}x${n}`;
    }
    case 'query:proto-key':
      draft.query.push([rng.pick(['__proto__', 'constructor', 'constructor[prototype]', '__proto__[admin]', 'hasOwnProperty', 'toString', 'prototype']), rng.pick(['1', 'x', 'true'])]);
      return mutation;
    case 'header:if-match':
      draft.headers['if-match'] = rng.pick(IF_MATCH);
      return mutation;
    case 'header:confirmation-code':
      draft.headers['x-confirmation-code'] = rng.pick(['x'.repeat(65), '', ' ', '000000', 'ü', 'x'.repeat(10_000), '%00']);
      return mutation;
    case 'method:other': {
      // Another method on the same path: another operation, or none (route_not_found); HEAD is GET's.
      draft.method = rng.pick(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const);
      // A DELETE of the same path is a deletion or deprovisioning: of the victim, never a fixture.
      if (draft.method === 'DELETE') {
        for (const [name, value] of Object.entries(draft.pathValues)) if (value === f.primary || value === f.other) draft.pathValues[name] = f.victim;
      }
      return `${mutation}:${draft.method}`;
    }
    case 'header:odd': {
      const [name, value] = rng.pick<[string, string]>([
        ['accept', 'application/xml'],
        ['accept', 'text/html;q=0'],
        ['x-request-id', 'x'.repeat(5_000)],
        ['x-request-id', ''],
        ['accept-encoding', 'br;q=x'],
        ['if-none-match', '*'],
        ['origin', 'https://evil.example.com'],
        ['x-http-method-override', 'DELETE'],
        ['content-encoding', 'gzip'],
        ['transfer-encoding', 'chunked'],
      ]);
      draft.headers[name] = value;
      return `${mutation}:${name}`;
    }
  }
}

function setQuery(draft: Draft, name: string, raw: string): void {
  draft.query = draft.query.filter(([k]) => k !== name);
  draft.query.push([name, raw]);
}
