import * as path from 'node:path';

/** The handler source of a function under lambda/<name>/index.ts. */
export function lambdaEntry(name: string): string {
  return path.join(__dirname, '..', '..', 'lambda', name, 'index.ts');
}
