import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_VARIABLES } from '../../src/config/lifecycle-settings.js';
import { locateHelm } from '../support/helm.js';
import { metricSelectors } from '../support/promql.js';
import { REPO_ROOT } from '../support/service-process.js';
import { type Rendered, only, parseObjects, template } from './chart-render.js';
import { type AlertRule, CONTROL_PLANE_JOB, CONTROL_PLANE_METRICS, RULE_FILE, SCRAPE_METRICS, alertRules, queryableNames } from './control-plane-metrics.js';

/**
 * The control plane's own alert rules (deploy/helm/matih-control-plane/files/prometheus-rules.yaml):
 * what each alert carries (severity, summary, description, a runbook that exists in
 * docs/operations.md), that they read only metrics the service exports and only the control
 * plane's job, and, with promtool, that Prometheus loads them and that the unit tests of
 * prometheus-rules.promtool.yaml pass, with a case for each alert where it fires and one where it
 * stays quiet, each able to fail. Then the chart: the PrometheusRule it renders, fitted to the
 * release's reconcile interval and runbook address.
 */

const PROMTOOL_TESTS = path.join(REPO_ROOT, 'test', 'deploy', 'prometheus-rules.promtool.yaml');
const OPERATIONS = path.join(REPO_ROOT, 'docs', 'operations.md');
/** The alerts issue 18 asks for by what they watch; the others are ours to add or drop. */
const PROMISED = ['MatihJobsFailing', 'MatihJobStuck', 'MatihOutboxBacklogOld', 'MatihReconcilerNotSweeping', 'MatihNoReadyReplica'];
const SEVERITIES = ['critical', 'warning'];

interface PromtoolTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; eval_time: string; exp_alerts?: unknown[] }[] }[];
}
const promtoolTests = () => parseYaml(readFileSync(PROMTOOL_TESTS, 'utf8')) as PromtoolTests;

/** GitHub's anchor of a heading: lower case, punctuation gone, spaces as hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

/** The `###` headings of docs/operations.md's "## Alerts" section. */
function alertSections(): string[] {
  const doc = readFileSync(OPERATIONS, 'utf8');
  const start = doc.search(/^## Alerts$/m);
  expect(start, 'docs/operations.md has an "## Alerts" section').toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^### (.+)$/gm)].map((m) => m[1]!.trim());
}

const rules = alertRules();
const names = rules.map((r) => r.alert);

describe('the control plane alert rules', () => {
  it('are the alerts operators were promised, each named once', () => {
    expect(names).toEqual(expect.arrayContaining(PROMISED));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^Matih[A-Z][A-Za-z]+$/);
  });

  it('each carry a severity, a summary, a description, and a runbook: its own section of docs/operations.md', () => {
    const sections = alertSections();
    const anchors = new Set(sections.map(anchorOf));
    for (const rule of rules) {
      expect(SEVERITIES, rule.alert).toContain(rule.labels?.severity);
      expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual(['description', 'runbook_url', 'summary']);
      expect(rule.annotations?.summary?.length, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations?.description?.length, rule.alert).toBeGreaterThan(30);
      const runbook = rule.annotations!.runbook_url!;
      expect(runbook, rule.alert).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect(anchors.has(runbook.split('#')[1]!), `docs/operations.md has a "### ${rule.alert}" under "## Alerts"`).toBe(true);
    }
    // And no runbook for an alert that is gone.
    expect(sections.sort()).toEqual([...names].sort());
  });

  it(`read only metrics the service exports, of the control plane's job (${CONTROL_PLANE_JOB}) only`, () => {
    // Tenants' services export matih_http_* too: a selector without the job would count them.
    const known = new Set([...queryableNames(CONTROL_PLANE_METRICS), ...SCRAPE_METRICS]);
    for (const rule of rules) {
      const selectors = metricSelectors(rule.expr);
      expect(selectors.length, rule.alert).toBeGreaterThan(0);
      for (const s of selectors) {
        expect(known.has(s.metric), `${rule.alert}: ${s.metric || '(no name)'} is not a metric the control plane exports`).toBe(true);
        expect(s.matchers, `${rule.alert}: ${s.metric}`).toContain(`job="${CONTROL_PLANE_JOB}"`);
      }
    }
  });

  it('have promtool cases for each alert: one where it fires and one where it stays quiet', () => {
    const file = promtoolTests();
    expect(file.rule_files.map((f) => path.resolve(path.dirname(PROMTOOL_TESTS), f))).toEqual([RULE_FILE]);
    const cases = file.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const name of names) {
      const mine = cases.filter((c) => c.alertname === name);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${name} has a case where it fires`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${name} has a case where it stays quiet`).toBe(true);
    }
    // No case for an alert that does not exist (promtool would pass it: nothing fires).
    for (const c of cases) expect(names, c.alertname).toContain(c.alertname);
  });
});

const promtool = spawnSync('sh', ['-c', 'command -v promtool']).status === 0;
describe.skipIf(!promtool)(`the control plane alert rules in Prometheus${promtool ? '' : ' (skipped: promtool is not installed)'}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'matih-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => {
    const result = spawnSync('promtool', args, { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it('load: `promtool check rules` accepts the file', () => {
    const check = run('check', 'rules', RULE_FILE);
    expect(check.status, check.output).toBe(0);
    expect(check.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('behave as their cases say: `promtool test rules` passes', () => {
    const test = run('test', 'rules', PROMTOOL_TESTS);
    expect(test.status, test.output).toBe(0);
    expect(test.output).toContain('SUCCESS');
  });

  /** The cases run against a copy of the rules in which `alert` has the expression `expr`. */
  function testWith(alert: string, expr: string) {
    const doc = parseYaml(readFileSync(RULE_FILE, 'utf8')) as { groups: { rules: AlertRule[] }[] };
    for (const rule of doc.groups.flatMap((g) => g.rules)) if (rule.alert === alert) rule.expr = expr;
    const rulesFile = path.join(dir, `${alert}-rules.yaml`);
    writeFileSync(rulesFile, JSON.stringify(doc));
    const tests = { ...promtoolTests(), rule_files: [rulesFile] };
    const testsFile = path.join(dir, `${alert}-tests.yaml`);
    writeFileSync(testsFile, JSON.stringify(tests));
    return run('test', 'rules', testsFile);
  }

  it.each(names)('can fail: %s made never to fire, or always to fire, fails its cases', (alert) => {
    const never = testWith(alert, 'vector(1) < 0');
    expect(never.status, `never firing passed:\n${never.output}`).not.toBe(0);
    expect(never.output).toContain(`alertname: ${alert}`);
    const always = testWith(alert, 'vector(1)');
    expect(always.status, `always firing passed:\n${always.output}`).not.toBe(0);
    expect(always.output).toContain(`alertname: ${alert}`);
  });
});

const helm = await locateHelm();
describe.skipIf(!helm.path)(`the chart's PrometheusRule${helm.path ? '' : ` (skipped: ${helm.missing ?? 'no helm'})`}`, () => {
  /** `helm template` with the rules on and `args` (--set ...). */
  const render = async (...args: string[]): Promise<Rendered[]> => {
    const result = await template(helm.path!, ['--set', 'monitoring.prometheusRule.enabled=true', ...args]);
    expect(result.code, result.stderr).toBe(0);
    return parseObjects(result.stdout);
  };
  const renderedRules = (objects: Rendered[]) => (only(objects, 'PrometheusRule').spec as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);
  const reconcilerAlert = (objects: Rendered[]) => renderedRules(objects).find((r) => r.alert === 'MatihReconcilerNotSweeping');

  it("waits three of the service's default reconcile intervals when none is configured: the rules as tested", async () => {
    const objects = await render();
    expect(renderedRules(objects)).toEqual(rules);
    expect(reconcilerAlert(objects)?.expr).toContain(`> 3 * ${LIFECYCLE_VARIABLES.MATIH_RECONCILE_INTERVAL_S}\n`);
  });

  it('waits three of the configured intervals, and Prometheus still parses the rules', async () => {
    const objects = await render('--set', 'config.MATIH_RECONCILE_INTERVAL_S=300');
    const expr = reconcilerAlert(objects)?.expr ?? '';
    expect(expr).toContain('> 3 * 300\n');
    expect(expr).not.toContain('3 * 60');
    // Nothing else changed.
    expect(renderedRules(objects).filter((r) => r.alert !== 'MatihReconcilerNotSweeping')).toEqual(rules.filter((r) => r.alert !== 'MatihReconcilerNotSweeping'));
    if (promtool) {
      const dir = mkdtempSync(path.join(tmpdir(), 'matih-rendered-rules-'));
      try {
        const file = path.join(dir, 'rules.yaml');
        writeFileSync(file, JSON.stringify(only(objects, 'PrometheusRule').spec));
        const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
        expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('leaves the reconciler alert out when the periodic sweep is off (interval 0), as a string or a number', async () => {
    for (const set of ['--set', '--set-string']) {
      const objects = await render(set, 'config.MATIH_RECONCILE_INTERVAL_S=0');
      expect(reconcilerAlert(objects), set).toBeUndefined();
      expect(renderedRules(objects).map((r) => r.alert)).toEqual(names.filter((n) => n !== 'MatihReconcilerNotSweeping'));
    }
  });

  it('links each runbook where the operator publishes the docs (runbookBaseUrl)', async () => {
    const objects = await render('--set', 'monitoring.prometheusRule.runbookBaseUrl=https://git.example.com/matih/blob/v1.2.0/');
    for (const rule of renderedRules(objects)) {
      expect(rule.annotations?.runbook_url).toBe(`https://git.example.com/matih/blob/v1.2.0/docs/operations.md#${rule.alert.toLowerCase()}`);
    }
  });

  it(`has the ServiceMonitor name every install's job ${CONTROL_PLANE_JOB}, whatever the release is called`, async () => {
    const result = await template(helm.path!, ['--set', 'monitoring.serviceMonitor.enabled=true', '--set', 'fullnameOverride=cp']);
    expect(result.code, result.stderr).toBe(0);
    const monitor = only(parseObjects(result.stdout), 'ServiceMonitor');
    expect(monitor.metadata.name).toBe('cp');
    const endpoints = (monitor.spec as { endpoints: { relabelings?: { targetLabel?: string; replacement?: string; sourceLabels?: unknown }[] }[] }).endpoints;
    for (const e of endpoints) expect(e.relabelings).toContainEqual({ targetLabel: 'job', replacement: CONTROL_PLANE_JOB });
  });

  it('refuses a runbook address that is no URL', async () => {
    const result = await template(helm.path!, ['--set', 'monitoring.prometheusRule.runbookBaseUrl=docs.example.com']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/runbookBaseUrl/);
  });
});
