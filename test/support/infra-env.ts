/** Environment variables through which the global setup hands the infrastructure to test workers. */
export const INFRA_ENV = {
  /** Set to "off" to run without infrastructure (unit tier only). */
  switch: 'PARLEY_INFRA',
  /** Why the infrastructure is unavailable, when it is. */
  unavailable: 'PARLEY_INFRA_UNAVAILABLE',
  /** Unique id of this test run; prefixes topic and database names. */
  runId: 'PARLEY_TEST_RUN_ID',
  /** Which servers the global setup started (and the teardown stops). */
  started: 'PARLEY_INFRA_STARTED',
} as const;
