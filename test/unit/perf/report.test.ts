import { describe, expect, test } from '@jest/globals';
import { replaceBetweenMarkers, resultFileName } from '../../../perf/report.js';

describe('resultFileName', () => {
  test('dates the file in UTC and keeps the name path-safe', () => {
    expect(resultFileName(new Date('2026-11-24T23:59:00Z'), 'keyword-100', 'json')).toBe('2026-11-24-keyword-100.json');
    expect(resultFileName(new Date('2026-01-02T00:00:00Z'), '../x y', 'svg')).toBe('2026-01-02--x-y.svg');
  });
});

describe('replaceBetweenMarkers', () => {
  test('replaces only what lies between the markers', () => {
    const text = 'intro\n<!-- bench:begin -->\nold\n<!-- bench:end -->\noutro\n';
    expect(replaceBetweenMarkers(text, 'new')).toBe('intro\n<!-- bench:begin -->\nnew\n<!-- bench:end -->\noutro\n');
  });
  test('appends both markers when they are missing', () => {
    expect(replaceBetweenMarkers('intro\n', 'new')).toBe('intro\n\n<!-- bench:begin -->\nnew\n<!-- bench:end -->\n');
  });
  test('other marker pairs leave the bench section alone', () => {
    const text = '<!-- bench:begin -->\nb\n<!-- bench:end -->\n<!-- soak:begin -->\ns\n<!-- soak:end -->\n';
    expect(replaceBetweenMarkers(text, 'S2', '<!-- soak:begin -->', '<!-- soak:end -->')).toBe('<!-- bench:begin -->\nb\n<!-- bench:end -->\n<!-- soak:begin -->\nS2\n<!-- soak:end -->\n');
  });
});
