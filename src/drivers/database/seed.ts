import { DEFAULT_ROLES } from '../../domain/roles.js';
import { quoteLiteral } from './identifiers.js';
import type { ServiceSchemas } from './tenant-migrations.js';

/**
 * The reference data of spec/004 SETUP_DATABASE: default dashboard templates, system roles and
 * configuration. Idempotent: rows already there are left alone (ON CONFLICT DO NOTHING), so a
 * re-run neither duplicates rows nor overwrites what the tenant has since changed. Values are
 * quoted literals (seedStatements): only these constants and the domain's default roles become SQL.
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

/**
 * The statements that insert the reference rows that are missing, one per table, for a setup
 * script, inside its transaction. The values are the constants above, as quoted literals: a
 * script has no bind parameters.
 */
export function seedStatements(s: ServiceSchemas): string[] {
  const rows = (values: readonly string[][]) => values.map((v) => `(${v.join(', ')})`).join(',\n  ');
  const json = (value: unknown) => `${quoteLiteral(JSON.stringify(value))}::jsonb`;
  const templates = DEFAULT_DASHBOARD_TEMPLATES.map((t) => [quoteLiteral(t.key), quoteLiteral(t.name), quoteLiteral(t.description), json({ widgets: t.widgets })]);
  const roles = DEFAULT_ROLES.map((r) => [quoteLiteral(r.name), quoteLiteral(r.description), `ARRAY[${r.permissions.map(quoteLiteral).join(', ')}]::text[]`]);
  const statements = [
    `INSERT INTO ${s.bi}.dashboard_templates (key, name, description, definition) VALUES\n  ${rows(templates)}\nON CONFLICT (key) DO NOTHING;`,
    `INSERT INTO ${s.governance}.system_roles (name, description, permissions) VALUES\n  ${rows(roles)}\nON CONFLICT (name) DO NOTHING;`,
  ];
  for (const service of ['ai', 'query', 'bi'] as const) {
    const entries = DEFAULT_CONFIGURATION.filter((c) => c.service === service).map((c) => [quoteLiteral(c.key), json(c.value), quoteLiteral(c.description)]);
    if (entries.length > 0) {
      statements.push(`INSERT INTO ${s[service]}.configuration (key, value, description) VALUES\n  ${rows(entries)}\nON CONFLICT (key) DO NOTHING;`);
    }
  }
  return statements;
}
