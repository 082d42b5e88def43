/** CloudFormation test fixture: the shared emulator (manual clock) plus CloudFormation and SQS clients, and a deploy. */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  type CreateChangeSetCommandInput,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { startTestEmulator, TEST_CREDENTIALS, type TestEmulator } from '../../helpers/emulator';

export interface CloudFormationTestEmulator extends TestEmulator {
  cfn: CloudFormationClient;
  /** Waits for change sets and stack operations to end (the emulator runs them after answering). */
  settled(): Promise<void>;
}

export async function startCloudFormationTestEmulator(): Promise<CloudFormationTestEmulator> {
  const base = await startTestEmulator();
  const cfn = new CloudFormationClient({
    endpoint: base.emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    ...base,
    cfn,
    settled: () => base.emulator.cloudformation.settled(),
    stop: async () => {
      cfn.destroy();
      await base.emulator.cloudformation.settled();
      await base.stop();
    },
  };
}

/** A change set of `template` for `stackName` (CREATE when there is no such stack), settled and described. */
export async function createChangeSet(
  t: CloudFormationTestEmulator,
  stackName: string,
  template: unknown,
  extra: Partial<CreateChangeSetCommandInput> = {},
): Promise<DescribeChangeSetCommandOutput> {
  const exists = await t.cfn
    .send(new DescribeStacksCommand({ StackName: stackName }))
    .then((r) => r.Stacks?.[0]?.StackStatus !== 'REVIEW_IN_PROGRESS')
    .catch(() => false);
  const { Id } = await t.cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: `cs-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
      ChangeSetType: exists ? 'UPDATE' : 'CREATE',
      TemplateBody: typeof template === 'string' ? template : JSON.stringify(template),
      ...extra,
    }),
  );
  await t.settled();
  return t.cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
}

/** Deploys `template` as `cdk deploy` does (create a change set, execute it) and returns the settled stack. */
export async function deploy(
  t: CloudFormationTestEmulator,
  stackName: string,
  template: unknown,
  extra: Partial<CreateChangeSetCommandInput> = {},
): Promise<Stack> {
  const changeSet = await createChangeSet(t, stackName, template, extra);
  if (changeSet.Status !== 'CREATE_COMPLETE') {
    throw new Error(`change set ${changeSet.Status}: ${changeSet.StatusReason}`);
  }
  await t.cfn.send(
    new ExecuteChangeSetCommand({ ChangeSetName: changeSet.ChangeSetId, ClientRequestToken: 'exec-1' }),
  );
  await t.settled();
  return describeStack(t, stackName);
}

export async function describeStack(t: CloudFormationTestEmulator, stackName: string): Promise<Stack> {
  const { Stacks } = await t.cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  return Stacks?.[0] as Stack;
}

/** A stack's outputs as a map. */
export function outputsOf(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}
