/**
 * SNS on the wire: the AWS query protocol (form POST `Action=<Op>`, XML replies) as @aws-sdk/client-sns speaks it,
 * plus GET for the SubscribeURL and UnsubscribeURL links in notifications. Also the HTTP/S client that delivers
 * notifications to subscribed endpoints.
 */
import { indexed, QueryForm, queryMessageAttribute } from './query-form';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AwsError } from '../errors';
import type { SnsService } from '../sns/service';
import { type ServiceProtocol, type WireRequest, type WireResponse } from './router';
import { element, escapeXml, textElement } from './xml';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
/** AWS: SNS waits 15 seconds for an HTTP/S endpoint to answer. */
const HTTP_DELIVERY_TIMEOUT_MS = 15_000;

type Member =
  | { type: 'string' | 'boolean' }
  | { type: 'attributeMap' }
  | { type: 'tags' }
  | { type: 'strings' }
  | { type: 'messageAttributes' }
  | { type: 'entries'; members: Record<string, Member> };

type Input = Record<string, unknown>;

const S: Member = { type: 'string' };
const MESSAGE_FIELDS: Record<string, Member> = {
  Message: S,
  Subject: S,
  MessageStructure: S,
  MessageAttributes: { type: 'messageAttributes' },
  MessageDeduplicationId: S,
  MessageGroupId: S,
};

interface Operation {
  members: Record<string, Member>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table passes wire-checked input to typed service methods
  call: (sns: SnsService, input: any) => unknown;
}

const OPERATIONS: Record<string, Operation> = {
  CreateTopic: {
    members: {
      Name: S,
      Attributes: { type: 'attributeMap' },
      Tags: { type: 'tags' },
      DataProtectionPolicy: S,
    },
    call: (s, i) => s.createTopic(i),
  },
  DeleteTopic: { members: { TopicArn: S }, call: (s, i) => s.deleteTopic(i) },
  ListTopics: { members: { NextToken: S }, call: (s, i) => s.listTopics(i) },
  GetTopicAttributes: { members: { TopicArn: S }, call: (s, i) => s.getTopicAttributes(i) },
  SetTopicAttributes: {
    members: { TopicArn: S, AttributeName: S, AttributeValue: S },
    call: (s, i) => s.setTopicAttributes(i),
  },
  Subscribe: {
    members: {
      TopicArn: S,
      Protocol: S,
      Endpoint: S,
      Attributes: { type: 'attributeMap' },
      ReturnSubscriptionArn: { type: 'boolean' },
    },
    call: (s, i) => s.subscribe(i),
  },
  ConfirmSubscription: {
    members: { TopicArn: S, Token: S, AuthenticateOnUnsubscribe: S },
    call: (s, i) => s.confirmSubscription(i),
  },
  Unsubscribe: { members: { SubscriptionArn: S }, call: (s, i) => s.unsubscribe(i) },
  ListSubscriptions: { members: { NextToken: S }, call: (s, i) => s.listSubscriptions(i) },
  ListSubscriptionsByTopic: {
    members: { TopicArn: S, NextToken: S },
    call: (s, i) => s.listSubscriptionsByTopic(i),
  },
  GetSubscriptionAttributes: {
    members: { SubscriptionArn: S },
    call: (s, i) => s.getSubscriptionAttributes(i),
  },
  SetSubscriptionAttributes: {
    members: { SubscriptionArn: S, AttributeName: S, AttributeValue: S },
    call: (s, i) => s.setSubscriptionAttributes(i),
  },
  Publish: {
    members: { TopicArn: S, TargetArn: S, PhoneNumber: S, ...MESSAGE_FIELDS },
    call: (s, i) => s.publish(i),
  },
  PublishBatch: {
    members: {
      TopicArn: S,
      PublishBatchRequestEntries: { type: 'entries', members: { Id: S, ...MESSAGE_FIELDS } },
    },
    call: (s, i) => s.publishBatch(i),
  },
  TagResource: { members: { ResourceArn: S, Tags: { type: 'tags' } }, call: (s, i) => s.tagResource(i) },
  UntagResource: {
    members: { ResourceArn: S, TagKeys: { type: 'strings' } },
    call: (s, i) => s.untagResource(i),
  },
  ListTagsForResource: { members: { ResourceArn: S }, call: (s, i) => s.listTagsForResource(i) },
};

export class SnsProtocol implements ServiceProtocol {
  readonly signingName = 'sns';
  readonly queryActions: ReadonlySet<string> = new Set(Object.keys(OPERATIONS));

  constructor(private readonly sns: SnsService) {}

  async handle(request: WireRequest): Promise<WireResponse> {
    try {
      const params = QueryForm.fromRequest(request);
      const action = params.get('Action');
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
      const operation = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
      if (!operation) {
        throw new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      }
      const input = fromQuery(params, operation.members, '');
      const result = (await operation.call(this.sns, input)) as Record<string, unknown> | undefined;
      const resultXml = result === undefined ? '' : element(`${action}Result`, structXml(result));
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body:
          `<?xml version="1.0"?>\n<${action}Response xmlns="${XMLNS}">${resultXml}` +
          `<ResponseMetadata><RequestId>${request.requestId}</RequestId></ResponseMetadata></${action}Response>`,
      };
    } catch (error) {
      const aws = asAwsError(error);
      return {
        status: aws.httpStatus,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body:
          `<?xml version="1.0"?>\n<ErrorResponse xmlns="${XMLNS}"><Error><Type>${aws.fault}</Type>` +
          `<Code>${escapeXml(aws.code)}</Code><Message>${escapeXml(aws.message)}</Message></Error>` +
          `<RequestId>${request.requestId}</RequestId></ErrorResponse>`,
      };
    }
  }
}

function asAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  console.error('emulator: internal error in SNS', error);
  return new AwsError('InternalError', 'An internal error occurred.', 500, 'Receiver');
}

// ----- query input --------------------------------------------------------------------------------------------

function fromQuery(params: QueryForm, members: Record<string, Member>, prefix: string): Input {
  const out: Input = {};
  for (const [name, member] of Object.entries(members)) {
    const value = queryValue(params, member, `${prefix}${name}`);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function queryValue(params: QueryForm, member: Member, key: string): unknown {
  switch (member.type) {
    case 'string':
      return params.get(key) ?? undefined;
    case 'boolean': {
      const text = params.get(key);
      return text === null ? undefined : text.toLowerCase() === 'true';
    }
    case 'attributeMap': {
      const entries = indexed(`${key}.entry`, (p) => {
        const name = params.get(`${p}.key`);
        return name === null ? undefined : ([name, params.get(`${p}.value`) ?? ''] as const);
      });
      return entries && Object.fromEntries(entries);
    }
    case 'tags':
      return indexed(`${key}.member`, (p) => {
        const tagKey = params.get(`${p}.Key`);
        return tagKey === null ? undefined : { Key: tagKey, Value: params.get(`${p}.Value`) ?? '' };
      });
    case 'strings':
      return indexed(`${key}.member`, (p) => params.get(p) ?? undefined);
    case 'messageAttributes': {
      const entries = indexed(`${key}.entry`, (p) =>
        queryMessageAttribute(
          params,
          p,
          (name) =>
            new AwsError(
              'ParameterValueInvalid',
              `The message attribute '${name}' has an invalid binary value.`,
            ),
        ),
      );
      return entries && Object.fromEntries(entries);
    }
    case 'entries':
      return indexed(`${key}.member`, (p) =>
        params.has(`${p}.Id`) ? fromQuery(params, member.members, `${p}.`) : undefined,
      );
  }
}

// ----- XML output ---------------------------------------------------------------------------------------------

function structXml(value: Record<string, unknown>): string {
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      out += element(
        key,
        v
          .map((item) => element('member', isObject(item) ? structXml(item) : escapeXml(String(item))))
          .join(''),
      );
    } else if (key === 'Attributes') {
      const entries = Object.entries(v as Record<string, string>)
        .map(([k, text]) => element('entry', textElement('key', k) + textElement('value', text)))
        .join('');
      out += element(key, entries);
    } else if (isObject(v)) {
      out += element(key, structXml(v));
    } else {
      out += textElement(key, v as string | number | boolean);
    }
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ----- HTTP/S delivery ----------------------------------------------------------------------------------------

/**
 * POSTs one notification to a subscriber endpoint; resolves with the status, rejects on no answer. With
 * `connectTo`, the socket goes to that address (checked by the SNS service) whatever the host name resolves to
 * now; the Host header and TLS server name still come from the URL.
 */
export function postHttpNotification(
  url: string,
  headers: Record<string, string>,
  body: string,
  connectTo?: { readonly address: string; readonly family: number },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const lookup: LookupFunction | undefined = connectTo
      ? (_hostname, options, callback) => {
          if (options.all) callback(null, [{ address: connectTo.address, family: connectTo.family }]);
          else callback(null, connectTo.address, connectTo.family);
        }
      : undefined;
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: HTTP_DELIVERY_TIMEOUT_MS,
        ...(lookup ? { lookup } : {}),
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}
