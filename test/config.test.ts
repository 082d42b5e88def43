import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { loadStageConfig } from '../lib/config';
import { ValidationError } from '../lib/validation';

describe('loadStageConfig', () => {
  test('defaults to sandbox: data destroyed with the stack, purging allowed, 4-day queues, 14-day DLQs', () => {
    // Act
    const config = loadStageConfig({});

    // Assess
    expect(config.stage).toBe('sandbox');
    expect(config.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(config.autoDeleteObjects).toBe(true);
    expect(config.allowQueuePurge).toBe(true);
    expect(config.queueRetention.toDays()).toBe(4);
    expect(config.deadLetterRetention.toDays()).toBe(14);
  });

  test('dev destroys data like sandbox but keeps logs longer', () => {
    const dev = loadStageConfig({ stage: 'dev' });
    const sandbox = loadStageConfig({ stage: 'sandbox' });

    expect(dev.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(dev.logRetention).toBeGreaterThan(sandbox.logRetention);
  });

  test('prod retains data, never auto-deletes objects and never allows purging', () => {
    const config = loadStageConfig({ stage: 'prod' });

    expect(config.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(config.autoDeleteObjects).toBe(false);
    expect(config.allowQueuePurge).toBe(false);
  });

  test('command-line strings are parsed: -c queueRetentionDays=2 -c allowQueuePurge=false', () => {
    const config = loadStageConfig({ stage: 'dev', queueRetentionDays: '2', allowQueuePurge: 'false' });

    expect(config.queueRetention.toSeconds()).toBe(Duration.days(2).toSeconds());
    expect(config.allowQueuePurge).toBe(false);
  });

  test.each([
    [{ stage: 'qa' }, 'stage must be one of sandbox, dev, prod, but "qa" was provided'],
    [{ queueRetentionDays: '14' }, 'queueRetentionDays must be a whole number from 1 to 13'],
    [{ queueRetentionDays: 'two' }, 'but "two" was provided'],
    [{ allowQueuePurge: 'yes' }, 'allowQueuePurge must be true or false, but "yes" was provided'],
    [{ stage: 'prod', allowQueuePurge: 'true' }, 'allowQueuePurge cannot be true in prod'],
  ])('rejects %j', (context, message) => {
    expect(() => loadStageConfig(context)).toThrow(message);
  });

  test('reports every problem in one error', () => {
    // Act
    let error: unknown;
    try {
      loadStageConfig({ stage: 'staging', queueRetentionDays: '0', allowQueuePurge: 'perhaps' });
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toHaveLength(3);
    expect((error as ValidationError).message).toMatch(/^Stage configuration is invalid \(3 problems\):/);
  });
});
