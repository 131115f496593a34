import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { DriverError } from '../contract.js';

/**
 * Where the driver finds its cluster and credentials. The composition root picks one; this file
 * never reads the environment itself (config/ is its only reader, DESIGN.md section 3).
 */
export type KubeConfigSource =
  /** A kubeconfig file (or several, joined by the platform's path delimiter, as KUBECONFIG allows). */
  | { kind: 'file'; path: string; context?: string }
  /** The service account of the pod the control plane runs in. */
  | { kind: 'in-cluster' }
  /** A server and a bearer token given directly: tests, and setups that mount only a token. */
  | { kind: 'direct'; server: string; token?: string; caData?: string; skipTlsVerify?: boolean };

export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const config = new KubeConfig();
  switch (source.kind) {
    case 'file': {
      const [first, ...rest] = source.path.split(delimiter).filter((p) => p !== '');
      if (!first) throw new DriverError('kubeconfig: no file named', false);
      loadFile(config, first);
      for (const path of rest) {
        const more = new KubeConfig();
        loadFile(more, path);
        // As kubectl does: the first file's current-context wins, the others add entries.
        config.mergeConfig(more, true);
      }
      if (source.context) config.setCurrentContext(source.context);
      break;
    }
    case 'in-cluster':
      config.loadFromCluster();
      break;
    case 'direct':
      config.loadFromClusterAndUser(
        {
          name: 'matih-direct',
          server: source.server,
          skipTLSVerify: source.skipTlsVerify ?? false,
          ...(source.caData ? { caData: source.caData } : {}),
        },
        { name: 'matih-control-plane', ...(source.token ? { token: source.token } : {}) },
      );
      break;
  }
  const cluster = config.getCurrentCluster();
  // The message names the context and server only: a kubeconfig's users carry tokens and keys.
  if (!cluster) throw new DriverError(`kubeconfig: current context "${config.getCurrentContext()}" names no cluster`, false);
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    // client-node refuses plain HTTP at the first request with an unclassified error; say it at load.
    throw new DriverError(`kubeconfig: ${cluster.server} is plain HTTP; set insecure-skip-tls-verify to allow it`, false);
  }
  return config;
}

/**
 * A YAML parse error quotes the lines around the fault, and a kubeconfig's lines hold tokens and
 * keys: report the file, the error code or the parser's one-line reason, never the text.
 */
function loadFile(config: KubeConfig, path: string): void {
  try {
    config.loadFromFile(path);
  } catch (error) {
    const { code, reason } = error as { code?: unknown; reason?: unknown };
    const why = typeof code === 'string' ? code : typeof reason === 'string' ? reason : 'not a valid kubeconfig';
    throw new DriverError(`kubeconfig ${path}: ${why}`, false);
  }
}
