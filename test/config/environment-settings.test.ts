import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';

/** The values files shipped with the package (deploy/values), the default MATIH_HELM_VALUES_DIR. */
const SHIPPED = fileURLToPath(new URL('../../deploy/values', import.meta.url));


describe('MATIH_ENVIRONMENT and its Helm values', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'matih-values-'));
  const write = (environment: string, text: string) => {
    const file = path.join(dir, `values-${environment}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to production, with the values file shipped in deploy/values, read as written', () => {
    const { environment } = loadConfig({});
    const file = path.join(SHIPPED, 'values-production.yaml');
    expect(environment).toEqual({ name: 'production', valuesFile: file, values: readFileSync(file, 'utf8') });
  });

  it.each(['development', 'staging', 'production'])('ships a values file for %s that loads as a mapping naming it', (name) => {
    const { environment } = loadConfig({ MATIH_ENVIRONMENT: name });
    expect(environment.name).toBe(name);
    expect(environment.valuesFile).toBe(path.join(SHIPPED, `values-${name}.yaml`));
    expect(parse(environment.values)).toMatchObject({ environment: name });
  });

  it('reads values-{environment}.yaml from MATIH_HELM_VALUES_DIR', () => {
    const file = write('qa-eu', '# QA in Europe\nlogLevel: debug\nfeatures:\n  beta: true\n');
    const { environment } = loadConfig({ MATIH_ENVIRONMENT: 'qa-eu', MATIH_HELM_VALUES_DIR: dir });
    expect(environment).toEqual({ name: 'qa-eu', valuesFile: file, values: '# QA in Europe\nlogLevel: debug\nfeatures:\n  beta: true\n' });
  });

  it('takes an empty values file as no values', () => {
    write('empty', '# nothing to set here\n');
    expect(loadConfig({ MATIH_ENVIRONMENT: 'empty', MATIH_HELM_VALUES_DIR: dir }).environment.values).toBe('# nothing to set here\n');
  });

  it.each(['Production', 'prod_1', '-prod', 'prod-', 'prod.eu', 'a'.repeat(64)])('refuses %s, which is no DNS label', (name) => {
    const problems = configProblems({ MATIH_ENVIRONMENT: name });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`MATIH_ENVIRONMENT="${name}" must be a DNS label`);
  });

  it('refuses to start without the environment values file, naming it', () => {
    const problems = configProblems({ MATIH_ENVIRONMENT: 'nowhere', MATIH_HELM_VALUES_DIR: dir });
    expect(problems).toEqual([`the values of MATIH_ENVIRONMENT: ${path.join(dir, 'values-nowhere.yaml')} does not exist (MATIH_HELM_VALUES_DIR)`]);
  });

  it.each([
    ['broken', 'a: [1\n', 'is not valid YAML'],
    ['twice', 'logLevel: info\nlogLevel: debug\n', 'is not valid YAML: Map keys must be unique'],
    ['documents', 'a: 1\n---\nb: 2\n', 'is not valid YAML'],
    ['list', '- a\n- b\n', 'must hold a YAML mapping of Helm values'],
    ['scalar', 'just text\n', 'must hold a YAML mapping of Helm values'],
  ])('refuses to start with a bad values file (%s), naming it', (name, text, message) => {
    const file = write(name, text);
    const problems = configProblems({ MATIH_ENVIRONMENT: name, MATIH_HELM_VALUES_DIR: dir });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(file);
    expect(problems[0]).toContain(message);
  });

  it('refuses a values file larger than a ConfigMap holds', () => {
    const file = write('huge', `blob: "${'x'.repeat(1_000_001)}"\n`);
    expect(configProblems({ MATIH_ENVIRONMENT: 'huge', MATIH_HELM_VALUES_DIR: dir })).toEqual([`${file} is larger than 1000000 bytes, more than a ConfigMap holds`]);
  });

  it('lists a bad environment with the other problems', () => {
    const problems = configProblems({ MATIH_ENVIRONMENT: 'nowhere', MATIH_HELM_VALUES_DIR: dir, MATIH_TENANT_PORT: 'abc' });
    expect(problems).toHaveLength(2);
  });
});
