// Properties of the one duration helper (src/units/duration.ts): parse(format(x)) ≈ x within
// the precision format promises, exact for whole seconds under an hour, and neither function
// throws or returns a non-number for any input.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/units/duration.js';
import { checkProperty } from '../helpers/property.js';

/** How far format() may round: ms under 1 s, 0.1 s under 10 s, 1 s under an hour, then the dropped third unit. */
function tolerance(x: number): number {
  if (x < 1) return 0.0005 + 1e-12;
  if (x < 10) return 0.05 + 1e-9;
  if (x < 3600) return 0.5;
  if (x < 86400) return 60; // "1h30m": seconds dropped
  return 3600; // "2d3h": minutes dropped
}

describe('durations', () => {
  test('parse(format(x)) ≈ x for any non-negative duration up to 10 years', async () => {
    await checkProperty(
      fc.property(fc.double({ min: 0, max: 10 * 365 * 86400, noNaN: true }), (x) => {
        const text = formatDuration(x);
        const back = parseDuration(text);
        expect(back, text).toBeDefined();
        expect(Math.abs(back! - x), `${x} -> ${text} -> ${back}`).toBeLessThanOrEqual(tolerance(x));
      }),
      { numRuns: 5000 },
    );
  });

  test('whole seconds under an hour round-trip exactly, and format is canonical (format(parse(format(n))) = format(n))', async () => {
    await checkProperty(
      fc.property(fc.integer({ min: 0, max: 3599 }), (n) => {
        expect(parseDuration(formatDuration(n))).toBe(n);
        expect(formatDuration(parseDuration(formatDuration(n))!)).toBe(formatDuration(n));
      }),
      { numRuns: 3600 },
    );
  });

  test('a sum of unit parts parses to the sum, in any combination', async () => {
    const part = fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom(['ms', 0.001], ['s', 1], ['m', 60], ['h', 3600], ['d', 86400], ['w', 604800]));
    await checkProperty(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([n, [u]]) => `${n}${u}`).join('');
        const want = parts.reduce((a, [n, [, s]]) => a + n * (s as number), 0);
        expect(parseDuration(text)).toBeCloseTo(want, 6);
        expect(parseDuration(` ${text} `)).toBeCloseTo(want, 6);
      }),
      { numRuns: 2000 },
    );
  });

  test('parse never throws and returns undefined or a finite number ≥ 0, for any text', async () => {
    const durationish = fc.array(fc.constantFrom('1', '0', '9', '.', '5', 'ms', 's', 'm', 'h', 'd', 'w', 'y', '-', '+', ' ', 'e', '9'.repeat(400), 'Infinity', 'NaN', '\u0661'), { maxLength: 12 }).map((a) => a.join(''));
    await checkProperty(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), durationish), (s) => {
        const v = parseDuration(s);
        if (v !== undefined) {
          expect(Number.isFinite(v), `${JSON.stringify(s)} -> ${v}`).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 5000 },
    );
  });

  test('format never throws and returns a non-empty string, for any number (NaN and ±Infinity included)', async () => {
    await checkProperty(
      fc.property(fc.double(), (x) => {
        const s = formatDuration(x);
        expect(typeof s).toBe('string');
        expect(s.length).toBeGreaterThan(0);
        if (Number.isNaN(x)) expect(s).not.toMatch(/∞/);
      }),
      { numRuns: 3000 },
    );
  });

  test('the values the properties found', () => {
    // a number too large for a double is not a duration (it would make deadlines infinite)
    expect(parseDuration('9'.repeat(400) + 's')).toBeUndefined();
    expect(parseDuration('9'.repeat(400))).toBeUndefined();
    expect(parseDuration(Infinity)).toBeUndefined();
    expect(formatDuration(NaN)).toBe('n/a');
    expect(formatDuration(Infinity)).toBe('∞');
  });
});
