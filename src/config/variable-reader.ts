/** The process environment, or a test's stand-in for it. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * How the settings modules read their variables: by name, with the documented default when a
 * variable is unset or blank, pushing a problem (and using the default) when a value is bad, so
 * that loadConfig can report every problem at once. Members are plain functions, not methods, so
 * a parser can pass `read.text` on without binding it.
 */
export interface VariableReader<V extends string> {
  /** The trimmed value, or the documented default. */
  readonly text: (name: V) => string;
  /** As `text`, but undefined where that would be empty. */
  readonly optional: (name: V) => string | undefined;
  readonly int: (name: V, min: number, max: number) => number;
  readonly bool: (name: V) => boolean;
  /**
   * The whole environment, for what is not a documented setting of ours: variables Kubernetes
   * sets (KUBERNETES_SERVICE_HOST), retired names, and what Terraform may inherit.
   */
  readonly env: Env;
}

export function variableReader<V extends string>(env: Env, defaults: Readonly<Record<V, string>>, problems: string[]): VariableReader<V> {
  const text = (name: V): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? defaults[name] : value.trim();
  };
  return {
    text,
    optional: (name) => text(name) || undefined,
    int: (name, min, max) => {
      const raw = text(name);
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw) || n < min || n > max) {
        problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max}`);
        return Number(defaults[name]);
      }
      return n;
    },
    bool: (name) => {
      const raw = text(name).toLowerCase();
      if (['true', '1', 'yes'].includes(raw)) return true;
      if (['false', '0', 'no'].includes(raw)) return false;
      problems.push(`${name}="${raw}" must be true or false`);
      return defaults[name] === 'true';
    },
    env,
  };
}
