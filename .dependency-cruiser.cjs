/**
 * The layering of DESIGN.md section 3, checked by `npm test`.
 * Each rule names a layer and the only layers it may import; everything else is forbidden.
 */
const layer = (name, from, allowed) => ({
  name,
  severity: 'error',
  comment: `${from} may import only ${allowed.join(', ')}`,
  from: { path: `^src/${from}/` },
  to: { path: '^src/', pathNot: allowed.map((a) => `^src/${a}(/|\\.ts$)`) },
});

module.exports = {
  forbidden: [
    layer('domain-is-pure', 'domain', ['domain']),
    // Neutral shapes (Kubernetes objects, the simulated cluster's records) every layer may name.
    layer('shared-is-neutral', 'shared', ['shared']),
    layer('store-sees-domain-only', 'store', ['store', 'domain', 'shared']),
    layer('config-sees-domain-only', 'config', ['config', 'domain']),
    layer('iam-layering', 'iam', ['iam', 'domain', 'store']),
    layer('drivers-layering', 'drivers', ['drivers', 'domain', 'shared']),
    layer('steps-use-driver-contract-only', 'steps', ['steps', 'domain', 'drivers/contract', 'shared']),
    layer('engine-uses-driver-contract-only', 'engine', ['engine', 'domain', 'store', 'drivers/contract', 'steps', 'shared']),
    layer('api-layering', 'api', ['api', 'domain', 'store', 'engine', 'iam', 'config', 'shared']),
    {
      name: 'only-main-imports-the-composition-root',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main\\.ts$' },
      to: { path: '^src/(app|main)\\.ts$' },
    },
    {
      name: 'clients-speak-http-only',
      severity: 'error',
      comment: 'the dashboard and matihctl talk to the public API, never to the service code',
      from: { path: '^(ui|cli)/' },
      to: { path: '^src/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
