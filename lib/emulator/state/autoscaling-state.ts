/**
 * Auto Scaling's durable state as records: each group whole (sizes, desired capacity, launch template or
 * configuration name, zones, health check, tags, termination policies, metrics collection, notifications, its
 * scaling policies, cooldown and the last desired-capacity changes). Instances are not kept: a restored group
 * launches its desired capacity again, with new instance ids, as AWS replaces instances that are gone.
 *
 * Operations and the scaling engine report every group they touch; a group's record is written only when what it
 * holds changed. Groups a stack deployed are left to the stack: its next update creates them again with the
 * processes their instances run (the journal cannot hold a launcher), as before this was kept.
 */
import type { AutoScalingChanges, AutoScalingService } from '../autoscaling/service';
import type { GroupRecord, PolicyRecord } from '../autoscaling/model';
import type { RecordSource } from './journal';
import type { StateRecord } from './state-directory';

/** The desired-capacity changes a record keeps (the newest): a group scaling for hours writes a bounded record. */
const KEPT_HISTORY = 100;

type KeptGroup = Omit<GroupRecord, 'instances' | 'policies' | 'notifications' | 'launcher' | 'deleting'>;

/** A group as persisted (key: its name). */
interface GroupValue extends KeptGroup {
  policies: PolicyRecord[];
  notifications: [string, string[]][];
}

/** Collects the groups touched between two journal batches; writes those that changed. */
export class AutoScalingRecorder implements AutoScalingChanges, RecordSource {
  private touched = new Set<string>();
  /** Each group's record as last written (JSON), to skip a touch that changed nothing. */
  private readonly lastWritten = new Map<string, string>();

  constructor(
    private readonly autoscaling: AutoScalingService,
    private readonly changed: () => void,
  ) {}

  groupChanged(name: string): void {
    this.touched.add(name);
    this.changed();
  }

  /** Restore: the group as its record holds it. */
  restored(name: string, value: GroupValue): void {
    this.lastWritten.set(name, JSON.stringify(value));
  }

  drain(out: StateRecord[]): void {
    for (const name of this.touched) {
      const value = this.groupValue(name);
      const text = value === null ? null : JSON.stringify(value);
      if (text === (this.lastWritten.get(name) ?? null)) continue;
      if (text === null) this.lastWritten.delete(name);
      else this.lastWritten.set(name, text);
      out.push({ svc: 'autoscaling', kind: 'group', key: [name], value });
    }
    this.touched = new Set();
  }

  snapshot(out: StateRecord[]): void {
    this.lastWritten.clear();
    for (const name of this.autoscaling.groupNames()) {
      const value = this.groupValue(name);
      if (value === null) continue;
      this.lastWritten.set(name, JSON.stringify(value));
      out.push({ svc: 'autoscaling', kind: 'group', key: [name], value });
    }
  }

  private groupValue(name: string): GroupValue | null {
    const group = this.autoscaling.groupRecord(name);
    // a group being deleted is gone once its instances are: it is not restored
    if (!group || group.deleting) return null;
    const { instances: _i, policies, notifications, launcher: _l, deleting: _d, history, ...kept } = group;
    return {
      ...kept,
      history: history.slice(-KEPT_HISTORY),
      policies: [...policies.values()],
      notifications: [...notifications].map(([topic, types]) => [topic, [...types]]),
    };
  }
}

/**
 * Replays Auto Scaling's records into `autoscaling` (empty; CloudWatch's alarms already restored), except the
 * groups a kept stack deployed. Each group launches its desired capacity.
 */
export function restoreAutoScaling(
  records: readonly StateRecord[],
  autoscaling: AutoScalingService,
  recorder: AutoScalingRecorder,
): void {
  const groups = new Map<string, GroupValue>();
  const stacks = new Map<string, StackResources | null>();
  for (const record of records) {
    if (record.svc === 'cloudformation' && record.kind === 'stack') {
      stacks.set(String(record.key[0]), record.value as StackResources | null);
    }
    if (record.svc !== 'autoscaling') continue;
    if (record.kind !== 'group') throw new Error(`unknown record kind autoscaling/${record.kind}`);
    const name = String(record.key[0]);
    if (record.value === null) groups.delete(name);
    else groups.set(name, record.value as GroupValue);
  }
  const ofStacks = new Set<string>();
  for (const stack of stacks.values()) {
    for (const resource of stack?.state?.resources ?? []) {
      if (resource.type === 'AWS::AutoScaling::AutoScalingGroup') ofStacks.add(resource.ref);
    }
  }
  for (const [name, value] of groups) {
    if (ofStacks.has(name)) continue;
    const { policies, notifications, ...kept } = value;
    const group: GroupRecord = {
      ...kept,
      instances: new Map(),
      policies: new Map(policies.map((p) => [p.name, p])),
      notifications: new Map(notifications.map(([topic, types]) => [topic, new Set(types)])),
      deleting: false,
    };
    autoscaling.adoptGroup(group);
    recorder.restored(name, value);
  }
}

/** What restoreAutoScaling reads of a stack's record: its deployed resources. */
interface StackResources {
  readonly state?: { readonly resources: readonly { readonly type: string; readonly ref: string }[] };
}
