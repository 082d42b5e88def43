/**
 * CloudWatch on the wire: AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`, what SDK v3 speaks,
 * query-compatible errors) and the query protocol (form POST `Action=<Op>&Version=2010-08-01`, XML replies) that
 * older SDKs and CLIs speak. Both accept gzip bodies: the SDKs compress large PutMetricData requests.
 *
 * Hostile bodies get a 4xx in linear time: a gzip body inflates to at most MAX_REQUEST_BYTES (413 beyond), JSON is
 * refused past MAX_JSON_DEPTH levels of nesting before it is parsed, and query parameters are decoded and indexed
 * once, so looking one up never scans them all.
 */
import { unescape } from 'node:querystring';
import { gunzipSync } from 'node:zlib';
import type { CloudWatchService } from '../cloudwatch/service';
import { textNestsDeeperThan } from '../kit/json-nesting';
import { isObject } from '../kit/guards';
import { AwsError } from '../errors';
import { MAX_REQUEST_BYTES } from './http-server';
import { header, type ServiceProtocol, type WireRequest, type WireResponse } from './router';
import { element, errorResponseXml, escapeXml, textElement } from './xml';

const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
/** Deeper than any CloudWatch input (7 levels); refused before JSON.parse, which takes seconds on megabytes of `[`. */
const MAX_JSON_DEPTH = 64;
/** Keys deeper than any CloudWatch query parameter (MetricDataQueries.member.1.MetricStat.Metric.Dimensions…). */
const MAX_QUERY_KEY_SEGMENTS = 12;
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
      EvaluationWindow: struct({ WallClockWindow: struct({ Timezone: S }), SlidingWindow: struct({}) }),
      WarmUpConfiguration: struct({
        WarmUpPeriodDurationInMinutes: I,
        OnlyStartEvaluatingAfterWarmUpPeriodEnds: B,
      }),
      EvaluationCriteria: struct({
        PromQLCriteria: struct({ Query: S, PendingPeriod: I, RecoveryPeriod: I }),
      }),
      EvaluationInterval: I,
      ActionConfiguration: struct({
        AlarmTagsPropagation: struct({ Enabled: B, IncludedTagKeys: list(S), ExcludedTagKeys: list(S) }),
      }),
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

/** The top-level input members the wire reads for an operation (undefined for one it does not serve). */
export function cloudWatchInputMembers(operation: string): string[] | undefined {
  return Object.hasOwn(OPERATIONS, operation) ? Object.keys(OPERATIONS[operation].members) : undefined;
}

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

  /** AWS: `413 RequestEntityTooLarge: Request size 47947 exceeded 40960 bytes`, in the request's own protocol. */
  tooLarge(request: WireRequest, limit: number): WireResponse {
    const length = Number(header(request, 'content-length'));
    const error = requestTooLarge(limit, Number.isFinite(length) ? length : undefined);
    return header(request, 'x-amz-target') !== undefined
      ? jsonError(request, error)
      : queryError(request, error);
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
        if (textNestsDeeperThan(body, MAX_JSON_DEPTH)) {
          throw new AwsError(
            'SerializationException',
            `The request nests JSON more than ${MAX_JSON_DEPTH} levels deep.`,
          );
        }
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
        body: result === undefined ? '{}' : JSON.stringify(withEpochSeconds(result)),
      };
    } catch (error) {
      return jsonError(request, asAwsError(error));
    }
  }

  // ----- query --------------------------------------------------------------------------------------------

  private handleQuery(request: WireRequest): WireResponse {
    try {
      const params = new QueryParams();
      if (request.method === 'POST') params.addForm(bodyOf(request).toString('utf8'));
      params.addAll(request.query);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation)
        throw new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      const input = fromQuery(params, operation.members, '');
      const result = operation.call(this.cloudwatch, input) as Record<string, unknown> | undefined;
      // AWS sends the result element even when there is nothing in it: botocore looks for it (tag-resource)
      const resultXml = element(`${action}Result`, result === undefined ? '' : structXml(result));
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body:
          `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${resultXml}` +
          `<ResponseMetadata><RequestId>${request.requestId}</RequestId></ResponseMetadata></${action}Response>`,
      };
    } catch (error) {
      return queryError(request, asAwsError(error));
    }
  }
}

function jsonError(request: WireRequest, aws: AwsError): WireResponse {
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

function queryError(request: WireRequest, aws: AwsError): WireResponse {
  return {
    status: aws.httpStatus,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
    body: errorResponseXml(XMLNS, aws.fault, aws.code, aws.message, request.requestId),
  };
}

function requestTooLarge(limit: number, size?: number): AwsError {
  return new AwsError(
    'RequestEntityTooLarge',
    size === undefined
      ? `Request size exceeded ${limit} bytes`
      : `Request size ${size} exceeded ${limit} bytes`,
    413,
  );
}

function bodyOf(request: WireRequest): Buffer {
  const encoding = (header(request, 'content-encoding') ?? '').toLowerCase();
  if (!encoding.includes('gzip')) return request.body;
  try {
    // a megabyte of gzip can inflate to gigabytes: stop at the size the server accepts uncompressed
    return gunzipSync(request.body, { maxOutputLength: MAX_REQUEST_BYTES });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw requestTooLarge(MAX_REQUEST_BYTES);
    throw new AwsError('SerializationException', 'The request body is not valid gzip data.');
  }
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  console.error('emulator: internal error in CloudWatch', error);
  return new AwsError('InternalServiceError', 'Internal service error.', 500, 'Receiver');
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

/**
 * A copy of a result with its timestamps as epoch seconds, as AWS JSON sends them. Not a JSON.stringify replacer:
 * calling one for each of GetMetricData's 100,800 timestamps and values takes half a second. Results are the
 * service's own objects, a few levels deep.
 */
function withEpochSeconds(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = withEpochSeconds(value[i]);
    return out;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = withEpochSeconds(value[key]);
    return out;
  }
  return value;
}

// ----- query input --------------------------------------------------------------------------------------------

/**
 * The request's query parameters (body first, then the URL), indexed once: `get` is a map lookup and `hasPrefix` a
 * set lookup, where URLSearchParams would scan every parameter for each of the thousands of lookups a request with
 * long lists makes.
 */
class QueryParams {
  private readonly values = new Map<string, string>();
  private readonly prefixes = new Set<string>();

  /**
   * Adds an application/x-www-form-urlencoded body. Decoded here rather than by URLSearchParams, which builds a
   * megabyte of `+` up one character at a time (seconds of garbage collection); lenient as it is about bad `%`.
   */
  addForm(text: string): void {
    for (let start = 0; start < text.length;) {
      let end = text.indexOf('&', start);
      if (end < 0) end = text.length;
      const eq = text.indexOf('=', start);
      if (end > start) {
        if (eq >= 0 && eq < end)
          this.add(formDecode(text.slice(start, eq)), formDecode(text.slice(eq + 1, end)));
        else this.add(formDecode(text.slice(start, end)), '');
      }
      start = end + 1;
    }
  }

  addAll(source: URLSearchParams): void {
    for (const [key, value] of source) this.add(key, value);
  }

  /** The first value of a key wins, as URLSearchParams#get has it. */
  private add(key: string, value: string): void {
    if (this.values.has(key)) return;
    this.values.set(key, value);
    // every dotted prefix of the key, up to the depth any CloudWatch parameter has
    let dot = key.indexOf('.');
    for (let n = 1; dot >= 0 && n < MAX_QUERY_KEY_SEGMENTS; n++) {
      this.prefixes.add(key.slice(0, dot));
      dot = key.indexOf('.', dot + 1);
    }
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  /** Whether a parameter is named `prefix` or starts with `prefix.`. */
  hasPrefix(prefix: string): boolean {
    return this.values.has(prefix) || this.prefixes.has(prefix);
  }
}

function formDecode(text: string): string {
  if (!text.includes('+') && !text.includes('%')) return text;
  // split/join: replaceAll takes a tenth of a second on a megabyte of `+`. querystring.unescape: decodeURIComponent,
  // or byte by byte when a % sequence is malformed
  return unescape(text.includes('+') ? text.split('+').join(' ') : text);
}

function fromQuery(params: QueryParams, members: Readonly<Record<string, Shape>>, prefix: string): Input {
  const out: Input = {};
  for (const [name, shape] of Object.entries(members)) {
    const value = queryValue(params, shape, `${prefix}${name}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function queryValue(params: QueryParams, shape: Shape, key: string): unknown {
  if (typeof shape === 'object') {
    if ('list' in shape) {
      // an empty list is sent as the bare key with no value
      if (params.get(key) === '') return [];
      const items: unknown[] = [];
      for (let i = 1; i <= 1000; i++) {
        const itemKey = `${key}.member.${i}`;
        if (!params.hasPrefix(itemKey)) break;
        items.push(queryValue(params, shape.list, itemKey));
      }
      return items.length > 0 ? items : undefined;
    }
    if (!params.hasPrefix(key)) return undefined;
    return fromQuery(params, shape.struct, `${key}.`);
  }
  const text = params.get(key);
  if (text === undefined) return undefined;
  const invalid = (reason: string) =>
    new AwsError('InvalidParameterValue', `Value ${text} for parameter ${key} is invalid. Reason: ${reason}`);
  switch (shape) {
    case 'string':
      return text;
    case 'integer':
      // linear: anchored, and the spaces, sign and digits cannot be confused with each other
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
