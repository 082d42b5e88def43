/**
 * The checkout's own cache folder (node_modules/.cache/decoupled, git-ignored with node_modules): the Lambda
 * bundles, the shared test assembly. Per checkout, so two clones never share or race on it.
 */
import * as path from 'node:path';

/** Overrides the folder (the cold-start bench measures with an empty one). */
export const CACHE_DIRECTORY_VARIABLE = 'DECOUPLED_CACHE_DIR';

/** The cache folder of the project at `root`, or the one `DECOUPLED_CACHE_DIR` names. */
export function cacheDirectory(root: string): string {
  const override = process.env[CACHE_DIRECTORY_VARIABLE];
  return override ? path.resolve(override) : path.join(root, 'node_modules', '.cache', 'decoupled');
}
