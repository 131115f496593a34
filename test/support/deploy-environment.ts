import { ENVIRONMENT_VARIABLES, type EnvironmentSettings, parseEnvironmentSettings } from '../../src/config/environment-settings.js';
import { variableReader } from '../../src/config/variable-reader.js';

/**
 * The environment a service started without MATIH_ENVIRONMENT deploys for: `production`, with
 * the values file shipped in deploy/values, read by the same parser. Tests that build steps or
 * an engine use it, so what they declare is what the default deployment declares.
 */
export const TEST_ENVIRONMENT: EnvironmentSettings = defaultEnvironment();

function defaultEnvironment(): EnvironmentSettings {
  const problems: string[] = [];
  const settings = parseEnvironmentSettings(variableReader({}, ENVIRONMENT_VARIABLES, problems), problems);
  if (problems.length > 0) throw new Error(`the shipped environment values do not load:\n${problems.join('\n')}`);
  return settings;
}
