/** Numbers, text and paths as the page and the command show them. */
import { isAbsolute, relative } from 'node:path';
import type { NumberFormat } from './types';

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const amounts = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percents = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 2 });
const seconds = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A value in its format; '–' for none. */
export function formatNumber(value: unknown, format: NumberFormat | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  const n = Number(value);
  if (format === undefined || !Number.isFinite(n)) return String(value);
  switch (format) {
    case 'count':
      return counts.format(n);
    case 'percent':
      return percents.format(n);
    case 'usd':
      return `$${amounts.format(n)}`;
    case 'amount':
      return amounts.format(n);
    case 'seconds':
      return `${seconds.format(n)} s`;
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text from data, safe inside an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON safe inside a `<script>` element: `<` (so no `</script>` or `<!--`), and the two line
 * separators JavaScript once rejected in strings, written as escapes.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A path relative to the working folder when it lies inside it, else as it is. */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}
