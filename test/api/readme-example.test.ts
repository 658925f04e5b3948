/**
 * The README's library example, run as it is written: the code block after the
 * `library-example` marker is copied next to this file with `'aoai-probe'` pointing at
 * src/index.ts, and imported here, so its `it(...)` blocks run in this file's suite. The
 * README and the library cannot drift apart.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, expect } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const marker = readme.indexOf('<!-- library-example');
expect(marker, 'README.md has the library-example marker').toBeGreaterThan(-1);
const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
expect(block, 'a ```ts block follows the marker').not.toBeNull();
const code = block![1]!;
expect(code).toContain("from 'aoai-probe'");

// Beside this file, so vitest transforms it like any test source; removed afterwards.
const copy = join(import.meta.dirname, `readme-example.${process.pid}.generated.ts`);
writeFileSync(copy, code.replace("from 'aoai-probe'", `from ${JSON.stringify(join(root, 'src', 'index.ts'))}`));
afterAll(() => rmSync(copy, { force: true }));
await import(copy);
