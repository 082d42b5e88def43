/** Auto Scaling test fixture: the CloudWatch fixture (manual clock, whole-minute start) plus an Auto Scaling client. */
import { AutoScalingClient, type CreateAutoScalingGroupType } from '@aws-sdk/client-auto-scaling';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { type CloudWatchTestEmulator, startCloudWatchTestEmulator } from '../cloudwatch/cloudwatch-fixture';

export interface AutoScalingTestEmulator extends CloudWatchTestEmulator {
  as: AutoScalingClient;
}

export function autoScalingClientFor(endpoint: string): AutoScalingClient {
  return new AutoScalingClient({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
}

export async function startAutoScalingTestEmulator(): Promise<AutoScalingTestEmulator> {
  const base = await startCloudWatchTestEmulator();
  const as = autoScalingClientFor(base.emulator.endpoint);
  return {
    ...base,
    as,
    stop: async () => {
      as.destroy();
      await base.stop();
    },
  };
}

/** A group as CDK's template describes one: a launch template and two private subnets. */
export function groupInput(
  name: string,
  sizes: Pick<CreateAutoScalingGroupType, 'MinSize' | 'MaxSize' | 'DesiredCapacity'>,
  extra: Partial<CreateAutoScalingGroupType> = {},
): CreateAutoScalingGroupType {
  return {
    AutoScalingGroupName: name,
    LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '1' },
    VPCZoneIdentifier: 'subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f',
    ...sizes,
    ...extra,
  } as CreateAutoScalingGroupType;
}
