import fs from 'node:fs';
import { createRequire } from 'node:module';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

// The axe-core this workspace pins (4.14), rather than the older copy @axe-core/playwright bundles.
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now and fails on any
 * serious or critical violation, listing each rule, its help text and the offending nodes.
 */
export async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page, axeSource }).withTags(WCAG_21_AA).analyze();
  const blocking = results.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact ?? ''));
  const report = blocking.map((v) =>
    [
      `${v.id} (${v.impact ?? 'unknown'}): ${v.help}`,
      `  ${v.helpUrl}`,
      ...v.nodes.map((node) => `  - ${node.target.join(' ')}: ${node.failureSummary?.replace(/\n/g, ' ') ?? ''}`),
    ].join('\n'),
  );
  if (report.length > 0) {
    throw new Error(
      `axe found ${report.length} serious or critical WCAG 2.1 AA violation(s) on ${what}:\n${report.join('\n')}`,
    );
  }
  // Guards against a page that rendered nothing: axe must have checked something.
  expect(results.passes.length, `axe checked nothing on ${what}`).toBeGreaterThan(0);
}
