import { Tier } from './tiers.js';

/** The default billing plan of each tier; the rows are seeded by migration 0001. */
export interface BillingPlan {
  id: string;
  tier: Tier;
  name: string;
  monthlyPriceCents: number;
  /** Days of trial before the first invoice; 0 for plans without one. */
  trialDays: number;
}

export const DEFAULT_BILLING_PLANS: Readonly<Record<Tier, BillingPlan>> = {
  FREE: { id: 'free-monthly', tier: Tier.FREE, name: 'Free', monthlyPriceCents: 0, trialDays: 0 },
  PROFESSIONAL: {
    id: 'professional-monthly', tier: Tier.PROFESSIONAL, name: 'Professional', monthlyPriceCents: 49_900, trialDays: 14,
  },
  ENTERPRISE: {
    id: 'enterprise-annual', tier: Tier.ENTERPRISE, name: 'Enterprise', monthlyPriceCents: 499_900, trialDays: 30,
  },
};

export const SubscriptionStatus = {
  TRIALING: 'TRIALING',
  ACTIVE: 'ACTIVE',
  CANCELLED: 'CANCELLED',
} as const;
export type SubscriptionStatus = (typeof SubscriptionStatus)[keyof typeof SubscriptionStatus];

export function initialSubscriptionStatus(plan: BillingPlan): SubscriptionStatus {
  return plan.trialDays > 0 ? SubscriptionStatus.TRIALING : SubscriptionStatus.ACTIVE;
}
