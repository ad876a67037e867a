// Which test tier runs this process (scripts/run-tests.mjs sets TOLLGATE_TEST_TIER).
// Unit tests are hermetic: the helpers that start or reach real servers call
// requireIntegrationTier first, so a unit test that needs one fails saying where it belongs.

export type TestTier = 'unit' | 'integration';

/** The tier, or undefined when a test file is run directly with node --test. */
export function testTier(): TestTier | undefined {
  const t = process.env.TOLLGATE_TEST_TIER;
  return t === 'unit' || t === 'integration' ? t : undefined;
}

export function requireIntegrationTier(what: string): void {
  if (testTier() === 'unit') {
    throw new Error(`this test needs ${what}, which the unit tier does not provide: integration tests live in *.integration.test.ts files (npm run test:integration)`);
  }
}
