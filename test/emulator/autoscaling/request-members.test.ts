/**
 * Every member of an Auto Scaling request the SDK sends is honoured or refused by name, never dropped: filtered
 * DescribeAutoScalingGroups, configuration kept and returned, batch termination, and the refusals.
 */
import {
  type AutoScalingGroup,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  type Filter,
  PutScalingPolicyCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { awsCli, installed } from '../../helpers/aws-clients';
import { awsErrorOf } from '../../helpers/emulator';
import {
  type AutoScalingTestEmulator,
  groupInput,
  startAutoScalingTestEmulator,
} from './autoscaling-fixture';

let t: AutoScalingTestEmulator;
beforeEach(async () => {
  t = await startAutoScalingTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

/** Three groups: a (team a, env prod), b (team b, env prod), c (team a, env dev), d (no tags). */
async function createTaggedGroups(): Promise<void> {
  const tagged = (name: string, tags: Record<string, string>) =>
    t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput(
          name,
          { MinSize: 0, MaxSize: 2, DesiredCapacity: 0 },
          { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true })) },
        ),
      ),
    );
  await tagged('grp-a', { team: 'a', env: 'prod' });
  await tagged('grp-b', { team: 'b', env: 'prod' });
  await tagged('grp-c', { team: 'a', env: 'dev' });
  await tagged('grp-d', {});
}

async function namesFor(filters: Filter[], names?: string[]): Promise<string[]> {
  const { AutoScalingGroups } = await t.as.send(
    new DescribeAutoScalingGroupsCommand({ Filters: filters, AutoScalingGroupNames: names }),
  );
  return (AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName as string).sort();
}

async function describeGroup(name: string): Promise<AutoScalingGroup | undefined> {
  const { AutoScalingGroups } = await t.as.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  return AutoScalingGroups?.[0];
}

describe('DescribeAutoScalingGroups Filters', () => {
  test('tag-key, tag-value and tag:<key> each select only the matching groups', async () => {
    // Prepare
    await createTaggedGroups();

    // Act
    const byKey = await namesFor([{ Name: 'tag-key', Values: ['team'] }]);
    const byValue = await namesFor([{ Name: 'tag-value', Values: ['dev'] }]);
    const byPair = await namesFor([{ Name: 'tag:team', Values: ['a'] }]);
    const none = await namesFor([{ Name: 'tag:team', Values: ['A'] }]);

    // Assess
    expect(byKey).toEqual(['grp-a', 'grp-b', 'grp-c']);
    expect(byValue).toEqual(['grp-c']);
    expect(byPair).toEqual(['grp-a', 'grp-c']);
    expect(none).toEqual([]); // AWS: values are case-sensitive
  });

  test("a filter's values are OR'ed, filters and names AND'ed", async () => {
    // Prepare
    await createTaggedGroups();

    // Act
    const either = await namesFor([{ Name: 'tag:team', Values: ['a', 'b'] }]);
    const both = await namesFor([
      { Name: 'tag:team', Values: ['a'] },
      { Name: 'tag:env', Values: ['prod'] },
    ]);
    const withNames = await namesFor([{ Name: 'tag-value', Values: ['prod'] }], ['grp-b', 'grp-c']);

    // Assess
    expect(either).toEqual(['grp-a', 'grp-b', 'grp-c']);
    expect(both).toEqual(['grp-a']);
    expect(withNames).toEqual(['grp-b']);
  });

  test('an unknown filter name is a ValidationError that lists the valid ones', async () => {
    // Prepare
    await createTaggedGroups();

    // Act
    const error = await awsErrorOf(
      t.as.send(
        new DescribeAutoScalingGroupsCommand({
          Filters: [{ Name: 'auto-scaling-group', Values: ['grp-a'] }],
        }),
      ),
    );

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain('auto-scaling-group');
    expect(error.message).toContain('tag-key, tag-value, tag:<key>');
  });

  test('IncludeInstances false leaves the instances out', async () => {
    // Prepare
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput('workers', { MinSize: 1, MaxSize: 2, DesiredCapacity: 1 }),
      ),
    );

    // Act
    const { AutoScalingGroups: without } = await t.as.send(
      new DescribeAutoScalingGroupsCommand({ IncludeInstances: false }),
    );
    const { AutoScalingGroups: withThem } = await t.as.send(new DescribeAutoScalingGroupsCommand({}));

    // Assess
    expect(without?.[0].Instances ?? []).toEqual([]);
    expect(withThem?.[0].Instances).toHaveLength(1);
  });

  (installed('aws') ? test : test.skip)('the AWS CLI filters by tag:team', async () => {
    // Prepare
    await createTaggedGroups();

    // Act
    const listed = (await awsCli(
      'aws',
      t.emulator.endpoint,
      'autoscaling',
      'describe-auto-scaling-groups',
      '--filters',
      'Name=tag:team,Values=a',
    )) as { AutoScalingGroups: { AutoScalingGroupName: string }[] };

    // Assess
    const names = listed.AutoScalingGroups.map((g) => g.AutoScalingGroupName).sort();
    expect(names).toEqual(['grp-a', 'grp-c']);
  });
});

describe('CreateAutoScalingGroup and UpdateAutoScalingGroup members', () => {
  test('configuration members are kept and returned, and updated', async () => {
    // Act
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput(
          'configured',
          { MinSize: 0, MaxSize: 2 },
          {
            DefaultCooldown: 60,
            HealthCheckType: 'ELB',
            NewInstancesProtectedFromScaleIn: true,
            PlacementGroup: 'pg-1',
            Context: 'ctx',
            CapacityRebalance: true,
            DesiredCapacityType: 'units',
            InstanceMaintenancePolicy: { MinHealthyPercentage: 90, MaxHealthyPercentage: 120 },
            AvailabilityZoneDistribution: { CapacityDistributionStrategy: 'balanced-only' },
            AvailabilityZoneImpairmentPolicy: {
              ZonalShiftEnabled: true,
              ImpairedZoneHealthCheckBehavior: 'IgnoreUnhealthy',
            },
            MixedInstancesPolicy: {
              LaunchTemplate: {
                LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' },
                Overrides: [
                  { InstanceType: 't3.micro' },
                  { InstanceType: 't3.small', WeightedCapacity: '2' },
                ],
              },
              InstancesDistribution: {
                OnDemandBaseCapacity: 1,
                SpotAllocationStrategy: 'price-capacity-optimized',
              },
            },
            Tags: [{ Key: 'team', Value: 'a', PropagateAtLaunch: false }],
          },
        ),
      ),
    );
    const created = await describeGroup('configured');
    await t.as.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: 'configured',
        PlacementGroup: 'pg-2',
        DefaultCooldown: 30,
      }),
    );
    const updated = await describeGroup('configured');

    // Assess
    expect(created).toMatchObject({
      DefaultCooldown: 60,
      HealthCheckType: 'ELB',
      NewInstancesProtectedFromScaleIn: true,
      PlacementGroup: 'pg-1',
      Context: 'ctx',
      CapacityRebalance: true,
      DesiredCapacityType: 'units',
      DeletionProtection: 'none',
      InstanceMaintenancePolicy: { MinHealthyPercentage: 90, MaxHealthyPercentage: 120 },
      AvailabilityZoneDistribution: { CapacityDistributionStrategy: 'balanced-only' },
      AvailabilityZoneImpairmentPolicy: {
        ZonalShiftEnabled: true,
        ImpairedZoneHealthCheckBehavior: 'IgnoreUnhealthy',
      },
      MixedInstancesPolicy: {
        LaunchTemplate: {
          Overrides: [{ InstanceType: 't3.micro' }, { InstanceType: 't3.small', WeightedCapacity: '2' }],
        },
        InstancesDistribution: { OnDemandBaseCapacity: 1 },
      },
      Tags: [expect.objectContaining({ Key: 'team', Value: 'a', PropagateAtLaunch: false })],
    });
    expect(updated).toMatchObject({ PlacementGroup: 'pg-2', DefaultCooldown: 30, Context: 'ctx' });
  });

  test('DeletionProtection is honoured by DeleteAutoScalingGroup', async () => {
    // Prepare
    await t.as.send(
      new CreateAutoScalingGroupCommand(
        groupInput('kept', { MinSize: 0, MaxSize: 1 }, { DeletionProtection: 'prevent-all-deletion' }),
      ),
    );

    // Act
    const refused = await awsErrorOf(
      t.as.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'kept' })),
    );
    await t.as.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'kept', DeletionProtection: 'none' }),
    );
    await t.as.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'kept' }));

    // Assess
    expect(refused.name).toBe('ValidationError');
    expect(refused.message).toContain('DeletionProtection');
    expect(await describeGroup('kept')).toBeUndefined();
  });

  test.each([
    [
      'TargetGroupARNs',
      { TargetGroupARNs: ['arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/x/1'] },
    ],
    ['LoadBalancerNames', { LoadBalancerNames: ['classic'] }],
    ['TrafficSources', { TrafficSources: [{ Identifier: 'arn:tg', Type: 'elbv2' }] }],
    [
      'LifecycleHookSpecificationList',
      {
        LifecycleHookSpecificationList: [
          { LifecycleHookName: 'h', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' },
        ],
      },
    ],
    ['AvailabilityZoneIds', { AvailabilityZoneIds: ['use1-az1'] }],
    ['MaxInstanceLifetime', { MaxInstanceLifetime: 86400 }],
    ['DesiredCapacityType', { DesiredCapacityType: 'vcpu' }],
    [
      'CapacityReservationSpecification',
      { CapacityReservationSpecification: { CapacityReservationPreference: 'none' } },
    ],
    [
      'InstanceLifecyclePolicy',
      { InstanceLifecyclePolicy: { RetentionTriggers: { TerminateHookAbandon: 'retain' } } },
    ],
    ['Operator', { Operator: { Principal: 'eks.amazonaws.com' } }],
    [
      'InstanceRequirements',
      {
        MixedInstancesPolicy: {
          LaunchTemplate: {
            LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0123456789abcdef0' },
            Overrides: [{ InstanceRequirements: { VCpuCount: { Min: 1 }, MemoryMiB: { Min: 512 } } }],
          },
        },
      },
    ],
  ])('CreateAutoScalingGroup refuses %s by name and creates nothing', async (member, extra) => {
    // Act
    const error = await awsErrorOf(
      t.as.send(
        new CreateAutoScalingGroupCommand(groupInput('refused', { MinSize: 0, MaxSize: 1 }, extra as never)),
      ),
    );

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain(member);
    expect(error.message).toContain('not supported by the local emulator');
    expect(await describeGroup('refused')).toBeUndefined();
  });

  test('UpdateAutoScalingGroup refuses an unsupported member and leaves the group as it was', async () => {
    // Prepare
    await t.as.send(new CreateAutoScalingGroupCommand(groupInput('same', { MinSize: 0, MaxSize: 1 })));

    // Act
    const error = await awsErrorOf(
      t.as.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: 'same',
          MaxSize: 2,
          MaxInstanceLifetime: 86400,
        }),
      ),
    );

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain('MaxInstanceLifetime');
    expect((await describeGroup('same'))?.MaxSize).toBe(1);
  });
});

describe('TerminateInstanceInAutoScalingGroup with InstanceIds', () => {
  test('terminates every instance named in the group, decrementing the desired capacity', async () => {
    // Prepare
    await t.as.send(
      new CreateAutoScalingGroupCommand(groupInput('batch', { MinSize: 0, MaxSize: 3, DesiredCapacity: 3 })),
    );
    const ids = ((await describeGroup('batch'))?.Instances ?? []).map((i) => i.InstanceId as string);

    // Act
    const { Activities } = await t.as.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        AutoScalingGroupName: 'batch',
        InstanceIds: ids.slice(0, 2),
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    const group = await describeGroup('batch');

    // Assess
    expect(Activities?.map((a) => a.Description)).toEqual(
      ids.slice(0, 2).map((id) => `Terminating EC2 instance: ${id}`),
    );
    expect(group?.DesiredCapacity).toBe(1);
    expect(group?.Instances?.map((i) => i.InstanceId)).toEqual([ids[2]]);
  });

  test('an instance outside the group refuses the whole request', async () => {
    // Prepare
    await t.as.send(
      new CreateAutoScalingGroupCommand(groupInput('one', { MinSize: 0, MaxSize: 2, DesiredCapacity: 1 })),
    );
    await t.as.send(
      new CreateAutoScalingGroupCommand(groupInput('two', { MinSize: 0, MaxSize: 2, DesiredCapacity: 1 })),
    );
    const mine = (await describeGroup('one'))?.Instances?.[0].InstanceId as string;
    const theirs = (await describeGroup('two'))?.Instances?.[0].InstanceId as string;

    // Act
    const error = await awsErrorOf(
      t.as.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          AutoScalingGroupName: 'one',
          InstanceIds: [mine, theirs],
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
    );

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain(theirs);
    expect((await describeGroup('one'))?.Instances?.map((i) => i.InstanceId)).toEqual([mine]);
  });
});

describe('policies and activities', () => {
  test('PutScalingPolicy refuses PredictiveScalingConfiguration by name', async () => {
    // Prepare
    await t.as.send(new CreateAutoScalingGroupCommand(groupInput('p', { MinSize: 0, MaxSize: 1 })));

    // Act
    const error = await awsErrorOf(
      t.as.send(
        new PutScalingPolicyCommand({
          AutoScalingGroupName: 'p',
          PolicyName: 'forecast',
          PolicyType: 'PredictiveScaling',
          PredictiveScalingConfiguration: {
            MetricSpecifications: [
              {
                TargetValue: 50,
                PredefinedMetricPairSpecification: { PredefinedMetricType: 'ASGCPUUtilization' },
              },
            ],
          },
        }),
      ),
    );
    const { ScalingPolicies } = await t.as.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'p' }));

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain('PredictiveScalingConfiguration is not supported by the local emulator');
    expect(ScalingPolicies).toEqual([]);
  });

  test("IncludeDeletedGroups returns a deleted group's activities; Filters is refused by name", async () => {
    // Prepare
    await t.as.send(
      new CreateAutoScalingGroupCommand(groupInput('gone', { MinSize: 0, MaxSize: 1, DesiredCapacity: 1 })),
    );
    await t.as.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'gone', ForceDelete: true }));

    // Act
    const without = await t.as.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'gone' }));
    const withDeleted = await t.as.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'gone', IncludeDeletedGroups: true }),
    );
    const filtered = await awsErrorOf(
      t.as.send(
        new DescribeScalingActivitiesCommand({ Filters: [{ Name: 'StatusCode', Values: ['Failed'] }] }),
      ),
    );

    // Assess
    expect(without.Activities).toEqual([]);
    expect(withDeleted.Activities?.map((a) => a.Description)).toEqual([
      expect.stringMatching(/^Terminating EC2 instance: i-/),
      expect.stringMatching(/^Launching a new EC2 instance: i-/),
    ]);
    expect(filtered.name).toBe('ValidationError');
    expect(filtered.message).toContain('Filters is not supported by the local emulator');
  });
});
