/**
 * AWS::Kinesis::Stream: a Kinesis data stream. A new Name replaces it; ShardCount (UpdateShardCount, uniform
 * scaling), StreamModeDetails, RetentionPeriodHours, StreamEncryption and Tags change in place, as CloudFormation
 * updates them without interruption, so the records stay.
 */
import type { KinesisService } from '../../kinesis/service';
import type { Stream } from '../../kinesis/model';
import {
  type ProvisionedResource,
  type ResourceHandler,
  type ResourceRequest,
  ResourcePropertyError,
  tagMap,
} from './types';

const KNOWN = new Set([
  'Name',
  'ShardCount',
  'StreamModeDetails',
  'RetentionPeriodHours',
  'StreamEncryption',
  'Tags',
]);

/** Ref: the stream name; Fn::GetAtt: Arn. */
export const kinesisStreamHandler: ResourceHandler = {
  replacedBy: ['Name'],
  nameProperty: 'Name',
  create(request, context) {
    const kinesis = context.emulator.kinesis;
    const settings = settingsOf(request);
    const name = settings.name ?? context.physicalName({ maxLength: 128 });
    kinesis.createStream({
      StreamName: name,
      ...(settings.mode === 'ON_DEMAND'
        ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } }
        : { ShardCount: settings.shardCount ?? 1 }),
      ...(settings.tags ? { Tags: settings.tags } : {}),
    });
    try {
      applySettings(kinesis, streamNamed(kinesis, name), settings);
    } catch (error) {
      // AWS: a stream that fails to configure is rolled back, not left half made
      kinesis.deleteStream({ StreamName: name });
      throw error;
    }
    return provisioned(kinesis, name);
  },
  update(request, previous, context) {
    const kinesis = context.emulator.kinesis;
    const settings = settingsOf(request);
    const stream = streamNamed(kinesis, previous.ref);
    applySettings(kinesis, stream, settings);
    // tags: removed ones first, then the template's
    const before = tagMap(previous.properties.Tags) ?? {};
    const removed = Object.keys(before).filter((key) => settings.tags?.[key] === undefined);
    if (removed.length > 0) kinesis.removeTagsFromStream({ StreamName: stream.name, TagKeys: removed });
    if (settings.tags) kinesis.addTagsToStream({ StreamName: stream.name, Tags: settings.tags });
    return provisioned(kinesis, stream.name);
  },
  delete(resource, context) {
    const kinesis = context.emulator.kinesis;
    // AWS: deleting a stream that is already gone succeeds for CloudFormation
    if (kinesis.allStreams().some((s) => s.name === resource.ref))
      kinesis.deleteStream({ StreamName: resource.ref, EnforceConsumerDeletion: true });
  },
};

interface StreamSettings {
  readonly name?: string;
  readonly mode: 'PROVISIONED' | 'ON_DEMAND';
  readonly shardCount?: number;
  readonly retentionHours: number;
  readonly encryption?: { readonly keyId: string };
  readonly tags?: Record<string, string>;
}

function settingsOf(request: ResourceRequest): StreamSettings {
  const p = request.properties;
  const unknown = Object.keys(p).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) {
    throw new ResourcePropertyError(request, `${unknown.join(', ')} is not supported by the local emulator`);
  }
  const mode = (p.StreamModeDetails as { StreamMode?: unknown } | undefined)?.StreamMode ?? 'PROVISIONED';
  if (mode !== 'PROVISIONED' && mode !== 'ON_DEMAND')
    throw new ResourcePropertyError(request, `StreamModeDetails.StreamMode must be PROVISIONED or ON_DEMAND`);
  const shardCount = integer(request, 'ShardCount', p.ShardCount);
  if (mode === 'ON_DEMAND' && shardCount !== undefined)
    throw new ResourcePropertyError(request, 'ShardCount must not be set for a stream in ON_DEMAND mode');
  const encryption = p.StreamEncryption as { EncryptionType?: unknown; KeyId?: unknown } | undefined;
  if (
    encryption !== undefined &&
    (encryption.EncryptionType !== 'KMS' || typeof encryption.KeyId !== 'string')
  )
    throw new ResourcePropertyError(request, 'StreamEncryption needs EncryptionType KMS and a KeyId');
  return {
    name: p.Name === undefined ? undefined : String(p.Name),
    mode,
    shardCount,
    // AWS: a stream keeps records 24 hours unless the template says otherwise
    retentionHours: integer(request, 'RetentionPeriodHours', p.RetentionPeriodHours) ?? 24,
    encryption: encryption ? { keyId: encryption.KeyId as string } : undefined,
    tags: tagMap(p.Tags),
  };
}

function integer(request: ResourceRequest, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new ResourcePropertyError(request, `${name} must be an integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Brings an existing stream to the template's mode, shard count, retention and encryption. */
function applySettings(kinesis: KinesisService, stream: Stream, settings: StreamSettings): void {
  const StreamName = stream.name;
  if (settings.mode !== stream.mode)
    kinesis.updateStreamMode({ StreamARN: stream.arn, StreamModeDetails: { StreamMode: settings.mode } });
  if (settings.mode === 'PROVISIONED') {
    const target = settings.shardCount ?? 1;
    if (target !== stream.openShardCount)
      kinesis.updateShardCount({ StreamName, TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' });
  }
  if (settings.retentionHours > stream.retentionHours)
    kinesis.increaseStreamRetentionPeriod({ StreamName, RetentionPeriodHours: settings.retentionHours });
  else if (settings.retentionHours < stream.retentionHours)
    kinesis.decreaseStreamRetentionPeriod({ StreamName, RetentionPeriodHours: settings.retentionHours });
  const current = stream.encryption;
  if (settings.encryption && (current.type !== 'KMS' || current.keyId !== settings.encryption.keyId))
    kinesis.startStreamEncryption({ StreamName, EncryptionType: 'KMS', KeyId: settings.encryption.keyId });
  else if (!settings.encryption && current.type === 'KMS')
    kinesis.stopStreamEncryption({ StreamName, EncryptionType: 'KMS', KeyId: current.keyId });
}

function streamNamed(kinesis: KinesisService, name: string): Stream {
  const stream = kinesis.allStreams().find((s) => s.name === name);
  if (!stream) throw new Error(`stream ${name} does not exist`);
  return stream;
}

function provisioned(kinesis: KinesisService, name: string): ProvisionedResource {
  const stream = streamNamed(kinesis, name);
  return { ref: stream.name, display: stream.arn, attributes: { Arn: stream.arn } };
}
