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

describe('loadStageConfig: the worker fleet', () => {
  test('defaults: step scaling, up to 4 instances (10 in prod), 5 minutes latency at 6 s per job, a new VPC', () => {
    const sandbox = loadStageConfig({}).workerFleet;
    const prod = loadStageConfig({ stage: 'prod' }).workerFleet;

    expect(sandbox).toEqual({
      scaling: 'step',
      maxInstances: 4,
      acceptableLatency: Duration.seconds(300),
      timePerJob: Duration.seconds(6),
    });
    expect(prod.maxInstances).toBe(10);
  });

  test('command-line strings select target tracking, its numbers and an existing VPC', () => {
    const fleet = loadStageConfig({
      workerScaling: 'target-tracking',
      workerMaxInstances: '8',
      workerAcceptableLatencySeconds: '60',
      workerSecondsPerJob: '2',
      workerVpcId: 'vpc-0123456789abcdef0',
      workerSubnetIds: 'subnet-0123456789abcdef0, subnet-0123456789abcdef1',
    }).workerFleet;

    expect(fleet).toEqual({
      scaling: 'target-tracking',
      maxInstances: 8,
      acceptableLatency: Duration.seconds(60),
      timePerJob: Duration.seconds(2),
      vpc: {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      },
    });
  });

  test('reports every worker setting problem at once', () => {
    let error: unknown;
    try {
      loadStageConfig({
        workerScaling: 'simple',
        workerMaxInstances: '0',
        workerAcceptableLatencySeconds: '5',
        workerSecondsPerJob: '10',
        workerSubnetIds: 'subnet-nope',
      });
    } catch (e) {
      error = e;
    }

    expect((error as ValidationError).problems).toEqual([
      'workerScaling must be one of step, target-tracking, but "simple" was provided',
      'workerMaxInstances must be a whole number from 1 to 20, but "0" was provided',
      'workerAcceptableLatencySeconds (5) must be at least workerSecondsPerJob (10): the target backlog per instance is their ratio and cannot be below 1',
      'workerVpcId and workerSubnetIds go together: give the VPC and its private subnets, or neither for a new VPC',
      'workerSubnetIds must be a comma-separated list of subnet ids like subnet-0123456789abcdef0, but "subnet-nope" was provided',
    ]);
  });
});
