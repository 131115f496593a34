import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, parseDocument } from 'yaml';
import type { VariableReader } from './variable-reader.js';

/**
 * The environment the tenants' data planes run in: spec/002 DEPLOY_SERVICES installs every
 * service with `--values values-{environment}.yaml`. The file is read and checked here, once at
 * start: a step that found it broken would fail every tenant's deployment one at a time, where
 * a start that refuses tells the operator at once.
 */
export const ENVIRONMENT_VARIABLES = {
  MATIH_ENVIRONMENT: 'production',
  MATIH_HELM_VALUES_DIR: '',
} as const;
type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES;

export interface EnvironmentSettings {
  /** spec/002's `{environment}`: names the values file and the ConfigMap that carries it. */
  name: string;
  /** The file read, absolute: `{MATIH_HELM_VALUES_DIR}/values-{name}.yaml`. */
  valuesFile: string;
  /**
   * The file's text as written (comments kept), a YAML mapping or empty: copied as it is into
   * each tenant namespace, as `helm -f` would read it.
   */
  values: string;
}

// src/config/ and dist/config/ both sit two levels below the package root, where deploy/values is shipped.
const DEFAULT_VALUES_DIR = fileURLToPath(new URL('../../deploy/values', import.meta.url));

/** A DNS label: it goes into a ConfigMap name (`values-{name}`) and a file name as it is. */
const ENVIRONMENT_NAME = /^(?=.{1,63}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** The API server refuses a ConfigMap over 1 MiB; this leaves room for its metadata. */
const MAX_VALUES_BYTES = 1_000_000;

export function parseEnvironmentSettings(read: VariableReader<EnvironmentVariable>, problems: string[]): EnvironmentSettings {
  const name = read.text('MATIH_ENVIRONMENT');
  const dir = path.resolve(read.text('MATIH_HELM_VALUES_DIR') || DEFAULT_VALUES_DIR);
  const valuesFile = path.join(dir, `values-${name}.yaml`);
  if (!ENVIRONMENT_NAME.test(name)) {
    problems.push(`MATIH_ENVIRONMENT="${name}" must be a DNS label (lower-case letters, digits and '-', at most 63), such as production`);
    return { name, valuesFile, values: '' };
  }
  return { name, valuesFile, values: readValuesFile(valuesFile, problems) };
}

/** The file's text when it is one YAML mapping (or empty: no values), else '' and a problem naming the file. */
function readValuesFile(file: string, problems: string[]): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    problems.push(`the values of MATIH_ENVIRONMENT: ${file} ${reason} (MATIH_HELM_VALUES_DIR)`);
    return '';
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_VALUES_BYTES) {
    problems.push(`${file} is larger than ${MAX_VALUES_BYTES} bytes, more than a ConfigMap holds`);
    return '';
  }
  // Warnings too (an unknown tag): what this parser only warns about, Helm may refuse.
  const doc = parseDocument(text, { prettyErrors: true });
  const [first] = [...doc.errors, ...doc.warnings];
  if (first) {
    problems.push(`${file} is not valid YAML: ${first.message.split('\n')[0] ?? ''}`);
    return '';
  }
  // Helm merges a values file into a map of values: a list or a scalar there is an error at install.
  if (doc.contents !== null && !isMap(doc.contents)) {
    problems.push(`${file} must hold a YAML mapping of Helm values (key: value), not a list or a single value`);
    return '';
  }
  return text;
}
