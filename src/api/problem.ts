import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorKind, type FieldError, MatihError } from '../domain/errors.js';
import { isDatabaseUnavailable } from '../store/database-errors.js';

/**
 * Every error leaves as application/problem+json (RFC 9457) with a stable `code`. This is the
 * only place that knows how error kinds become HTTP statuses.
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
  UNAVAILABLE: 503,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

// Fastify's own request errors, by code, with the stable code we publish for each.
const FASTIFY_CODES: Readonly<Record<string, { status: number; code: string; detail?: string }>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', detail: 'send the body as application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'empty_body', detail: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'invalid_content_type' },
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  errors?: ProblemFieldError[],
): FastifyReply {
  const problem: Problem = {
    type: `urn:matih:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    instance: request.url,
    requestId: request.id,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(status).type('application/problem+json').send(problem);
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
      return sendProblem(request, reply, 503, 'database_unavailable', 'the database cannot be reached right now, so the request may not have been applied; try again shortly');
    }
    return handleError(error, request, reply);
  };
}

export function handleError(error: FastifyError | MatihError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof MatihError) {
    const errors = error.fieldErrors.map((e) => ({ ...e, in: e.in ?? 'body' }));
    return sendProblem(request, reply, STATUS_BY_KIND[error.kind], error.code, error.message, errors);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const location = locationOf(fastifyError.validationContext);
    const errors = fastifyError.validation.map((v) => ({ field: fieldOf(v), message: messageOf(v), in: location }));
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return sendProblem(request, reply, 400, 'validation_failed', detail, errors);
  }
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return sendProblem(request, reply, known.status, known.code, known.detail ?? fastifyError.message);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const code = (fastifyError.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
    return sendProblem(request, reply, fastifyError.statusCode, code, fastifyError.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(request, reply, 500, 'internal_error', 'an unexpected error occurred; it has been logged with this request id');
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

function fieldOf(v: AjvError): string {
  const base = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const extra =
    typeof v.params.missingProperty === 'string' ? v.params.missingProperty
    : typeof v.params.additionalProperty === 'string' ? v.params.additionalProperty
    : '';
  const field = [base, extra].filter(Boolean).join('.');
  return field || '(root)';
}

function messageOf(v: AjvError): string {
  if (v.keyword === 'required') return 'is required';
  if (v.keyword === 'additionalProperties') return 'is not a known field';
  return v.message ?? 'is invalid';
}

function locationOf(context: string | undefined): string {
  return context === 'querystring' ? 'query' : (context ?? 'body');
}
