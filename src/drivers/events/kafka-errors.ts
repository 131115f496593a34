import { DriverError } from '../contract.js';

/** The shape of kafkajs's errors (KafkaJSError and its subclasses), checked by duck typing:
 * kafkajs is CommonJS and does not export its error classes to ESM by name. */
interface KafkaJsErrorLike extends Error {
  retriable: boolean;
  /** Protocol errors: the broker's error name, e.g. TOPIC_AUTHORIZATION_FAILED. */
  type?: string;
  cause?: unknown;
}

function isKafkaJsError(error: unknown): error is KafkaJsErrorLike {
  return error instanceof Error && error.name.startsWith('KafkaJS') && typeof (error as { retriable?: unknown }).retriable === 'boolean';
}

/**
 * What went wrong with the kafkajs call `what`, as a DriverError: kafkajs's own `retriable` says
 * whether a retry can help (a lost broker, a leader election, a timeout can pass; a topic we may
 * not write to, a failed SASL login, a message too large cannot).
 *
 * One exception: when kafkajs has used up its own retries it throws
 * KafkaJSNumberOfRetriesExceeded, which is marked non-retriable (kafkajs will not retry it again)
 * although its cause, say a broker that is down, is as transient as before. The relay retries
 * with its own backoff, so the cause decides.
 */
export function kafkaDriverError(error: unknown, what: string): DriverError {
  if (error instanceof DriverError) return error;
  let cause: unknown = error;
  while (isKafkaJsError(cause) && cause.name === 'KafkaJSNumberOfRetriesExceeded' && cause.cause !== undefined) cause = cause.cause;
  if (isKafkaJsError(cause)) {
    const detail = cause.type && !cause.message.includes(cause.type) ? `${cause.message} (${cause.type})` : cause.message;
    return new DriverError(`${what}: ${detail}`, cause.retriable, { cause: error });
  }
  // Not classified by kafkajs (a socket error, a bug): most likely transient.
  return new DriverError(`${what}: ${error instanceof Error ? error.message : String(error)}`, true, { cause: error });
}
