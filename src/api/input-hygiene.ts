import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '../domain/error-codes.js';
import { type FieldError, MatihError, ValidationError, matihError } from '../domain/errors.js';
import { sendProblem } from './problem.js';

/**
 * What every request must be before its route's schema sees it, for every route at once:
 *
 * - a JSON body is an object (the schema validator reads a missing body as `{}`, so `null`, an
 *   array or a bare value would otherwise reach handlers that expect fields);
 * - no string anywhere (body, query, path) holds a NUL or an unpaired UTF-16 surrogate:
 *   PostgreSQL refuses both in text (22021, 22P05), JSON has no way to carry the second in UTF-8,
 *   and a name with either is a mistake or an attack, never data;
 * - no key is `__proto__`, nor a `constructor` holding `prototype` (prototype pollution, should a
 *   body ever be merged into an object);
 * - a UUID in the path is lower case, so `/tenants/ABC...` is the same tenant to every caller
 *   (ids are stored and compared lower case).
 *
 * Each refusal is a 400 naming the field and where it is. JSON is parsed by `JSON.parse` here
 * (an own `__proto__` key is inert until someone merges it) so that the refusal can name the key,
 * where Fastify's parser answers only "not valid JSON".
 */
export function installInputHygiene(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0) return done(matihError(ERROR_CODES.EMPTY_BODY), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(matihError(ERROR_CODES.MALFORMED_JSON, `the body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    checkBodyShape(request);
    const problems = [...badStrings(request.body, 'body'), ...badStrings(request.query, 'query'), ...badStrings(request.params, 'params')];
    if (problems.length > 0) throw new ValidationError(problems.slice(0, 20));
    lowerCaseUuids(request);
  });
}

function checkBodyShape(request: FastifyRequest): void {
  const body: unknown = request.body;
  if (body === undefined) return;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const what = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
    throw new ValidationError([{ field: '(root)', in: 'body', message: `must be a JSON object, not ${what}` }]);
  }
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function problemOf(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'must not contain an unpaired UTF-16 surrogate';
  return undefined;
}

function pollutionOf(key: string, value: unknown): string | undefined {
  if (key === '__proto__') return 'is not an allowed key (prototype pollution)';
  if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) return 'is not an allowed key (prototype pollution)';
  return undefined;
}

/** Every bad string (and bad key) in `value`, as field errors with dotted paths. */
function badStrings(value: unknown, location: string, path = '', depth = 0): FieldError[] {
  const field = path || '(root)';
  if (typeof value === 'string') {
    const message = problemOf(value);
    return message ? [{ field, in: location, message }] : [];
  }
  // JSON bodies are bounded by the body limit; the depth bound only stops a pathological nesting.
  if (typeof value !== 'object' || value === null || depth > 64) return [];
  const problems: FieldError[] = [];
  for (const [key, item] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    const keyProblem = problemOf(key) ?? pollutionOf(key, item);
    if (keyProblem) problems.push({ field: key === 'constructor' ? `${at}.prototype` : at, in: location, message: keyProblem });
    else problems.push(...badStrings(item, location, at, depth + 1));
  }
  return problems;
}

/**
 * Fastify's router refuses a path before any route or hook sees it (a broken percent-encoding, a
 * segment past `maxParamLength`); this answers those with the service's own problem.
 */
export function frameworkErrors(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? '';
  const shown = path.length > 200 ? `${path.slice(0, 200)}...` : path;
  const why: Record<string, string> = {
    FST_ERR_BAD_URL: 'has a broken percent-encoding',
    FST_ERR_MAX_PARAM_LENGTH: `has a segment longer than the ${MAX_PARAM_LENGTH} characters a parameter may have`,
  };
  const message = error.code ? why[error.code] : undefined;
  const problem = message
    ? new MatihError(ERROR_CODES.BAD_PATH, ERROR_CODES.BAD_PATH.message(shown), [{ field: '(path)', in: 'params', message }])
    : matihError(ERROR_CODES.BAD_REQUEST, error.message);
  void sendProblem(request, reply, problem);
}

/** Long enough that an over-long id reaches its route's schema, which names the parameter. */
export const MAX_PARAM_LENGTH = 1_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function lowerCaseUuids(request: FastifyRequest): void {
  const params = request.params;
  if (typeof params !== 'object' || params === null) return;
  const record = params as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) if (typeof value === 'string' && UUID.test(value)) record[key] = value.toLowerCase();
}
