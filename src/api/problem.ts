import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../domain/error-codes.js';
import { type ErrorKind, type FieldError, MatihError, TooManyRequestsError } from '../domain/errors.js';
import { invalidValueOf, isConflictError, isDatabaseUnavailable } from '../store/database-errors.js';

/**
 * Every error leaves as application/problem+json (RFC 9457) with a stable `code` from the
 * registry (domain/error-codes.ts). This is the only place that knows how error kinds become
 * HTTP statuses.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  requestId: string;
  errors?: ProblemFieldError[];
}

export interface ProblemFieldError extends FieldError {
  /** Where the field is: body, query, params or headers. */
  in: string;
}

const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  CONTENT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

// Fastify's own request errors, by Fastify's code: the entry we answer each with, its detail
// written from Fastify's message.
const FASTIFY_ERRORS: Readonly<Record<string, ErrorCode<[fastifyMessage: string]>>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_BODY_TOO_LARGE: ERROR_CODES.BODY_TOO_LARGE,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERROR_CODES.EMPTY_BODY,
  FST_ERR_CTP_INVALID_JSON_BODY: ERROR_CODES.MALFORMED_JSON,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ERROR_CODES.INVALID_CONTENT_LENGTH,
  FST_ERR_CTP_INVALID_TYPE: ERROR_CODES.INVALID_CONTENT_TYPE,
};

/** Answers with `error`: its kind's status, its code, its message and field errors. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: MatihError): FastifyReply {
  const errors = fieldErrorsOf(error);
  if (error instanceof TooManyRequestsError) void reply.header('retry-after', String(error.retryAfterSeconds));
  return send(request, reply, STATUS_BY_KIND[error.kind], error.code, error.message, errors);
}

/**
 * An error's field errors as the problem lists them: where each field is (body when unsaid), and
 * a field that is the empty key (`{"": ...}`) named `""`, so that every entry names something.
 */
function fieldErrorsOf(error: MatihError): ProblemFieldError[] {
  return error.fieldErrors.map((e) => ({ ...e, field: e.field === '' ? EMPTY_KEY : e.field, in: e.in ?? 'body' }));
}

/** How a field path names a key that is the empty string. */
const EMPTY_KEY = '""';

/** Answers with a registry entry, for the errors that are not thrown as a MatihError. */
function sendCode(request: FastifyRequest, reply: FastifyReply, definition: Pick<ErrorCode, 'code' | 'kind'>, detail: string, errors?: ProblemFieldError[]): FastifyReply {
  return send(request, reply, STATUS_BY_KIND[definition.kind], definition.code, detail, errors);
}

function send(request: FastifyRequest, reply: FastifyReply, status: number, code: string, detail: string, errors?: ProblemFieldError[]): FastifyReply {
  const problem = problemBody(status, code, detail, request.url, request.id, errors);
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(status).type('application/problem+json').send(problem);
}

function problemBody(status: number, code: string, detail: string, instance: string, requestId: string, errors?: ProblemFieldError[]): Problem {
  return {
    type: `urn:matih:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    instance,
    requestId,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/**
 * `error` as a whole HTTP/1.1 response, for what Node's HTTP parser refuses before there is a
 * request to answer (an unparsable request line or header, broken framing, headers too large, a
 * request timeout): the same problem+json, written to the socket, which then closes.
 */
export function rawProblemResponse(error: MatihError, instance: string): string {
  const status = STATUS_BY_KIND[error.kind];
  const errors = fieldErrorsOf(error);
  const body = JSON.stringify(problemBody(status, error.code, error.message, instance, randomUUID(), errors));
  return [
    `HTTP/1.1 ${status} ${TITLES[status] ?? 'Error'}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * The error handler of both servers. A database that cannot be reached (a terminated session, a
 * restart, no connection within the pool's timeout) is nobody's mistake: 503 with Retry-After,
 * and readiness is told, so the load balancer stops sending traffic until a probe gets through.
 * A transaction cut off before its COMMIT was rolled back by the server.
 */
export function errorHandler(onDatabaseUnavailable: (reason: string) => void) {
  return (error: FastifyError | MatihError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (isDatabaseUnavailable(error)) {
      onDatabaseUnavailable(`a request failed: ${error.message}`);
      request.log.warn({ err: error }, 'database unavailable');
      void reply.header('retry-after', '1');
      return sendCode(request, reply, ERROR_CODES.DATABASE_UNAVAILABLE, ERROR_CODES.DATABASE_UNAVAILABLE.message());
    }
    if (isConflictError(error)) {
      // Run twice already (store/transaction.ts) and refused twice: a 503 to send again, never a 500.
      request.log.warn({ err: error }, 'transaction conflict after a retry');
      void reply.header('retry-after', '1');
      return sendCode(request, reply, ERROR_CODES.DATABASE_CONFLICT, ERROR_CODES.DATABASE_CONFLICT.message());
    }
    const invalid = invalidValueOf(error);
    if (invalid !== undefined) {
      request.log.warn({ err: error }, 'a value the database refused reached it');
      return sendCode(request, reply, ERROR_CODES.INVALID_VALUE, ERROR_CODES.INVALID_VALUE.message(invalid));
    }
    return handleError(error, request, reply);
  };
}

export function handleError(error: FastifyError | MatihError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof MatihError) return sendProblem(request, reply, error);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const location = locationOf(fastifyError.validationContext);
    const errors = fastifyError.validation.map((v) => ({ field: fieldOf(v), message: messageOf(v), in: location }));
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return sendCode(request, reply, ERROR_CODES.VALIDATION_FAILED, detail, errors);
  }
  const known = fastifyError.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return sendCode(request, reply, known, known.message(fastifyError.message));
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // A client error of Fastify's (or a plugin's) not mapped above keeps its status but answers with
    // the service's own code: clients switch on `code`, and a framework's codes are not a contract.
    request.log.info({ frameworkCode: fastifyError.code }, 'a framework client error without a code of ours');
    return send(request, reply, fastifyError.statusCode, ERROR_CODES.BAD_REQUEST.code, ERROR_CODES.BAD_REQUEST.message(fastifyError.message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendCode(request, reply, ERROR_CODES.INTERNAL_ERROR, ERROR_CODES.INTERNAL_ERROR.message());
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

/** The dotted path of Ajv's JSON pointer, with the property it names (missing or unknown), if any. */
function fieldOf(v: AjvError): string {
  // "/a/b~1c" is a, then "b/c"; "/" alone is the key "".
  const segments = v.instancePath === '' ? [] : v.instancePath.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const extra =
    typeof v.params.missingProperty === 'string' ? v.params.missingProperty
    : typeof v.params.additionalProperty === 'string' ? v.params.additionalProperty
    : undefined;
  if (extra !== undefined) segments.push(extra);
  return segments.length === 0 ? '(root)' : segments.map((s) => (s === '' ? EMPTY_KEY : s)).join('.');
}

function messageOf(v: AjvError): string {
  if (v.keyword === 'required') return 'is required';
  if (v.keyword === 'additionalProperties') return 'is not a known field';
  return v.message ?? 'is invalid';
}

function locationOf(context: string | undefined): string {
  return context === 'querystring' ? 'query' : (context ?? 'body');
}
