import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '../domain/error-codes.js';
import { type FieldError, MatihError, ValidationError, matihError } from '../domain/errors.js';
import { rawProblemResponse, sendProblem } from './problem.js';

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
 *   (ids are stored and compared lower case);
 * - a JSON body is UTF-8 (RFC 8259, section 8.1): bytes that are not are refused, where decoding
 *   them would store U+FFFD in their place;
 * - a route that takes a body and was sent none gets `{}`, as its schema checked it (validation.ts),
 *   so that no handler meets `undefined` where its types promise an object;
 * - an HTTP/1.1 request names its Host (RFC 9112, section 3.2): Node's own refusal is an empty 400,
 *   this one is a problem naming the header (build-server.ts turns Node's check off).
 *
 * Each refusal is a 400 naming the field and where it is. JSON is parsed by `JSON.parse` here
 * (an own `__proto__` key is inert until someone merges it) so that the refusal can name the key,
 * where Fastify's parser answers only "not valid JSON".
 */
export function installInputHygiene(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (bytes.length === 0) return done(matihError(ERROR_CODES.EMPTY_BODY), undefined);
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      return done(matihError(ERROR_CODES.MALFORMED_JSON, 'the body is not valid UTF-8, which JSON must be (RFC 8259, section 8.1)'), undefined);
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(matihError(ERROR_CODES.MALFORMED_JSON, `the body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      throw new ValidationError([{ field: 'host', in: 'headers', message: 'is required in an HTTP/1.1 request' }]);
    }
  });
  app.addHook('preValidation', async (request) => {
    checkBodyShape(request);
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) request.body = {};
    const problems = [...badStrings(request.body, 'body'), ...badStrings(request.query, 'query'), ...badStrings(request.params, 'params')];
    if (problems.length > 0) throw new ValidationError(problems.slice(0, 20));
    lowerCaseUuids(request);
  });
}

// Fatal: a byte sequence that is not UTF-8 throws instead of becoming U+FFFD. The BOM is kept, so
// that JSON.parse refuses it as before.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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
    const name = key === '' ? '""' : key;
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${name}` : name;
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

/**
 * Node's HTTP parser refuses some requests before Fastify sees them: a request line or header it
 * cannot parse, broken framing, headers over 16 KiB, a request slower than the request timeout.
 * Fastify's default answer is its own JSON; this one is the service's problem, naming the part
 * of the request that is wrong, and the connection closes (nothing after the error can be read).
 */
export function clientErrors(error: Error & { code?: string; reason?: string; rawPacket?: unknown }, socket: Duplex): void {
  // A reset connection has no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node itself: no answer on a socket whose in-flight response has begun (it would corrupt it).
  const inFlight = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } | null })._httpMessage;
  if (!socket.writable || inFlight?._headerSent) {
    socket.destroy();
    return;
  }
  const target = requestTargetOf(error.rawPacket);
  socket.end(rawProblemResponse(clientProblem(error, target), target), () => socket.destroy());
}

function clientProblem(error: Error & { code?: string; reason?: string }, target: string): MatihError {
  const reason = (error.reason ?? error.message).replace(/^Parse Error: /, '');
  const refused = (field: string, location: string) => new MatihError(ERROR_CODES.BAD_REQUEST, ERROR_CODES.BAD_REQUEST.message(reason), [{ field, in: location, message: reason }]);
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return matihError(ERROR_CODES.REQUEST_TIMEOUT);
    case 'HPE_HEADER_OVERFLOW':
      return matihError(ERROR_CODES.HEADERS_TOO_LARGE);
    case 'HPE_INVALID_URL':
      return new MatihError(ERROR_CODES.BAD_PATH, ERROR_CODES.BAD_PATH.message(target), [{ field: '(path)', in: 'params', message: `${reason} (send it percent-encoded)` }]);
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return new MatihError(ERROR_CODES.INVALID_CONTENT_LENGTH, ERROR_CODES.INVALID_CONTENT_LENGTH.message(reason), [{ field: 'content-length', in: 'headers', message: reason }]);
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_INVALID_CHUNK_SIZE':
      return refused('transfer-encoding', 'headers');
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
      return refused('(headers)', 'headers');
    default:
      // The method, the version, the request line as a whole.
      return refused('(request line)', 'request');
  }
}

/** The request target the parser saw, for the problem's `instance` (visible characters only). */
function requestTargetOf(rawPacket: unknown): string {
  const text = Buffer.isBuffer(rawPacket) ? rawPacket.subarray(0, 300).toString('latin1') : '';
  const target = /^[A-Z]+ (\S+)/.exec(text)?.[1];
  if (!target) return '(unparsed)';
  // Each byte outside visible ASCII percent-encoded: the target as sent, and safe to show.
  return target.replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).slice(0, 200);
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
