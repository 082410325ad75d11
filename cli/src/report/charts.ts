/**
 * Apache ECharts options as plain JSON (no functions), so they can be embedded in the page and
 * checked in tests. Animation is off: the page is a document, and a screenshot shows final values.
 * Tooltips use ECharts' rich-text mode, which draws on the canvas and never parses data as HTML.
 */
import type { Pivot } from './aggregate';

type Option = Record<string, unknown>;

/** ECharts' palette plus three, so the ten event families get ten colours. */
const PALETTE = [
  '#5470c6',
  '#91cc75',
  '#fac858',
  '#ee6666',
  '#73c0de',
  '#3ba272',
  '#fc8452',
  '#9a60b4',
  '#ea7ccc',
  '#2f4554',
  '#c4ccd3',
  '#8d6e63',
];

const base = (): Option => ({
  animation: false,
  color: PALETTE,
  tooltip: { trigger: 'axis', renderMode: 'richText' },
  grid: { left: 16, right: 24, top: 72, bottom: 16, containLabel: true },
});

const legend = (names: string[]): Option => ({ type: 'plain', top: 0, data: names });

/** A rate (0..1) as a percentage rounded for display, e.g. 0.05123 → 5.123. */
export const asPercent = (rate: number | null): number | null =>
  rate === null ? null : Math.round(rate * 100 * 1000) / 1000;

const percentAxis = (name: string): Option => ({
  type: 'value',
  name,
  axisLabel: { formatter: '{value}%' },
  min: 0,
});

/** Bars per day, one stacked series per group (e.g. events by family). */
export function stackedBars(grid: Pivot, valueName: string): Option {
  return {
    ...base(),
    legend: legend(grid.series.map((s) => s.name)),
    xAxis: { type: 'category', data: grid.x },
    yAxis: { type: 'value', name: valueName },
    series: grid.series.map((s) => ({ name: s.name, type: 'bar', stack: 'total', data: s.data })),
  };
}

/** One horizontal bar per category, largest at the top. */
export function horizontalBars(entries: [string, number][], valueName: string): Option {
  const top = [...entries].reverse();
  return {
    ...base(),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText' },
    grid: { left: 16, right: 32, top: 24, bottom: 24, containLabel: true },
    xAxis: { type: 'value', name: valueName },
    yAxis: {
      type: 'category',
      data: top.map(([name]) => name),
      axisLabel: { width: 220, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar',
        name: valueName,
        data: top.map(([, value]) => value),
        label: { show: true, position: 'right' },
      },
    ],
  };
}

export interface LineSeries {
  readonly name: string;
  readonly data: (number | null)[];
  /** Draw as bars instead (e.g. counts under rate lines). */
  readonly bars?: boolean;
  /** Index of the y axis (0 left, 1 right). */
  readonly axis?: number;
}

export interface ThresholdLine {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

/** Lines (or bars) per day on one or two y axes, with optional horizontal threshold lines. */
export function daySeries(
  days: string[],
  series: LineSeries[],
  axes: Option[],
  thresholds: ThresholdLine[] = [],
): Option {
  return {
    ...base(),
    legend: legend(series.map((s) => s.name)),
    xAxis: { type: 'category', data: days },
    yAxis: axes,
    series: series.map((s, index) => ({
      name: s.name,
      type: s.bars ? 'bar' : 'line',
      yAxisIndex: s.axis ?? 0,
      data: s.data,
      connectNulls: true,
      ...(index === 0 && thresholds.length > 0
        ? {
            markLine: {
              symbol: 'none',
              data: thresholds.map((t) => ({
                yAxis: t.value,
                name: t.label,
                lineStyle: { color: t.color, type: 'dashed', width: 2 },
                label: { formatter: t.label, position: 'insideEndTop', color: t.color },
              })),
            },
          }
        : {}),
    })),
  };
}

/** A value axis, plain or in percent. */
export function valueAxis(name: string, percent = false): Option {
  return percent ? percentAxis(name) : { type: 'value', name };
}

/** A percent axis high enough to show the data and every threshold line. */
export function thresholdAxis(name: string, thresholds: ThresholdLine[], data: (number | null)[]): Option {
  const highest = Math.max(...thresholds.map((t) => t.value), ...data.map((v) => v ?? 0));
  // Rounded up to 1, 1.5, 2, … 10 times a power of ten, so the top label reads well.
  const power = 10 ** Math.floor(Math.log10(highest * 1.15));
  const max = (Math.ceil((highest * 1.15 * 2) / power) * power) / 2;
  return { ...percentAxis(name), max: Number(max.toPrecision(6)) };
}

/** A funnel of steps, widest first, each labelled with its count. */
export function funnel(steps: [string, number][]): Option {
  return {
    animation: false,
    tooltip: { trigger: 'item', renderMode: 'richText' },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        left: '10%',
        width: '80%',
        top: 16,
        bottom: 16,
        minSize: '8%',
        label: { show: true, position: 'inside', formatter: '{b}: {c}' },
        data: steps.map(([name, value]) => ({ name, value })),
      },
    ],
  };
}
