/**
 * The house rules of the tree, checked by `npm run lint` (depcruise):
 * - an app never imports another app (only the one-process composition root wires them all);
 * - libraries never import apps, and no import cycle runs through the libraries;
 * - the keys of personal data live apart from the events they open;
 * - libs/domain (the rules several services share) imports nothing but the contracts;
 * - libs/client (the typed client of the public API) imports nothing but the contracts.
 */
const { existsSync } = require('node:fs');

module.exports = {
  forbidden: [
    {
      name: 'no-cross-app-import',
      comment: 'Apps talk through events and HTTP contracts, never through each other’s code.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/standalone/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-to-app-import',
      comment: 'Libraries serve the apps; they never reach into one.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'privacy-keys-apart-from-events',
      comment:
        'Person keys are kept in a store of their own: the privacy library never reaches into the event store, the bus or the read models.',
      severity: 'error',
      from: { path: '^libs/privacy/' },
      to: { path: '^libs/(eventstore|messaging|readmodel)/' },
    },
    {
      name: 'domain-stays-pure',
      comment:
        'The shared domain rules are plain functions over the contracts: no framework, store or bus.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: '^libs/(domain|contracts)/' },
    },
    {
      name: 'client-over-contracts-only',
      comment:
        'The typed client is the route table over fetch: pages, seeds, benchmarks and tests take it without a server library.',
      severity: 'error',
      from: { path: '^libs/client/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: '^libs/(client|contracts)/' },
    },
    {
      name: 'no-cycle',
      comment: 'An import cycle makes load order matter and hides what depends on what.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      path: ['(^|/)(dist|node_modules|\\.infra|coverage)/', '^test/fixtures/house-rules/'],
    },
    tsPreCompilationDeps: true,
    // The @parley/* paths resolve through it; the rules' own test fixture has none.
    ...(existsSync('tsconfig.json') ? { tsConfig: { fileName: 'tsconfig.json' } } : {}),
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
