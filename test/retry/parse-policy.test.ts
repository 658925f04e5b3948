/** Policy syntax: parameters, lists, scenario entries, and one clear message per mistake. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parsePolicy, parsePolicyList, policyFromEntry } from '../../src/retry/parse-policy.js';
import { POLICY_NAMES, policiesHelp } from '../../src/retry/catalogue.js';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('parsePolicy', () => {
  it('reads parameters and writes them back as run', () => {
    const policy = parsePolicy('exponential:base=0.5s,factor=2,cap=8s');
    expect(policy.base).toBe('exponential');
    expect(policy.params).toEqual({ base: '500ms', factor: 2, cap: '8s' });
    expect(parsePolicy('exponential-jitter').params).toEqual({ jitter: 'full', base: '500ms', factor: 2, cap: '8s' });
  });

  it('names every problem at once', () => {
    const problems = problemsOf(() => parsePolicy('exponential:base=fast,factor=0.5,colour=red'));
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/"colour" is not a parameter of exponential; its parameters are base, factor, cap/);
    expect(problems.join('\n')).toMatch(/"fast" is not a duration/);
    expect(problems.join('\n')).toMatch(/factor: "0.5" is not a number ≥ 1/);
    expect(problemsOf(() => parsePolicy('backoff'))[0]).toMatch(/"backoff" is not a retry policy; choose one of none, immediate/);
    expect(problemsOf(() => parsePolicy('exponential-jitter:jitter=half'))[0]).toMatch(/not one of full, equal, decorrelated/);
    expect(problemsOf(() => parsePolicy('none:delay=1s'))[0]).toMatch(/it takes no parameters/);
  });
});

describe('parsePolicyList', () => {
  it('splits on commas, a key=value part continuing the policy before it', () => {
    const policies = parsePolicyList('none,exponential:base=1s,cap=4s,header-jitter');
    expect(policies.map((policy) => policy.name)).toEqual(['none', 'exponential:base=1s,cap=4s', 'header-jitter']);
    expect(policies[1]!.params).toEqual({ base: '1s', factor: 2, cap: '4s' });
    expect(parsePolicyList(POLICY_NAMES.join(',')).map((policy) => policy.name)).toEqual(POLICY_NAMES);
  });

  it('refuses an empty list and a policy listed twice', () => {
    expect(problemsOf(() => parsePolicyList(' , '))[0]).toMatch(/no policy given/);
    expect(problemsOf(() => parsePolicyList('fixed,fixed'))[0]).toMatch(/listed twice/);
  });
});

describe('policyFromEntry (a user policy in a scenario file)', () => {
  it('builds a named policy from catalogue parameters', () => {
    const problems: string[] = [];
    const policy = policyFromEntry({ name: 'my-backoff', policy: 'exponential-jitter', jitter: 'equal', base: '1s' }, 'retry', problems);
    expect(problems).toEqual([]);
    expect(policy?.name).toBe('my-backoff');
    expect(policy?.base).toBe('exponential-jitter');
    expect(policy?.params).toEqual({ jitter: 'equal', base: '1s', factor: 2, cap: '8s' });
  });

  it('says what is wrong with an entry', () => {
    const problems: string[] = [];
    policyFromEntry({ name: 'mine' }, 'retry', problems);
    policyFromEntry({ name: 'has space', policy: 'fixed' }, 'retry', problems);
    policyFromEntry(42, 'retry', problems);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/retry.policy: missing/);
  });
});

describe('--help text', () => {
  it('lists every policy with its parameters and the SDK versions', () => {
    const help = policiesHelp();
    for (const name of POLICY_NAMES) expect(help).toContain(`  ${name}`);
    expect(help).toContain('openai 6.49.0');
    expect(help).toContain('@azure/core-rest-pipeline 1.24.0');
    expect(help).toContain('jitter=full (full|equal|decorrelated)');
  });
});
