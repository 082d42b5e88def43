/** SSM Parameter Store's durable state as records: each parameter whole (its versions, labels and tags). */
import type { ParameterRecord, ParameterVersion } from '../ssm/model';
import type { SsmChanges, SsmService } from '../ssm/service';
import type { RecordSource } from './journal';
import type { StateRecord } from './state-directory';

/** A parameter as persisted (key: its name). At most 100 versions: written whole on each change. */
interface ParameterValue {
  versions: ParameterVersion[];
  tags: Record<string, string>;
}

/** Collects the names of parameters changed between two journal batches. */
export class SsmRecorder implements SsmChanges, RecordSource {
  private changedNames = new Set<string>();

  constructor(
    private readonly ssm: SsmService,
    private readonly changed: () => void,
  ) {}

  parameterChanged(name: string): void {
    this.changedNames.add(name);
    this.changed();
  }

  drain(out: StateRecord[]): void {
    for (const name of this.changedNames) {
      const record = this.ssm.parameterRecord(name);
      out.push({ svc: 'ssm', kind: 'parameter', key: [name], value: record ? valueOf(record) : null });
    }
    this.changedNames = new Set();
  }

  snapshot(out: StateRecord[]): void {
    for (const record of this.ssm.parameterRecords()) {
      out.push({ svc: 'ssm', kind: 'parameter', key: [record.name], value: valueOf(record) });
    }
  }
}

/** Replays SSM's records into `ssm` (empty, not yet serving). */
export function restoreSsm(records: readonly StateRecord[], ssm: SsmService): void {
  const parameters = new Map<string, ParameterValue>();
  for (const record of records) {
    if (record.svc !== 'ssm') continue;
    if (record.kind !== 'parameter') throw new Error(`unknown record kind ssm/${record.kind}`);
    const name = String(record.key[0]);
    if (record.value === null) parameters.delete(name);
    else parameters.set(name, record.value as ParameterValue);
  }
  for (const [name, value] of parameters) {
    if (!Array.isArray(value.versions) || value.versions.length === 0) {
      throw new Error(`parameter ${name} has no versions`);
    }
    ssm.adoptParameter({ name, versions: value.versions, tags: new Map(Object.entries(value.tags ?? {})) });
  }
}

function valueOf(record: ParameterRecord): ParameterValue {
  // copies: labels move between versions after this record is taken
  return {
    versions: record.versions.map((version) => ({ ...version, labels: [...version.labels] })),
    tags: Object.fromEntries(record.tags),
  };
}
