import { DEFAULT_ROLES } from '../../domain/roles.js';
import type { SqlClient } from './sql-client.js';
import type { ServiceSchemas } from './tenant-migrations.js';
import { inTransaction } from './transaction.js';

/**
 * The reference data of spec/004 SETUP_DATABASE: default dashboard templates, system roles and
 * configuration. Idempotent: rows already there are left alone (ON CONFLICT DO NOTHING), so a
 * re-run neither duplicates rows nor overwrites what the tenant has since changed. Values are
 * bind parameters; only the quoted schema names are spliced into the text.
 */

interface DashboardTemplate {
  key: string;
  name: string;
  description: string;
  widgets: readonly { type: string; title: string }[];
}

export const DEFAULT_DASHBOARD_TEMPLATES: readonly DashboardTemplate[] = [
  {
    key: 'executive-overview',
    name: 'Executive overview',
    description: 'Headline metrics and their trends',
    widgets: [
      { type: 'kpi', title: 'Key metrics' },
      { type: 'line', title: 'Trend over time' },
    ],
  },
  {
    key: 'data-quality',
    name: 'Data quality',
    description: 'Freshness, completeness and failed checks per dataset',
    widgets: [
      { type: 'table', title: 'Failed checks' },
      { type: 'bar', title: 'Completeness by dataset' },
    ],
  },
  {
    key: 'query-performance',
    name: 'Query performance',
    description: 'Query volume, latency and the slowest queries',
    widgets: [
      { type: 'line', title: 'P95 latency' },
      { type: 'table', title: 'Slowest queries' },
    ],
  },
  {
    key: 'ai-usage',
    name: 'AI usage',
    description: 'Conversations, generated SQL and model usage',
    widgets: [
      { type: 'kpi', title: 'Conversations' },
      { type: 'bar', title: 'Requests by model' },
    ],
  },
];

interface ConfigurationEntry {
  service: 'ai' | 'query' | 'bi';
  key: string;
  value: unknown;
  description: string;
}

/** Tier-independent defaults; the CONFIGURE phase (spec/002 phase 6) applies the tenant's own. */
export const DEFAULT_CONFIGURATION: readonly ConfigurationEntry[] = [
  { service: 'ai', key: 'model.preference', value: 'gpt-4o', description: 'Model used when a request names none' },
  { service: 'ai', key: 'model.temperature', value: 0.2, description: 'Sampling temperature for text-to-SQL' },
  { service: 'query', key: 'timeout.seconds', value: 30, description: 'Statement timeout for interactive queries' },
  { service: 'query', key: 'result.max_rows', value: 10_000, description: 'Rows returned to an interactive client' },
  { service: 'bi', key: 'branding', value: { primaryColor: '#2563eb', logoUrl: null }, description: 'Dashboard branding' },
];

/** Inserts the reference rows that are missing, in one transaction. Returns how many were inserted. */
export async function seedReferenceData(client: SqlClient, s: ServiceSchemas): Promise<number> {
  return inTransaction(client, async () => {
    let inserted = 0;
    for (const t of DEFAULT_DASHBOARD_TEMPLATES) {
      const result = await client.query(
        `insert into ${s.bi}.dashboard_templates (key, name, description, definition)
         values ($1, $2, $3, $4) on conflict (key) do nothing returning 1`,
        [t.key, t.name, t.description, JSON.stringify({ widgets: t.widgets })],
      );
      inserted += result.rows.length;
    }
    for (const role of DEFAULT_ROLES) {
      const result = await client.query(
        `insert into ${s.governance}.system_roles (name, description, permissions)
         values ($1, $2, $3) on conflict (name) do nothing returning 1`,
        [role.name, role.description, role.permissions],
      );
      inserted += result.rows.length;
    }
    for (const c of DEFAULT_CONFIGURATION) {
      const result = await client.query(
        `insert into ${s[c.service]}.configuration (key, value, description)
         values ($1, $2, $3) on conflict (key) do nothing returning 1`,
        [c.key, JSON.stringify(c.value), c.description],
      );
      inserted += result.rows.length;
    }
    return inserted;
  });
}
