import { isRetryable } from '../drivers/contract.js';
import { SpanKind, recordFailure, startSpan, withSpan } from '../shared/tracing.js';
import type { EngineTelemetry } from './engine-telemetry.js';

type Method = (...args: unknown[]) => unknown;

/**
 * `driver` as the steps and the drift detector are handed it (build-engine.ts): every method call
 * is a span `driver.{name}.{method}`, a child of the step attempt or sweep making it, marked failed
 * when the call throws; and every throw is counted (`driverFailed`, by whether a retry may help).
 * The driver itself is untouched: methods run with the driver as `this` (private fields work, and
 * its calls to its own methods are not spans), other properties read through, `instanceof` holds.
 * With tracing off the spans are the API's no-ops; the count is kept either way.
 */
export function instrumentDriver<T extends object>(name: string, driver: T, telemetry: EngineTelemetry): T {
  const wrappers = new WeakMap<Method, Method>();
  return new Proxy(driver, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property === 'symbol' || property === 'constructor') return value;
      const method = value as Method;
      // Looked up on every read, kept per function: a method replaced on the driver (tests do) is wrapped afresh.
      let wrapper = wrappers.get(method);
      if (!wrapper) {
        wrapper = (...args: unknown[]) => traced(`driver.${name}.${property}`, { name, property }, telemetry, () => Reflect.apply(method, target, args));
        wrappers.set(method, wrapper);
      }
      return wrapper;
    },
  });
}

function traced(spanName: string, call: { name: string; property: string }, telemetry: EngineTelemetry, invoke: () => unknown): unknown {
  const span = startSpan(spanName, { kind: SpanKind.CLIENT, attributes: { 'driver.name': call.name, 'driver.method': call.property } });
  const failed = (error: unknown) => {
    const retryable = isRetryable(error);
    span.setAttribute('error.retryable', retryable);
    recordFailure(span, error);
    span.end();
    telemetry.driverFailed(call.name, retryable);
  };
  let result: unknown;
  try {
    result = withSpan(span, invoke);
  } catch (error) {
    failed(error);
    throw error;
  }
  if (!isThenable(result)) {
    span.end();
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      failed(error);
      throw error;
    },
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
