/**
 * CloudFormation's durable state as records: each live stack with its definition (template, parameters), status
 * and the engine's record of its resources, so that a deploy after a restart is an update in place. Events,
 * change sets and deleted stacks are not kept.
 *
 * A resource whose service keeps no state yet (Auto Scaling) is left
 * out of the restored stack: it does not exist after the restart, and the next update of the stack creates it
 * again, under the same name. Lambda functions and mappings are restored by Lambda itself (lambda-state.ts), so
 * the stack keeps them and its next update changes them in place, as it does a queue; one Lambda did not restore
 * (a directory written before Lambda was kept) is left out, to be created again.
 */
import type { CloudFormationChanges, CloudFormationService } from '../cloudformation/service';
import { type ResourceRecord, Stack, type StackDefinition } from '../cloudformation/model';
import type { DeployedResource, StackState } from '../deploy/stack-engine';
import type { RecordSource } from './journal';
import type { StateRecord } from './state-directory';

/** Resource types whose state persists (or that are records only): they stay in a restored stack. */
const PERSISTED_TYPES =
  /^(AWS::(SQS|SNS|S3|SSM|Lambda)::|AWS::CloudWatch::Alarm$|AWS::Logs::|Custom::S3(BucketNotifications|AutoDeleteObjects)$)/;

/** A stack as persisted (key: its id). Maps as arrays of entries. */
interface StackValue {
  name: string;
  creationTime: number;
  status: string;
  statusReason?: string;
  lastUpdatedTime?: number;
  terminationProtection: boolean;
  disableRollback: boolean;
  /** Deployed by `npm start` from its cloud assembly. */
  assembly: boolean;
  definition?: Omit<StackDefinition, 'values'> & { values: [string, unknown][] };
  state?: Omit<StackState, 'parameters' | 'resources' | 'exports' | 'imports'> & {
    parameters: [string, unknown][];
    resources: DeployedResource[];
    exports: [string, string][];
    imports: string[];
  };
  resources: ResourceRecord[];
}

/** Collects the stacks changed between two journal batches. */
export class CloudFormationRecorder implements CloudFormationChanges, RecordSource {
  private changedStacks = new Set<Stack>();

  constructor(
    private readonly cloudformation: CloudFormationService,
    private readonly changed: () => void,
  ) {}

  stackChanged(stack: Stack): void {
    this.changedStacks.add(stack);
    this.changed();
  }

  drain(out: StateRecord[]): void {
    const pending = new Set<Stack>();
    for (const stack of this.changedStacks) {
      // an operation still running is written when it ends: a restart never sees half of one
      if (stack.inProgress) pending.add(stack);
      else out.push(this.recordOf(stack));
    }
    this.changedStacks = pending;
  }

  snapshot(out: StateRecord[]): void {
    for (const stack of this.cloudformation.stackList()) {
      if (!stack.deleted) out.push(this.recordOf(stack));
    }
  }

  private recordOf(stack: Stack): StateRecord {
    const key = [stack.stackId];
    if (stack.deleted) return { svc: 'cloudformation', kind: 'stack', key, value: null };
    const { definition, state } = stack;
    const value: StackValue = {
      name: stack.stackName,
      creationTime: stack.creationTime,
      status: stack.status,
      statusReason: stack.statusReason,
      lastUpdatedTime: stack.lastUpdatedTime,
      terminationProtection: stack.terminationProtection,
      disableRollback: stack.disableRollback,
      assembly: this.cloudformation.isAssemblyStack(stack),
      definition: definition && { ...definition, values: [...definition.values] },
      state: state && {
        template: state.template,
        parameters: [...state.parameters],
        resources: [...state.resources.values()],
        outputs: state.outputs,
        exports: [...state.exports],
        imports: [...state.imports],
      },
      resources: [...stack.resources.values()],
    };
    return { svc: 'cloudformation', kind: 'stack', key, value };
  }
}

/**
 * Replays CloudFormation's records into `cloudformation` (empty, not yet serving). `restored` says whether the
 * service of a persisted type holds the resource (physical id) again; one it does not is left out of the stack.
 */
export function restoreCloudFormation(
  records: readonly StateRecord[],
  cloudformation: CloudFormationService,
  restored: (type: string, physicalId: string) => boolean = () => true,
): void {
  const stacks = new Map<string, StackValue>();
  for (const record of records) {
    if (record.svc !== 'cloudformation') continue;
    if (record.kind !== 'stack') throw new Error(`unknown record kind cloudformation/${record.kind}`);
    const id = String(record.key[0]);
    if (record.value === null) stacks.delete(id);
    else stacks.set(id, record.value as StackValue);
  }
  for (const [id, v] of stacks) {
    // an operation cut short by a crash (in a snapshot) comes back as rolled back: the resources are as before it
    const cut = v.status.endsWith('_IN_PROGRESS') && v.status !== 'REVIEW_IN_PROGRESS';
    const status = !cut ? v.status : v.state ? 'UPDATE_ROLLBACK_COMPLETE' : 'ROLLBACK_COMPLETE';
    const stack = new Stack(id, v.name, v.creationTime, status);
    stack.statusReason = v.statusReason;
    stack.lastUpdatedTime = v.lastUpdatedTime;
    stack.terminationProtection = v.terminationProtection;
    stack.disableRollback = v.disableRollback;
    if (v.definition) stack.definition = { ...v.definition, values: new Map(v.definition.values) };
    const kept = (resource: { type: string; status?: string; ref: string }) =>
      resource.status === 'skipped' ||
      resource.status === 'kept' ||
      resource.status === 'not-emulated' ||
      (PERSISTED_TYPES.test(resource.type) && restored(resource.type, resource.ref));
    if (v.state) {
      const resources = v.state.resources.filter(kept);
      stack.state = {
        template: v.state.template,
        parameters: new Map(v.state.parameters),
        resources: new Map(resources.map((r) => [r.logicalId, r])),
        outputs: v.state.outputs,
        exports: new Map(v.state.exports),
        imports: new Set(v.state.imports),
      };
    }
    const deployed = stack.state?.resources;
    for (const record of v.resources) {
      const resource = deployed?.get(record.logicalId);
      if (resource || (PERSISTED_TYPES.test(record.type) && restored(record.type, record.physicalId))) {
        stack.resources.set(record.logicalId, record);
      }
    }
    cloudformation.adoptStack(stack, v.assembly);
  }
}
