/**
 * CloudWatch on the wire: AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`, what SDK v3 speaks,
 * query-compatible errors) and the query protocol (form POST `Action=<Op>&Version=2010-08-01`, XML replies) that
 * older SDKs and CLIs speak. Both accept gzip bodies: the SDKs compress large PutMetricData requests.
 */
import { gunzipSync } from 'node:zlib';
import type { CloudWatchService } from '../cloudwatch/service';
import { AwsError } from '../errors';
import { header, type ServiceProtocol, type WireRequest, type WireResponse } from './router';
import { element, errorResponseXml, escapeXml, textElement } from './xml';

const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const TARGET_PREFIX = 'GraniteServiceVersion20100801';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

type Shape =
  | 'string'
  | 'integer'
  | 'double'
  | 'boolean'
  | 'timestamp'
  | { readonly list: Shape }
  | { readonly struct: Readonly<Record<string, Shape>> };

const S: Shape = 'string';
const I: Shape = 'integer';
const D: Shape = 'double';
const B: Shape = 'boolean';
const T: Shape = 'timestamp';
const list = (of: Shape): Shape => ({ list: of });
const struct = (members: Record<string, Shape>): Shape => ({ struct: members });

const DIMENSION = struct({ Name: S, Value: S });
const DIMENSIONS = list(DIMENSION);
const METRIC = struct({ Namespace: S, MetricName: S, Dimensions: DIMENSIONS });
const METRIC_DATA_QUERIES = list(
  struct({
    Id: S,
    MetricStat: struct({ Metric: METRIC, Period: I, Stat: S, Unit: S }),
    Expression: S,
    Label: S,
    ReturnData: B,
    Period: I,
    AccountId: S,
  }),
);
const TAGS = list(struct({ Key: S, Value: S }));
const ALARM_NAMES = list(S);

type Input = Record<string, unknown>;
interface Operation {
  readonly members: Readonly<Record<string, Shape>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table passes wire-checked input to typed service methods
  readonly call: (cw: CloudWatchService, input: any) => unknown;
}

const OPERATIONS: Record<string, Operation> = {
  PutMetricData: {
    members: {
      Namespace: S,
      MetricData: list(
        struct({
          MetricName: S,
          Dimensions: DIMENSIONS,
          Timestamp: T,
          Value: D,
          StatisticValues: struct({ SampleCount: D, Sum: D, Minimum: D, Maximum: D }),
          Values: list(D),
          Counts: list(D),
          Unit: S,
          StorageResolution: I,
        }),
      ),
      EntityMetricData: list(struct({})),
      StrictEntityValidation: B,
    },
    call: (cw, i) => cw.putMetricData(i),
  },
  GetMetricStatistics: {
    members: {
      Namespace: S,
      MetricName: S,
      Dimensions: DIMENSIONS,
      StartTime: T,
      EndTime: T,
      Period: I,
      Statistics: list(S),
      ExtendedStatistics: list(S),
      Unit: S,
    },
    call: (cw, i) => cw.getMetricStatistics(i),
  },
  GetMetricData: {
    members: {
      MetricDataQueries: METRIC_DATA_QUERIES,
      StartTime: T,
      EndTime: T,
      NextToken: S,
      ScanBy: S,
      MaxDatapoints: I,
      LabelOptions: struct({ Timezone: S }),
    },
    call: (cw, i) => cw.getMetricData(i),
  },
  ListMetrics: {
    members: {
      Namespace: S,
      MetricName: S,
      Dimensions: DIMENSIONS,
      NextToken: S,
      RecentlyActive: S,
      IncludeLinkedAccounts: B,
      OwningAccount: S,
    },
    call: (cw, i) => cw.listMetrics(i),
  },
  PutMetricAlarm: {
    members: {
      AlarmName: S,
      AlarmDescription: S,
      ActionsEnabled: B,
      OKActions: list(S),
      AlarmActions: list(S),
      InsufficientDataActions: list(S),
      MetricName: S,
      Namespace: S,
      Statistic: S,
      ExtendedStatistic: S,
      Dimensions: DIMENSIONS,
      Period: I,
      Unit: S,
      EvaluationPeriods: I,
      DatapointsToAlarm: I,
      Threshold: D,
      ComparisonOperator: S,
      TreatMissingData: S,
      EvaluateLowSampleCountPercentile: S,
      Metrics: METRIC_DATA_QUERIES,
      Tags: TAGS,
      ThresholdMetricId: S,
    },
    call: (cw, i) => cw.putMetricAlarm(i),
  },
  DescribeAlarms: {
    members: {
      AlarmNames: ALARM_NAMES,
      AlarmNamePrefix: S,
      AlarmTypes: list(S),
      ChildrenOfAlarmName: S,
      ParentsOfAlarmName: S,
      StateValue: S,
      ActionPrefix: S,
      MaxRecords: I,
      NextToken: S,
    },
    call: (cw, i) => cw.describeAlarms(i),
  },
  DescribeAlarmsForMetric: {
    members: {
      MetricName: S,
      Namespace: S,
      Statistic: S,
      ExtendedStatistic: S,
      Dimensions: DIMENSIONS,
      Period: I,
      Unit: S,
    },
    call: (cw, i) => cw.describeAlarmsForMetric(i),
  },
  DeleteAlarms: { members: { AlarmNames: ALARM_NAMES }, call: (cw, i) => cw.deleteAlarms(i) },
  SetAlarmState: {
    members: { AlarmName: S, StateValue: S, StateReason: S, StateReasonData: S },
    call: (cw, i) => cw.setAlarmState(i),
  },
  EnableAlarmActions: { members: { AlarmNames: ALARM_NAMES }, call: (cw, i) => cw.enableAlarmActions(i) },
  DisableAlarmActions: { members: { AlarmNames: ALARM_NAMES }, call: (cw, i) => cw.disableAlarmActions(i) },
  DescribeAlarmHistory: {
    members: {
      AlarmName: S,
      AlarmContributorId: S,
      AlarmTypes: list(S),
      HistoryItemType: S,
      StartDate: T,
      EndDate: T,
      MaxRecords: I,
      NextToken: S,
      ScanBy: S,
    },
    call: (cw, i) => cw.describeAlarmHistory(i),
  },
  TagResource: { members: { ResourceARN: S, Tags: TAGS }, call: (cw, i) => cw.tagResource(i) },
  UntagResource: { members: { ResourceARN: S, TagKeys: list(S) }, call: (cw, i) => cw.untagResource(i) },
  ListTagsForResource: { members: { ResourceARN: S }, call: (cw, i) => cw.listTagsForResource(i) },
};

/** JSON `__type` shape names of the query error codes (AWS's query-compatible mapping). */
const JSON_ERROR_SHAPES: Record<string, string> = {
  InvalidParameterValue: 'com.amazonaws.cloudwatch#InvalidParameterValueException',
  MissingParameter: 'com.amazonaws.cloudwatch#MissingRequiredParameterException',
  InvalidParameterCombination: 'com.amazonaws.cloudwatch#InvalidParameterCombinationException',
  ResourceNotFound: 'com.amazonaws.cloudwatch#ResourceNotFound',
  ResourceNotFoundException: 'com.amazonaws.cloudwatch#ResourceNotFoundException',
  LimitExceeded: 'com.amazonaws.cloudwatch#LimitExceededFault',
  InvalidNextToken: 'com.amazonaws.cloudwatch#InvalidNextToken',
  InvalidFormat: 'com.amazonaws.cloudwatch#InvalidFormatFault',
  InternalServiceError: 'com.amazonaws.cloudwatch#InternalServiceFault',
  ValidationError: 'com.amazon.coral.validate#ValidationException',
};
/** Errors raised by the AWS front end (not CloudWatch itself): no query-compatible code. */
const FRONT_END_ERRORS = new Set(['SerializationException', 'UnknownOperationException']);

export class CloudWatchProtocol implements ServiceProtocol {
  readonly signingName = 'monitoring';
  readonly jsonTargetPrefix = TARGET_PREFIX;
  readonly queryActions: ReadonlySet<string> = new Set(Object.keys(OPERATIONS));

  constructor(private readonly cloudwatch: CloudWatchService) {}

  handle(request: WireRequest): WireResponse {
    return header(request, 'x-amz-target') !== undefined
      ? this.handleJson(request)
      : this.handleQuery(request);
  }

  // ----- JSON 1.0 -----------------------------------------------------------------------------------------

  private handleJson(request: WireRequest): WireResponse {
    try {
      const target = header(request, 'x-amz-target') as string;
      const name = target.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : '';
      const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
      if (!operation) {
        throw new AwsError(
          'UnknownOperationException',
          `Operation ${target} is not supported by this service.`,
        );
      }
      const body = bodyOf(request);
      let parsed: unknown = {};
      if (body.length > 0) {
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
        }
      }
      if (!isObject(parsed)) {
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      }
      const input = fromJson(parsed, operation.members, '');
      const result = operation.call(this.cloudwatch, input);
      return {
        status: 200,
        headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': request.requestId },
        body: result === undefined ? '{}' : JSON.stringify(result, datesAsEpochSeconds),
      };
    } catch (error) {
      const aws = asAwsError(error);
      const headers: Record<string, string> = {
        'content-type': JSON_CONTENT_TYPE,
        'x-amzn-requestid': request.requestId,
      };
      let type: string;
      if (FRONT_END_ERRORS.has(aws.code)) type = `com.amazon.coral.service#${aws.code}`;
      else {
        type = JSON_ERROR_SHAPES[aws.code] ?? `com.amazonaws.cloudwatch#${aws.code}`;
        headers['x-amzn-query-error'] = `${aws.code};${aws.fault}`;
      }
      return {
        status: aws.httpStatus,
        headers,
        body: JSON.stringify({ __type: type, message: aws.message }),
      };
    }
  }

  // ----- query --------------------------------------------------------------------------------------------

  private handleQuery(request: WireRequest): WireResponse {
    try {
      const params = new URLSearchParams(request.method === 'POST' ? bodyOf(request).toString('utf8') : '');
      for (const [k, v] of request.query) if (!params.has(k)) params.set(k, v);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation)
        throw new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      const input = fromQuery(params, operation.members, '');
      const result = operation.call(this.cloudwatch, input) as Record<string, unknown> | undefined;
      const resultXml = result === undefined ? '' : element(`${action}Result`, structXml(result));
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body:
          `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${resultXml}` +
          `<ResponseMetadata><RequestId>${request.requestId}</RequestId></ResponseMetadata></${action}Response>`,
      };
    } catch (error) {
      const aws = asAwsError(error);
      return {
        status: aws.httpStatus,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body: errorResponseXml(XMLNS, aws.fault, aws.code, aws.message, request.requestId),
      };
    }
  }
}

function bodyOf(request: WireRequest): Buffer {
  const encoding = (header(request, 'content-encoding') ?? '').toLowerCase();
  if (!encoding.includes('gzip')) return request.body;
  try {
    return gunzipSync(request.body);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid gzip data.');
  }
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  console.error('emulator: internal error in CloudWatch', error);
  return new AwsError('InternalServiceError', 'Internal service error.', 500, 'Receiver');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ----- JSON input ---------------------------------------------------------------------------------------------

function serializationError(path: string, expected: string): AwsError {
  return new AwsError(
    'SerializationException',
    `Unexpected value at ${path || 'the top level'}: expected ${expected}.`,
  );
}

function fromJson(raw: Input, members: Readonly<Record<string, Shape>>, path: string): Input {
  const out: Input = {};
  for (const [name, shape] of Object.entries(members)) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    out[name] = jsonValue(value, shape, path ? `${path}.${name}` : name);
  }
  return out;
}

function jsonValue(value: unknown, shape: Shape, path: string): unknown {
  if (typeof shape === 'object') {
    if ('list' in shape) {
      if (!Array.isArray(value)) throw serializationError(path, 'a list');
      return value.map((item, i) => jsonValue(item, shape.list, `${path}[${i}]`));
    }
    if (!isObject(value)) throw serializationError(path, 'a structure');
    return fromJson(value, shape.struct, path);
  }
  switch (shape) {
    case 'string':
      if (typeof value !== 'string') throw serializationError(path, 'a string');
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw serializationError(path, 'an integer');
      return value;
    case 'double':
      if (typeof value !== 'number') throw serializationError(path, 'a number');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw serializationError(path, 'a boolean');
      return value;
    case 'timestamp': {
      // AWS JSON: epoch seconds (fractions allowed); ISO 8601 strings are accepted too
      const ms =
        typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
      if (!Number.isFinite(ms)) throw serializationError(path, 'a timestamp');
      return new Date(ms);
    }
  }
}

/** JSON.stringify replacer: timestamps travel as epoch seconds (Date#toJSON would run first). */
function datesAsEpochSeconds(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

// ----- query input --------------------------------------------------------------------------------------------

function fromQuery(params: URLSearchParams, members: Readonly<Record<string, Shape>>, prefix: string): Input {
  const out: Input = {};
  for (const [name, shape] of Object.entries(members)) {
    const value = queryValue(params, shape, `${prefix}${name}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function hasPrefix(params: URLSearchParams, prefix: string): boolean {
  for (const key of params.keys()) if (key === prefix || key.startsWith(`${prefix}.`)) return true;
  return false;
}

function queryValue(params: URLSearchParams, shape: Shape, key: string): unknown {
  if (typeof shape === 'object') {
    if ('list' in shape) {
      // an empty list is sent as the bare key with no value
      if (params.get(key) === '') return [];
      const items: unknown[] = [];
      for (let i = 1; i <= 1000; i++) {
        const itemKey = `${key}.member.${i}`;
        if (!hasPrefix(params, itemKey)) break;
        items.push(queryValue(params, shape.list, itemKey));
      }
      return items.length > 0 ? items : undefined;
    }
    if (!hasPrefix(params, key)) return undefined;
    return fromQuery(params, shape.struct, `${key}.`);
  }
  const text = params.get(key);
  if (text === null) return undefined;
  const invalid = (reason: string) =>
    new AwsError('InvalidParameterValue', `Value ${text} for parameter ${key} is invalid. Reason: ${reason}`);
  switch (shape) {
    case 'string':
      return text;
    case 'integer':
      if (!/^\s*[+-]?\d{1,15}\s*$/.test(text)) throw invalid('Must be an integer.');
      return Number.parseInt(text, 10);
    case 'double': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw invalid('Must be a number.');
      return n;
    }
    case 'boolean':
      return text.toLowerCase() === 'true';
    case 'timestamp': {
      const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
      if (!Number.isFinite(ms)) throw invalid('Must be an ISO 8601 timestamp.');
      return new Date(ms);
    }
  }
}

// ----- XML output ---------------------------------------------------------------------------------------------

function valueXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return textElement(name, value.toISOString());
  if (Array.isArray(value)) return element(name, value.map((item) => valueXml('member', item)).join(''));
  if (isObject(value)) {
    // the only map in these responses: a datapoint's ExtendedStatistics
    if (name === 'ExtendedStatistics') {
      return element(
        name,
        Object.entries(value)
          .map(([k, v]) => element('entry', textElement('key', k) + textElement('value', String(v))))
          .join(''),
      );
    }
    return element(name, structXml(value));
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function structXml(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([k, v]) => valueXml(k, v))
    .join('');
}
