import { describe, expect, it } from 'vitest';
import { evaluateExpectations } from '../../src/expect/evaluate.js';
import { parseExpectations } from '../../src/expect/parse.js';
import { escapeXml, renderJunit } from '../../src/report/junit.js';
import { baseSummary } from './fixtures.js';

describe('renderJunit', () => {
  const summary = baseSummary();
  const results = evaluateExpectations(parseExpectations(['requests.failed == 0', 'latency.p95 < 300ms', 'throttled.ratio < 1%']), summary);
  const xml = renderJunit(results, summary);

  it('writes one testcase per expectation and counts the failures', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="aoai-probe" tests="3" failures="2" errors="0" skipped="0" time="1.420">')).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml.match(/<failure /g)).toHaveLength(2);
    expect(xml).toContain('<testcase classname="aoai-probe.expect" name="requests.failed == 0" time="0"/>');
    expect(xml.endsWith('</testsuites>\n')).toBe(true);
  });

  it('puts the measured value in the failure message, escaped', () => {
    expect(xml).toContain('<testcase classname="aoai-probe.expect" name="latency.p95 &lt; 300ms" time="0">');
    expect(xml).toContain('<failure type="ExpectationNotMet" message="not met: latency.p95 &lt; 300ms (measured 301.9 ms)">latency.p95 &lt; 300ms: measured 301.9 ms</failure>');
  });

  it('names the recording and target as suite properties', () => {
    expect(xml).toContain(`<property name="recording" value="${summary.recording}"/>`);
    expect(xml).toContain('<property name="target" value="http://127.0.0.1:43117/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"/>');
  });

  it('writes a suite with no tests when there are no expectations', () => {
    const empty = renderJunit([], summary);
    expect(empty).toContain('tests="0" failures="0"');
    expect(empty).not.toContain('<testcase');
  });

  it('keeps untrusted text from breaking the XML', () => {
    const hostile = baseSummary({ verdict: 'a </system-out><x> & "q" \u0000\u001b end', recording: 'r"&<.ndjson' });
    const text = renderJunit([], hostile);
    expect(text).toContain('<system-out>a &lt;/system-out&gt;&lt;x&gt; &amp; &quot;q&quot;  end</system-out>');
    expect(text).toContain('value="r&quot;&amp;&lt;.ndjson"');
  });
});

describe('escapeXml', () => {
  it('drops characters XML 1.0 forbids but keeps tabs, newlines and astral characters', () => {
    expect(escapeXml('a\tb\nc\u0001\ud83d\ude00\ud800')).toBe('a\tb\nc\ud83d\ude00');
  });
});
