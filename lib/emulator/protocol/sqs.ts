/**
 * SQS on the wire: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Op>`, what SDK v3 and current CLIs speak) and the
 * older query protocol (form POST `Action=<Op>` to `/` or to a queue URL, XML replies).
 */
import { indexed, isBase64, QueryForm, queryMessageAttribute } from './query-form';
import { isObject } from '../kit/guards';
import { AwsError } from '../errors';
import type { SqsService } from '../sqs/service';
import { header, type ServiceProtocol, type WireRequest, type WireResponse } from './router';
import { element, errorResponseXml, escapeXml, textElement } from './xml';

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

type Member =
  | { type: 'string' | 'integer' | 'boolean' }
  | { type: 'strings'; query: string }
  | { type: 'stringMap'; query: string; key: 'Name' | 'Key' }
  | { type: 'attributes'; query: string }
  | { type: 'entries'; query: string; members: Record<string, Member> };

type Input = Record<string, unknown>;
type Operation = {
  members: Record<string, Member>;
  call: (sqs: SqsService, input: Input, request: WireRequest) => unknown;
};

const S: Member = { type: 'string' };
const I: Member = { type: 'integer' };
const QUEUE = { QueueUrl: S };
const ATTRIBUTES: Member = { type: 'stringMap', query: 'Attribute', key: 'Name' };
const TAGS: Member = { type: 'stringMap', query: 'Tag', key: 'Key' };
const MESSAGE_FIELDS: Record<string, Member> = {
  MessageBody: S,
  DelaySeconds: I,
  MessageAttributes: { type: 'attributes', query: 'MessageAttribute' },
  MessageSystemAttributes: { type: 'attributes', query: 'MessageSystemAttribute' },
  MessageDeduplicationId: S,
  MessageGroupId: S,
};

const op = (
  members: Record<string, Member>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table passes wire-checked input to typed service methods
  call: (sqs: SqsService, input: any, r: WireRequest) => unknown,
) => ({
  members,
  call,
});

const OPERATIONS: Record<string, Operation> = {
  CreateQueue: op({ QueueName: S, Attributes: ATTRIBUTES, tags: TAGS }, (s, i) => s.createQueue(i)),
  DeleteQueue: op(QUEUE, (s, i) => s.deleteQueue(i)),
  GetQueueUrl: op({ QueueName: S, QueueOwnerAWSAccountId: S }, (s, i) => s.getQueueUrl(i)),
  ListQueues: op({ QueueNamePrefix: S, MaxResults: I, NextToken: S }, (s, i) => s.listQueues(i)),
  GetQueueAttributes: op({ ...QUEUE, AttributeNames: { type: 'strings', query: 'AttributeName' } }, (s, i) =>
    s.getQueueAttributes(i),
  ),
  SetQueueAttributes: op({ ...QUEUE, Attributes: ATTRIBUTES }, (s, i) => s.setQueueAttributes(i)),
  PurgeQueue: op(QUEUE, (s, i) => s.purgeQueue(i)),
  TagQueue: op({ ...QUEUE, Tags: TAGS }, (s, i) => s.tagQueue(i)),
  UntagQueue: op({ ...QUEUE, TagKeys: { type: 'strings', query: 'TagKey' } }, (s, i) => s.untagQueue(i)),
  ListQueueTags: op(QUEUE, (s, i) => s.listQueueTags(i)),
  AddPermission: op(
    {
      ...QUEUE,
      Label: S,
      AWSAccountIds: { type: 'strings', query: 'AWSAccountId' },
      Actions: { type: 'strings', query: 'ActionName' },
    },
    (s, i) => s.addPermission(i),
  ),
  RemovePermission: op({ ...QUEUE, Label: S }, (s, i) => s.removePermission(i)),
  ListDeadLetterSourceQueues: op({ ...QUEUE, MaxResults: I, NextToken: S }, (s, i) =>
    s.listDeadLetterSourceQueues(i),
  ),
  SendMessage: op({ ...QUEUE, ...MESSAGE_FIELDS }, (s, i) => s.sendMessage(i)),
  SendMessageBatch: op(
    {
      ...QUEUE,
      Entries: {
        type: 'entries',
        query: 'SendMessageBatchRequestEntry',
        members: { Id: S, ...MESSAGE_FIELDS },
      },
    },
    (s, i) => s.sendMessageBatch(i),
  ),
  ReceiveMessage: op(
    {
      ...QUEUE,
      AttributeNames: { type: 'strings', query: 'AttributeName' },
      MessageSystemAttributeNames: { type: 'strings', query: 'MessageSystemAttributeName' },
      MessageAttributeNames: { type: 'strings', query: 'MessageAttributeName' },
      MaxNumberOfMessages: I,
      VisibilityTimeout: I,
      WaitTimeSeconds: I,
      ReceiveRequestAttemptId: S,
    },
    (s, i, r) => s.receiveMessage(i, { signal: r.signal }),
  ),
  DeleteMessage: op({ ...QUEUE, ReceiptHandle: S }, (s, i) => s.deleteMessage(i)),
  DeleteMessageBatch: op(
    {
      ...QUEUE,
      Entries: {
        type: 'entries',
        query: 'DeleteMessageBatchRequestEntry',
        members: { Id: S, ReceiptHandle: S },
      },
    },
    (s, i) => s.deleteMessageBatch(i),
  ),
  ChangeMessageVisibility: op({ ...QUEUE, ReceiptHandle: S, VisibilityTimeout: I }, (s, i) =>
    s.changeMessageVisibility(i),
  ),
  ChangeMessageVisibilityBatch: op(
    {
      ...QUEUE,
      Entries: {
        type: 'entries',
        query: 'ChangeMessageVisibilityBatchRequestEntry',
        members: { Id: S, ReceiptHandle: S, VisibilityTimeout: I },
      },
    },
    (s, i) => s.changeMessageVisibilityBatch(i),
  ),
  StartMessageMoveTask: op({ SourceArn: S, DestinationArn: S, MaxNumberOfMessagesPerSecond: I }, (s, i) =>
    s.startMessageMoveTask(i),
  ),
  ListMessageMoveTasks: op({ SourceArn: S, MaxResults: I }, (s, i) => s.listMessageMoveTasks(i)),
  CancelMessageMoveTask: op({ TaskHandle: S }, (s, i) => s.cancelMessageMoveTask(i)),
};

/** JSON `__type` shape names whose query error codes differ. */
const JSON_ERROR_SHAPES: Record<string, string> = {
  'AWS.SimpleQueueService.NonExistentQueue': 'QueueDoesNotExist',
  QueueAlreadyExists: 'QueueNameExists',
  InvalidParameterValue: 'InvalidParameterValueException',
  MissingParameter: 'MissingRequiredParameterException',
};
/** Errors raised by the AWS front end (not SQS itself): no query-compatible code. */
const FRONT_END_ERRORS = new Set(['SerializationException', 'UnknownOperationException', 'InternalFailure']);

const QUEUE_PATH = /^\/(\d{12})\/([^/]+)\/?$/;

export class SqsProtocol implements ServiceProtocol {
  readonly signingName = 'sqs';
  readonly jsonTargetPrefix = 'AmazonSQS';
  readonly queryActions: ReadonlySet<string> = new Set(Object.keys(OPERATIONS));

  constructor(private readonly sqs: SqsService) {}

  ownsPath(path: string): boolean {
    return QUEUE_PATH.test(path);
  }

  handle(request: WireRequest): Promise<WireResponse> | WireResponse {
    return header(request, 'x-amz-target') !== undefined
      ? this.handleJson(request)
      : this.handleQuery(request);
  }

  // ----- JSON 1.0 -----------------------------------------------------------------------------------------

  private async handleJson(request: WireRequest): Promise<WireResponse> {
    try {
      const target = header(request, 'x-amz-target') as string;
      const name = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
      const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
      if (!operation) {
        throw new AwsError(
          'UnknownOperationException',
          `Operation ${target} is not supported by this service.`,
        );
      }
      let parsed: unknown = {};
      if (request.body.length > 0) {
        try {
          parsed = JSON.parse(request.body.toString('utf8'));
        } catch {
          throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
        }
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      }
      const input = fromJson(parsed as Input, operation.members, '');
      const result = await operation.call(this.sqs, input, request);
      const body =
        result === undefined
          ? '{}'
          : name === 'ReceiveMessage'
            ? JSON.stringify(result, binaryAsBase64)
            : JSON.stringify(result);
      return {
        status: 200,
        headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': request.requestId },
        body,
      };
    } catch (error) {
      return this.jsonError(error, request.requestId);
    }
  }

  private jsonError(error: unknown, requestId: string): WireResponse {
    const aws = asAwsError(error);
    const headers: Record<string, string> = {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-requestid': requestId,
    };
    let type: string;
    if (FRONT_END_ERRORS.has(aws.code)) {
      type = `com.amazon.coral.service#${aws.code}`;
    } else {
      const shape = JSON_ERROR_SHAPES[aws.code] ?? aws.code.replace(/^AWS\.SimpleQueueService\./, '');
      type = `com.amazonaws.sqs#${shape}`;
      headers['x-amzn-query-error'] = `${aws.code};${aws.fault}`;
    }
    return { status: aws.httpStatus, headers, body: JSON.stringify({ __type: type, message: aws.message }) };
  }

  // ----- query --------------------------------------------------------------------------------------------

  private async handleQuery(request: WireRequest): Promise<WireResponse> {
    try {
      const params = QueryForm.fromRequest(request);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation)
        throw new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      const input = fromQuery(params, operation.members, '');
      if (input.QueueUrl === undefined && 'QueueUrl' in operation.members && QUEUE_PATH.test(request.path)) {
        input.QueueUrl = request.path; // the query protocol may address the queue by the request path
      }
      const result = await operation.call(this.sqs, input, request);
      const resultXml =
        result === undefined
          ? ''
          : element(`${action}Result`, structXml(result as Record<string, unknown>, action));
      const body =
        `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${resultXml}` +
        `<ResponseMetadata><RequestId>${request.requestId}</RequestId></ResponseMetadata></${action}Response>`;
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body,
      };
    } catch (error) {
      const aws = asAwsError(error);
      // AWS: the query protocol still words this error as in its first API version
      const message =
        aws.code === 'AWS.SimpleQueueService.NonExistentQueue'
          ? 'The specified queue does not exist for this wsdl version.'
          : aws.message;
      return {
        status: aws.httpStatus,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body: errorResponseXml(XMLNS, aws.fault, aws.code, message, request.requestId),
      };
    }
  }
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  console.error('emulator: internal error in SQS', error);
  return new AwsError(
    'InternalFailure',
    'The request processing has failed because of an unknown error.',
    500,
    'Receiver',
  );
}

// ----- JSON input ---------------------------------------------------------------------------------------------

function serializationError(path: string, expected: string): AwsError {
  return new AwsError(
    'SerializationException',
    `Unexpected value at ${path || 'the top level'}: expected ${expected}.`,
  );
}

/** Members as a list, computed once per shape: a batch of 350,000 entries must not allocate it 350,000 times. */
const memberLists = new WeakMap<Record<string, Member>, [string, Member][]>();

function fromJson(raw: Input, members: Record<string, Member>, path: string): Input {
  let list = memberLists.get(members);
  if (!list) {
    list = Object.entries(members);
    memberLists.set(members, list);
  }
  const out: Input = {};
  for (const [name, member] of list) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    out[name] = jsonValue(value, member, path ? `${path}.${name}` : name);
  }
  return out;
}

/**
 * AWS: a batch holds at most 10 entries (the service says how many were sent). Entries past this many are only
 * checked to be structures and counted, not converted: a 16 MiB body of `{}` holds 5.6 million of them.
 */
const MAX_CONVERTED_ENTRIES = 1000;

function jsonValue(value: unknown, member: Member, path: string): unknown {
  switch (member.type) {
    case 'string':
      if (typeof value !== 'string') throw serializationError(path, 'a string');
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw serializationError(path, 'an integer');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw serializationError(path, 'a boolean');
      return value;
    case 'strings':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw serializationError(path, 'a list of strings');
      }
      return value;
    case 'stringMap':
      if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
        throw serializationError(path, 'a map of strings');
      }
      return value;
    case 'attributes': {
      if (!isObject(value)) throw serializationError(path, 'a map of message attributes');
      const out: Record<string, unknown> = {};
      for (const [name, attribute] of Object.entries(value)) {
        if (!isObject(attribute)) throw serializationError(`${path}.${name}`, 'a message attribute value');
        const converted: Record<string, unknown> = {};
        for (const key of ['DataType', 'StringValue'] as const) {
          const v = attribute[key];
          if (v === undefined || v === null) continue;
          if (typeof v !== 'string') throw serializationError(`${path}.${name}.${key}`, 'a string');
          converted[key] = v;
        }
        if (attribute.BinaryValue !== undefined && attribute.BinaryValue !== null) {
          converted.BinaryValue = base64Value(attribute.BinaryValue, `${path}.${name}.BinaryValue`);
        }
        if (Array.isArray(attribute.StringListValues))
          converted.StringListValues = attribute.StringListValues;
        if (Array.isArray(attribute.BinaryListValues))
          converted.BinaryListValues = attribute.BinaryListValues;
        out[name] = converted;
      }
      return out;
    }
    case 'entries':
      if (!Array.isArray(value)) throw serializationError(path, 'a list');
      return value.map((entry, i) => {
        if (!isObject(entry)) throw serializationError(`${path}[${i}]`, 'a structure');
        return i < MAX_CONVERTED_ENTRIES ? fromJson(entry, member.members, `${path}[${i}]`) : entry;
      });
  }
}

function base64Value(value: unknown, path: string): Buffer {
  if (typeof value !== 'string' || !isBase64(value) || value.length % 4 === 1) {
    throw serializationError(path, 'base64-encoded binary data');
  }
  return Buffer.from(value, 'base64');
}

/** JSON.stringify replacer: binary attribute values travel as base64 (Buffer#toJSON would run first). */
function binaryAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Uint8Array
    ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
    : value;
}

// ----- query input --------------------------------------------------------------------------------------------

function fromQuery(params: QueryForm, members: Record<string, Member>, prefix: string): Input {
  const out: Input = {};
  for (const [name, member] of Object.entries(members)) {
    const value = queryValue(params, member, prefix, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function queryValue(params: QueryForm, member: Member, prefix: string, name: string): unknown {
  switch (member.type) {
    case 'string':
      return params.get(prefix + name) ?? undefined;
    case 'integer': {
      const text = params.get(prefix + name);
      if (text === null) return undefined;
      if (!isQueryInteger(text)) {
        throw new AwsError(
          'InvalidParameterValue',
          `Value ${text} for parameter ${name} is invalid. Reason: Must be an integer.`,
        );
      }
      return Number.parseInt(text, 10);
    }
    case 'boolean': {
      const text = params.get(prefix + name);
      return text === null ? undefined : text === 'true';
    }
    case 'strings':
      return indexed(`${prefix}${member.query}`, (p) => params.get(p) ?? undefined);
    case 'stringMap': {
      const entries = indexed(`${prefix}${member.query}`, (p) => {
        const key = params.get(`${p}.${member.key}`);
        return key === null ? undefined : ([key, params.get(`${p}.Value`) ?? ''] as const);
      });
      return entries === undefined ? undefined : Object.fromEntries(entries);
    }
    case 'attributes': {
      const entries = indexed(`${prefix}${member.query}`, (p) =>
        queryMessageAttribute(
          params,
          p,
          (name) =>
            new AwsError('InvalidParameterValue', `Value for message attribute ${name} is not valid base64.`),
        ),
      );
      return entries === undefined ? undefined : Object.fromEntries(entries);
    }
    case 'entries': {
      const list = `${prefix}${member.query}`;
      const present = params.listItems(list);
      return indexed(list, (p) => (present.has(p) ? fromQuery(params, member.members, `${p}.`) : undefined));
    }
  }
}

/** An integer of at most 15 digits, optionally signed, with optional surrounding whitespace (checked in one pass). */
function isQueryInteger(text: string): boolean {
  const trimmed = text.trim();
  const start = trimmed.startsWith('+') || trimmed.startsWith('-') ? 1 : 0;
  const digits = trimmed.length - start;
  if (digits < 1 || digits > 15) return false;
  for (let i = start; i < trimmed.length; i++) {
    const c = trimmed.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

// ----- XML output ---------------------------------------------------------------------------------------------

const LIST_MEMBER_NAMES: Record<string, string> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Failed: 'BatchResultErrorEntry',
  Results: 'ListMessageMoveTasksResultEntry',
};

function structXml(value: Record<string, unknown>, action: string): string {
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      const name = key === 'Successful' ? `${action}ResultEntry` : (LIST_MEMBER_NAMES[key] ?? key);
      for (const item of v) {
        out += isObject(item) ? element(name, structXml(item, action)) : textElement(name, String(item));
      }
    } else if (key === 'MessageAttributes') {
      for (const [name, attribute] of Object.entries(v as Record<string, Record<string, unknown>>)) {
        let inner = '';
        if (attribute.StringValue !== undefined)
          inner += textElement('StringValue', attribute.StringValue as string);
        if (attribute.BinaryValue instanceof Uint8Array) {
          inner += textElement('BinaryValue', Buffer.from(attribute.BinaryValue).toString('base64'));
        }
        inner += textElement('DataType', attribute.DataType as string);
        out += element('MessageAttribute', textElement('Name', name) + element('Value', inner));
      }
    } else if (key === 'Attributes' || key === 'Tags') {
      const [name, keyName] = key === 'Tags' ? ['Tag', 'Key'] : ['Attribute', 'Name'];
      for (const [k, text] of Object.entries(v as Record<string, string>)) {
        out += element(name, textElement(keyName, k) + textElement('Value', text));
      }
    } else if (isObject(v)) {
      out += element(key, structXml(v, action));
    } else {
      out += `<${key}>${escapeXml(String(v))}</${key}>`;
    }
  }
  return out;
}
