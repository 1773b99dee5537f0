/** `npm run docs:matrix`: rewrite the allow matrix in docs/SECURITY.md from shared/http/routes.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withMatrix } from '../http/matrix.js';

const file = join(fileURLToPath(new URL('../..', import.meta.url)), 'docs/SECURITY.md');
const before = readFileSync(file, 'utf8');
const after = withMatrix(before);
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'docs/SECURITY.md: matrix unchanged' : 'docs/SECURITY.md: matrix rewritten');
