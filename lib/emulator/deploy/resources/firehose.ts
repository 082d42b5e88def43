/**
 * AWS::KinesisFirehose::DeliveryStream: a Firehose delivery stream (DirectPut or from a Kinesis stream) into S3.
 * Its properties are CreateDeliveryStream's input; numbers and booleans a template gives as text are read as such.
 * Any change replaces it (this emulator has no UpdateDestination).
 */
import type { CreateDeliveryStreamInput } from '@aws-sdk/client-firehose';
import { optionalString, type ResourceHandler, type ResourceRequest, ResourcePropertyError } from './types';

/** Members CloudFormation takes beside CreateDeliveryStream's own (none of them delivers anything locally). */
const PASSED_ON = [
  'DeliveryStreamType',
  'DirectPutSourceConfiguration',
  'KinesisStreamSourceConfiguration',
  'DeliveryStreamEncryptionConfigurationInput',
  'S3DestinationConfiguration',
  'ExtendedS3DestinationConfiguration',
  'RedshiftDestinationConfiguration',
  'ElasticsearchDestinationConfiguration',
  'AmazonopensearchserviceDestinationConfiguration',
  'AmazonOpenSearchServerlessDestinationConfiguration',
  'SplunkDestinationConfiguration',
  'HttpEndpointDestinationConfiguration',
  'SnowflakeDestinationConfiguration',
  'IcebergDestinationConfiguration',
  'MSKSourceConfiguration',
  'DatabaseSourceConfiguration',
];

/** Members whose values are numbers or booleans in the API, wherever they nest. */
const NUMBERS = new Set(['SizeInMBs', 'IntervalInSeconds', 'ThroughputHintInMBs', 'DurationInSeconds']);
const BOOLEANS = new Set(['Enabled']);

/** Ref: the delivery stream name; Fn::GetAtt: Arn. */
export const deliveryStreamHandler: ResourceHandler = {
  nameProperty: 'DeliveryStreamName',
  create(request, context) {
    const name = optionalString(request, 'DeliveryStreamName') ?? context.physicalName({ maxLength: 64 });
    const input: Record<string, unknown> = { DeliveryStreamName: name };
    for (const member of PASSED_ON) {
      // passed on as given, so that Firehose refuses by name what it does not deliver
      if (request.properties[member] !== undefined) input[member] = typed(request.properties[member]);
    }
    const tags = tagsOf(request);
    if (tags.length > 0) input.Tags = tags;
    const { DeliveryStreamARN } = context.emulator.firehose.createDeliveryStream(
      input as unknown as CreateDeliveryStreamInput,
    );
    return { ref: name, display: name, attributes: { Arn: DeliveryStreamARN } };
  },
  delete(resource, context) {
    // AWS: a delivery stream already gone is deleted
    if (context.emulator.firehose.deliveryStreamNames().includes(resource.ref)) {
      context.emulator.firehose.deleteDeliveryStream({ DeliveryStreamName: resource.ref });
    }
  },
};

/** The template's value with API numbers and booleans as such (CloudFormation passes `"60"` and `"true"` through). */
function typed(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => typed(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typed(v, k)]));
  }
  if (typeof value === 'string' && NUMBERS.has(key) && /^\d{1,9}$/.test(value)) return Number(value);
  if (typeof value === 'string' && BOOLEANS.has(key) && (value === 'true' || value === 'false')) {
    return value === 'true';
  }
  return value;
}

function tagsOf(request: ResourceRequest): Array<{ Key: string; Value: string }> {
  const tags = request.properties.Tags;
  if (tags === undefined) return [];
  if (!Array.isArray(tags))
    throw new ResourcePropertyError(request, 'Tags must be a list of Key/Value pairs');
  return tags.map((tag: { Key?: unknown; Value?: unknown }) => ({
    Key: String(tag.Key),
    Value: String(tag.Value ?? ''),
  }));
}
