/** `npm run docs:operations`: rewrites docs/emulator.md's table of emulated operations from the code. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogMarkdown, withCatalog } from '../lib/emulator/protocol/operation-catalog';

const file = join(__dirname, '..', 'docs', 'emulator.md');
writeFileSync(file, withCatalog(readFileSync(file, 'utf8'), catalogMarkdown()));
console.log(`wrote the operations of every service into ${file}`);
