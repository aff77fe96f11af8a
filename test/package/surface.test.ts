/**
 * The public surface: the runtime names of `forgetscope` (src/index.ts) and the names `forgetscope/node`
 * (src/node.ts) adds, compared with the checked-in list in surface.txt, so that no name appears or
 * disappears by accident. To change the surface on purpose, edit src/index.ts or src/node.ts and the
 * matching line of surface.txt (one name a line, sorted, under its entry point's heading).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '../../src/index.js';
import * as node from '../../src/node.js';

const LIST = join('test', 'package', 'surface.txt');

/** The names under each `# <entry point>` heading of surface.txt. */
function checkedIn(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of readFileSync(LIST, 'utf8').split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    if (text.startsWith('# ')) {
      current = [];
      sections.set(text.slice(2), current);
    } else if (current) {
      current.push(text);
    } else {
      throw new Error(`${LIST}: "${text}" stands before the first "# <entry point>" heading`);
    }
  }
  return sections;
}

const coreNames = Object.keys(core).sort();
const nodeAdds = Object.keys(node)
  .filter((name) => !(name in core))
  .sort();

test.each([
  ['forgetscope', coreNames],
  ['forgetscope/node (adds to forgetscope)', nodeAdds],
])('the runtime names of %s are the checked-in list', (entry, actual) => {
  const listed = checkedIn().get(entry);
  expect(listed).toBeDefined();
  const want = new Set(listed);
  const got = new Set(actual);
  const added = actual.filter((name) => !want.has(name));
  const removed = listed!.filter((name) => !got.has(name));
  // Both empty when the surface is as listed; otherwise the message names what changed.
  expect({ added, removed }).toEqual({ added: [], removed: [] });
  expect(listed).toEqual([...listed!].sort());
});

test('forgetscope/node re-exports every forgetscope name unchanged', () => {
  for (const name of coreNames)
    expect((node as Record<string, unknown>)[name]).toBe((core as Record<string, unknown>)[name]);
});
