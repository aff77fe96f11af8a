import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePolicy } from '../../../src/replay/policies/resolve.js';
import { REPLAY_POLICY_NAMES, replayPolicy } from '../../../src/replay/policies/registry.js';
import { DEFAULT_REPLAY_POLICY } from '../../../src/replay/defaults.js';

describe('resolvePolicy: the one rule from a name and the given options to a policy', () => {
  it('no name and no temperature: the default policy, stratified', () => {
    expect(DEFAULT_REPLAY_POLICY).toBe('stratified');
    const r = resolvePolicy();
    expect(r.policy.name).toBe('stratified');
    expect(r.ignored).toEqual([]);
    expect(r.autoSupport).toBe(4);
    expect(r.factorRank).toBe(5);
  });

  it('a temperature alone means the paper softmax; "auto" the auto policy', () => {
    expect(resolvePolicy(undefined, { temperature: 0.3 }).policy.name).toBe('softmax');
    expect(resolvePolicy(undefined, { temperature: 0.3 }).temperature).toBe(0.3);
    expect(resolvePolicy(undefined, { temperature: 'auto' }).policy.name).toBe('auto');
    expect(resolvePolicy('softmax', { temperature: 'auto' }).policy.name).toBe('auto');
    expect(resolvePolicy('optimistic', { temperature: 'auto' }).policy.name).toBe('optimistic');
  });

  it('refuses a temperature the policy does not read, naming the flag the caller used', () => {
    expect(() => resolvePolicy('topk', { temperature: 0.1 })).toThrow(
      /temperature 0.1 applies to the softmax and oracle policies, not to "topk"/,
    );
    expect(() => resolvePolicy('coverage', { temperature: 0.5, labels: { temperature: '--temperature' } })).toThrow(
      /^--temperature 0.5 applies/,
    );
    expect(() => resolvePolicy('topk', { temperature: 'auto' })).toThrow(
      /auto applies to the auto and optimistic policies/,
    );
    expect(resolvePolicy('oracle', { temperature: 0.2 }).temperature).toBe(0.2);
  });

  it('lists the other given options a policy ignores', () => {
    const r = resolvePolicy('softmax', {
      autoSupport: 3,
      factorRank: 2,
      side: true,
      labels: { autoSupport: '--auto-support' },
    });
    expect(r.ignored).toHaveLength(3);
    expect(r.ignored[0]).toBe('--auto-support is ignored by the "softmax" policy (it reads: temperature)');
    expect(r.ignored[1]).toMatch(/^factorRank is ignored/);
    expect(r.ignored[2]).toMatch(/^side is ignored/);
    expect(resolvePolicy('topk', { autoSupport: 3 }).ignored).toEqual([]);
    expect(resolvePolicy('coverage', { factorRank: 3 }).factorRank).toBe(3);
    expect(resolvePolicy('surprise', { side: true }).ignored).toEqual([]);
    expect(resolvePolicy('uniform', { autoSupport: 2 }).ignored[0]).toMatch(/it reads no option/);
  });

  it('every built-in policy declares the options it reads; the rule of its temperature follows', () => {
    for (const name of REPLAY_POLICY_NAMES) expect(replayPolicy(name).reads).toBeDefined();
    const auto = REPLAY_POLICY_NAMES.filter((n) => resolvePolicy(n).temperatureRule === 'auto');
    expect(auto.sort()).toEqual(['auto', 'optimistic']);
    expect(replayPolicy('surprise').sideDefault).toBe('base-nll');
    expect(replayPolicy('gradient').sideDefault).toBeUndefined();
  });

  it('a policy object without traits is used as given, unchecked', () => {
    const custom = { name: 'mine', description: 'test', needs: [] as const, weigh: replayPolicy('uniform').weigh };
    const r = resolvePolicy(custom, { temperature: 0.4 });
    expect(r.policy).toBe(custom);
    expect(r.temperature).toBe(0.4);
  });
});

describe('one home for policy rules', () => {
  /** Every .ts file under `dir`. */
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
    });
  }

  it('no code outside src/replay/policies decides by comparing a policy name', () => {
    // 'auto' and 'uniform' are also ordinary option values elsewhere (backends, readers); the others are policy names only.
    const names = REPLAY_POLICY_NAMES.filter((n) => n !== 'auto' && n !== 'uniform').join('|');
    const compare = new RegExp(`[!=]==?\\s*'(${names})'|'(${names})'\\s*[!=]==?`);
    const offenders: string[] = [];
    for (const file of sources('src')) {
      if (file.includes(join('src', 'replay', 'policies'))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (compare.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
