/**
 * The dashboard's and matihctl's API types, generated from the service's own OpenAPI documents
 * (`npm run generate:api-types`). Both servers are built in-process, never listening and without
 * a database (routes only read their dependencies when they answer a request), their documents
 * taken from app.swagger() and turned into TypeScript by openapi-typescript.
 *
 * One copy in api-types/, imported type-only by both clients (see OUTPUT_DIR).
 * test/api/generated-api-types.test.ts fails when a committed file differs from what this script
 * would write.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import openapiTS, { astToString } from 'openapi-typescript';
import pino from 'pino';
import { buildInfraServer, buildServer } from '../src/api/build-server.js';
import type { ApiDeps } from '../src/api/deps.js';
import { ApiMetrics } from '../src/api/metrics.js';
import { CLOUD_PROVIDERS } from '../src/domain/cloud.js';
import { TokenService } from '../src/iam/token-service.js';
import { footprintOf } from '../src/steps/workload-footprint.js';
import { DatabaseHealth } from '../src/store/database-health.js';
import type { Schema } from '../src/store/schema.js';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const COMMAND = 'npm run generate:api-types';

/** The two documents, and where each client keeps the types generated from them. */
const DOCUMENTS = [
  { name: 'tenant', build: buildServer, describe: 'the tenant API (GET /openapi.json on port 8082)' },
  { name: 'infra', build: buildInfraServer, describe: 'the infrastructure API (GET /openapi.json on port 8089)' },
] as const;
/**
 * One copy for both clients: declaration files (types only, nothing to emit), which the dashboard
 * and matihctl import type-only. A .d.ts outside cli/ does not trouble matihctl's build (rootDir
 * concerns emitted sources), and neither client imports src/.
 */
const OUTPUT_DIR = 'api-types';

/** Any use of the database fails: building the servers must not need one. */
function noDatabase(): never {
  throw new Error('generate-api-types: the OpenAPI documents are built without a database');
}

/** What buildServer and buildInfraServer need to register their routes; nothing is ever answered (also test/domain/api-key-scopes.test.ts, which walks the routes). */
export function documentOnlyDeps(): ApiDeps {
  // Kysely's cold instance: it compiles queries but has no connection to run them on.
  const db = new Kysely<Schema>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return {
    // No session is ever opened on `url` (the progress listener connects at the first WebSocket).
    database: { db, kind: 'external', url: 'postgres://document-only.invalid/none', health: new DatabaseHealth(async () => noDatabase()), close: () => db.destroy() },
    authenticate: async () => noDatabase(),
    recheckCredentials: async () => noDatabase(),
    tokens: new TokenService('generate-api-types: never signs a token', 60),
    metrics: new ApiMetrics(db),
    logger: pino({ level: 'silent' }),
    enabledCloudProviders: CLOUD_PROVIDERS,
    bodyLimitBytes: 1024 * 1024,
    maxRetries: 0,
    workloadFootprint: footprintOf,
    wakeWorkers: () => undefined,
  };
}

/** The OpenAPI document a server serves at /openapi.json, as JSON text. */
async function documentOf(build: (deps: ApiDeps) => Promise<FastifyInstance>, deps: ApiDeps): Promise<string> {
  const app = await build(deps);
  try {
    await app.ready();
    return JSON.stringify(app.swagger());
  } finally {
    await app.close();
  }
}

function header(describe: string): string {
  return [
    '/**',
    ` * Generated from the OpenAPI document of ${describe}`,
    ` * by \`${COMMAND}\` (scripts/generate-api-types.ts). Do not edit: change the route schemas`,
    ' * in src/api and run the command again (test/api/generated-api-types.test.ts fails until then).',
    ' */',
    '',
  ].join('\n');
}

/** Appended to each file: a response body by path, method and status, without spelling out the nesting. */
const FOOTER = `
/** The JSON body of the answer \`S\` (default 200; a union for several) to \`M P\`. */
export type ResponseJson<P extends keyof paths, M extends "get" | "put" | "post" | "delete" | "patch", S extends number = 200> =
  paths[P] extends Record<M, { responses: Record<S, { content: { "application/json": infer B } }> }> ? B : never;
`;

/** openapi-typescript's printer indents by four spaces; the repository by two. */
function reindent(source: string): string {
  return source.replace(/^(?: {4})+/gm, (indent) => ' '.repeat(indent.length / 2));
}

/** Every generated file, by its path from the repository root, with the text it should have. */
export async function renderApiTypes(): Promise<Map<string, string>> {
  const deps = documentOnlyDeps();
  const files = new Map<string, string>();
  try {
    for (const { name, build, describe } of DOCUMENTS) {
      const nodes = await openapiTS(await documentOf(build, deps), { silent: true });
      const text = `${header(describe)}\n${reindent(astToString(nodes)).trimEnd()}\n${FOOTER}`;
      files.set(`${OUTPUT_DIR}/${name}-api.d.ts`, text);
    }
  } finally {
    await deps.database.close();
  }
  return files;
}

async function main(): Promise<void> {
  for (const [file, text] of await renderApiTypes()) {
    const target = path.join(ROOT, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
