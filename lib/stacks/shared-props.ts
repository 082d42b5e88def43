import * as path from 'node:path';
import type { StageConfig } from '../config';
import type { HandlerFunctionProps } from '../constructs/handler-function';
import type { QueueWithDeadLetterProps } from '../constructs/queue-with-dead-letter';

/** The handler source of a function under lambda/<name>/index.ts. */
export function lambdaEntry(name: string): string {
  return path.join(__dirname, '..', '..', 'lambda', name, 'index.ts');
}

/** What the stage decides for every queue: retention, purge protection, removal. */
export function stageQueueProps(config: StageConfig): QueueWithDeadLetterProps {
  return {
    retentionPeriod: config.queueRetention,
    deadLetterRetentionPeriod: config.deadLetterRetention,
    allowPurge: config.allowQueuePurge,
    removalPolicy: config.removalPolicy,
  };
}

/** What the stage decides for every function: how long its logs live, and whether they outlive it. */
export function stageFunctionProps(
  config: StageConfig,
): Pick<HandlerFunctionProps, 'logRetention' | 'removalPolicy'> {
  return { logRetention: config.logRetention, removalPolicy: config.removalPolicy };
}
