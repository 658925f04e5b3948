/**
 * JUnit XML for `--junit FILE`: CI systems (GitLab, Jenkins, Azure Pipelines) show
 * one test per expectation, with the measured value in the failure message. The
 * suite's properties name the recording and target so a failed check can be traced.
 */
import type { Summary } from '../analysis/summary-types.js';
import type { ExpectationResult } from '../expect/types.js';

/**
 * Escapes text for XML attributes and content. Characters XML 1.0 forbids (most
 * control characters) are dropped: recording data is untrusted, and one stray byte
 * would make the whole file unreadable to the CI system.
 */
export function escapeXml(text: string): string {
  return text
    // Everything XML 1.0 does not allow: C0 controls except tab, newline, carriage return; lone surrogates; U+FFFE/U+FFFF.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Renders the expectation results as a JUnit XML document (ends with a newline). */
export function renderJunit(results: readonly ExpectationResult[], summary: Summary): string {
  const failures = results.filter((result) => !result.passed).length;
  const time = summary.durationSeconds.toFixed(3);
  const counts = `tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${time}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="aoai-probe" ${counts}>`,
    `  <testsuite name="aoai-probe ${escapeXml(summary.command)} expectations" ${counts}>`,
    '    <properties>',
    `      <property name="recording" value="${escapeXml(summary.recording)}"/>`,
    `      <property name="target" value="${escapeXml(summary.target.url)}"/>`,
    `      <property name="command" value="${escapeXml(summary.command)}"/>`,
    '    </properties>',
  ];
  for (const result of results) {
    const open = `    <testcase classname="aoai-probe.expect" name="${escapeXml(result.expression)}" time="0"`;
    if (result.passed) {
      lines.push(`${open}/>`);
    } else {
      lines.push(
        `${open}>`,
        `      <failure type="ExpectationNotMet" message="${escapeXml(result.message)}">${escapeXml(`${result.expression}: measured ${result.actualText}`)}</failure>`,
        '    </testcase>',
      );
    }
  }
  lines.push(`    <system-out>${escapeXml(summary.verdict)}</system-out>`, '  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
