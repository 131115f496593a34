import { setTimeout as delay } from 'node:timers/promises';
import { DriverError, type ServicePrincipalRequest, type ServicePrincipalValidation, type ServicePrincipalValidator } from '../contract.js';

export interface SimulatedServicePrincipalOptions {
  /** Reported as the subscription the infrastructure goes into. */
  subscriptionId: string;
  /** When set, every validation is rejected with this reason (a wrong or expired secret). */
  rejectReason?: string;
  /** When set, validations fail this many times with a retryable error first (the identity service not answering). */
  unavailableTimes?: number;
  delayMs?: number;
}

export const SIMULATED_SUBSCRIPTION_ID = '00000000-0000-4000-8000-00000000a11e';

/**
 * SimulatedServicePrincipals: a TEST DOUBLE of the Azure credential check (DESIGN.md section 5).
 * Valid unless configured to reject; it can also be made unavailable a number of times.
 */
export class SimulatedServicePrincipals implements ServicePrincipalValidator {
  private unavailableLeft: number;

  constructor(private options: SimulatedServicePrincipalOptions = { subscriptionId: SIMULATED_SUBSCRIPTION_ID }) {
    this.unavailableLeft = options.unavailableTimes ?? 0;
  }

  configure(options: Partial<SimulatedServicePrincipalOptions>): void {
    this.options = { ...this.options, ...options };
    if (options.unavailableTimes !== undefined) this.unavailableLeft = options.unavailableTimes;
  }

  async validate(request: ServicePrincipalRequest): Promise<ServicePrincipalValidation> {
    if (this.options.delayMs) await delay(this.options.delayMs, undefined, request.signal ? { signal: request.signal } : {});
    if (this.unavailableLeft > 0) {
      this.unavailableLeft--;
      throw new DriverError('simulated identity service unavailable (503)', true);
    }
    if (this.options.rejectReason !== undefined) return { valid: false, reason: this.options.rejectReason };
    return { valid: true, subscriptionId: this.options.subscriptionId };
  }
}
