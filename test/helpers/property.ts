// fast-check with a count: every property test of the robustness suite runs through here, so
// the number of cases actually executed reaches the figures (test/helpers/robustness-figures.ts).
// Seeds are set for the whole suite by test/helpers/property-seed.ts.
import fc from 'fast-check';
import { recordFigure } from './robustness-figures.js';

export async function checkProperty<T>(property: fc.IProperty<T> | fc.IAsyncProperty<T>, params: fc.Parameters<T> = {}): Promise<void> {
  const details = await fc.check(property as fc.IAsyncProperty<T>, params);
  recordFigure('propertyCases', details.numRuns);
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? `\n${details.errorInstance.message}` : '';
    throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}${cause}\n(replay with QD_PROPERTY_SEED=${details.seed})`);
  }
}
