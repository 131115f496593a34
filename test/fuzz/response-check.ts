import { ERROR_CODES } from '../../src/domain/error-codes.js';

/** Every code the service may answer with: the registry's, nothing else. */
export const REGISTRY_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).map((entry) => entry.code));

/**
 * The 400 codes that by design name no field (`errors` absent): each is about the request as a
 * whole, before any field exists to be named.
 */
export const FIELDLESS_400_CODES: Readonly<Record<string, string>> = {
  // The body does not parse as JSON: there are no fields yet, only a position in the text, which
  // the detail gives (JSON.parse's message).
  [ERROR_CODES.MALFORMED_JSON.code]: 'the body is not JSON; no field exists to be named',
  // A JSON content type with no body at all: the whole body is missing, not a field of it.
  [ERROR_CODES.EMPTY_BODY.code]: 'the declared JSON body is empty; nothing inside it to name',
  // Content-Length disagrees with the bytes sent: HTTP framing, not a field (raw requests only).
  [ERROR_CODES.INVALID_CONTENT_LENGTH.code]: 'the framing of the request is broken, not one of its fields',
};

export interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** The answer to a HEAD request: its headers say what a GET's body would be, and there is no body. */
  head?: boolean;
}

interface ProblemBody {
  type?: unknown;
  status?: unknown;
  code?: unknown;
  detail?: unknown;
  errors?: unknown;
}

/** What is wrong with an answer, by the acceptance of issue 16 (nothing: an empty list). */
export function violationsOf(answer: Answer): string[] {
  if (answer.status >= 500) return [`status ${answer.status}`];
  if (answer.status < 400) return [];
  const out: string[] = [];
  if (!answer.contentType.startsWith('application/problem+json')) out.push(`${answer.status} as ${answer.contentType || 'no content type'}, not application/problem+json`);
  if (answer.head) return answer.body === '' ? out : [...out, `${answer.status} to HEAD with a body`];
  let problem: ProblemBody;
  try {
    problem = JSON.parse(answer.body) as ProblemBody;
  } catch {
    return [...out, `${answer.status} with a body that is not JSON`];
  }
  if (typeof problem !== 'object' || problem === null) return [...out, `${answer.status} with a body that is not an object`];
  const code = typeof problem.code === 'string' ? problem.code : undefined;
  if (code === undefined) out.push(`${answer.status} without a code`);
  else if (!REGISTRY_CODES.has(code)) out.push(`${answer.status} with code ${code}, not in the registry`);
  if (problem.status !== answer.status) out.push(`${answer.status} whose problem says status ${String(problem.status)}`);
  if (answer.status === 400 && code !== undefined && !(code in FIELDLESS_400_CODES)) {
    const errors = Array.isArray(problem.errors) ? (problem.errors as { field?: unknown; in?: unknown }[]) : [];
    const named = errors.length > 0 && errors.every((e) => typeof e.field === 'string' && e.field.length > 0 && typeof e.in === 'string');
    if (!named) out.push(`400 ${code} naming no field`);
  }
  return out;
}
