import type { FastifyInstance } from 'fastify';
import { adminAuth } from './test-app.js';
import { waitFor } from './wait-for.js';

export interface StatusBody {
  tenantId: string;
  status: string;
  currentPhase: string;
  completedPhases: string[];
  remainingPhases: string[];
  progress: number;
  startedAt: string | null;
  estimatedCompletion: string | null;
  retryCount: number;
  currentStep: string | null;
  steps: { name: string; stage: string; status: string; attempts: number; startedAt: string | null; completedAt: string | null; lastError: string | null }[];
  errorMessage: string | null;
  nextRetryAt: string | null;
  job: { id: string; status: string };
  lastSequence: number;
}

export interface HistoryEntry {
  seq: number;
  kind: string;
  trigger: string;
  step: string | null;
  fromState: string | null;
  toState: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

export async function status(app: FastifyInstance, tenantId: string): Promise<StatusBody> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}/provisioning/status`, headers: adminAuth });
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${res.body}`);
  return res.json<StatusBody>();
}

export async function history(app: FastifyInstance, tenantId: string): Promise<HistoryEntry[]> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}/provisioning/history?limit=1000`, headers: adminAuth });
  return res.json<{ items: HistoryEntry[] }>().items;
}

/** Waits until the tenant's job has ended (succeeded, failed or cancelled) and returns its status. */
export async function waitForJobEnd(app: FastifyInstance, tenantId: string, timeoutMs = 30_000): Promise<StatusBody> {
  return waitFor(
    async () => {
      const s = await status(app, tenantId);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(s.job.status) ? s : undefined;
    },
    timeoutMs,
    `the job of tenant ${tenantId} to end`,
  );
}
