// Terminal charts of a timeline: unicode blocks, ASCII fallback, peaks kept when resampling.
import { describe, expect, it } from 'vitest';
import { renderTimelineChart } from '../../src/simulate/text-chart.js';

describe('renderTimelineChart', () => {
  const t = Array.from({ length: 11 }, (_, i) => i * 360);
  const backlog = [0, 1, 2, 4, 8, 10, 8, 4, 2, 1, 0];
  const replicas = [1, 1, 2, 4, 4, 4, 4, 4, 2, 1, 1];

  it('draws eighth blocks with the scale and a time axis', () => {
    const lines = renderTimelineChart(
      [
        { label: 'backlog', values: backlog, height: 2 },
        { label: 'replicas', values: replicas, height: 1 },
      ],
      { t, unicode: true, width: 72 },
    );
    expect(lines).toEqual([
      'backlog  10 ┤    ▅█▅',
      '          0 ┤ ▂▃▆███▆▃▂',
      'replicas  4 ┤▂▂▄█████▄▂▂',
      '            └───────────',
      '            0s   30m  1h',
    ]);
  });

  it('falls back to ASCII', () => {
    const lines = renderTimelineChart([{ label: 'backlog', values: backlog, height: 2 }], { t, unicode: false, width: 72 });
    expect(lines.join('\n')).toMatch(/^[\x20-\x7e\n]*$/);
    expect(lines[0]).toBe('backlog  10 |    :#:');
    expect(lines[2]).toBe('            +-----------');
  });

  it('keeps peaks when resampling to fewer columns', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i === 501 ? 100 : 1));
    const [top] = renderTimelineChart([{ label: 'b', values, height: 1 }], { t: values.map((_, i) => i), unicode: true, width: 20 });
    expect(top).toMatch(/█/);
    expect(top.split('┤')[1]).toHaveLength(20);
  });
});
