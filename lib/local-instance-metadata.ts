/**
 * The contract between QueueWorkerFleet, which writes it on its Auto Scaling group, and local mode's emulator,
 * which reads it to run each instance as a local process. Both sides import it from here: this module imports
 * nothing, so the emulator stays free of aws-cdk-lib.
 */

/** Metadata key on the group: what local mode runs for each instance (the asset, its command, its environment). */
export const LOCAL_INSTANCE_METADATA = 'decoupled:local-instance';

/** The value under {@link LOCAL_INSTANCE_METADATA}. */
export interface LocalInstanceMetadata {
  /** Object key of the worker's zipped asset in the CDK asset bucket. */
  readonly assetObjectKey: string;
  /** Arguments to `node`, run in the unzipped asset's directory. */
  readonly command: readonly string[];
  /** The worker process's environment. */
  readonly environment: Readonly<Record<string, string>>;
}
