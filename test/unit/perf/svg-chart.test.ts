import { describe, expect, test } from '@jest/globals';
import { niceMax, renderChart } from '../../../perf/svg-chart.js';

describe('renderChart', () => {
  const svg = renderChart({
    title: 'a <b> & c',
    xLabel: 'rate',
    yLabel: 'ms',
    xLevels: ['100', '200', '400'],
    series: [
      { name: 'floor p50', color: '#888', values: [1, 2, 4] },
      { name: 'semroute p99', color: '#00f', dashed: true, values: [2, NaN, 8] },
    ],
  });
  test('is one svg element with a line and a legend per series', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('floor p50');
    expect(svg).toContain('stroke-dasharray');
  });
  test('escapes text and skips missing points', () => {
    expect(svg).toContain('a &lt;b&gt; &amp; c');
    const dashed = /<polyline[^>]*stroke-dasharray[^>]*points="([^"]*)"/.exec(svg)![1]!;
    expect(dashed.split(' ')).toHaveLength(2);
  });
  test('the y axis runs from 0 to a round 10: 8 sits at 80% of the plot height', () => {
    expect(svg).toContain('>10</text>');
    // plot top 40, height 290: 40 + 290 · 0.2 = 98; the first level sits at the left edge (60).
    expect(svg).toContain('cx="490.0" cy="98.0"');
    expect(svg).toContain('cx="60.0" cy="301.0"');
  });
});

test.each([
  [0.7, 1],
  [8, 10],
  [12, 20],
  [430, 500],
  [0, 1],
])('niceMax(%s) = %s', (v, want) => {
  expect(niceMax(v)).toBe(want);
});
