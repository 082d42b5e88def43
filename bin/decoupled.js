#!/usr/bin/env node
// `npx decoupled`: runs the TypeScript command line through tsx in this process, not through a second npx.
require('tsx/cjs');
require('./decoupled.ts');
