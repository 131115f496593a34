import { ConfigError, loadConfig } from '../../src/config/load-config.js';

/** What loadConfig refuses in `env`, problem by problem; none when it loads. */
export function configProblems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
