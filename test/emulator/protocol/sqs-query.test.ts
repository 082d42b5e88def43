import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';

let t: TestEmulator;
beforeEach(async () => {
  t = await startTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

/** A query-protocol call as older SDKs and CLIs make it: a form POST, signed for the `sqs` service. */
async function query(params: Record<string, string>, path = '/'): Promise<{ status: number; body: string }> {
  const response = await fetch(`${t.emulator.endpoint}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return { status: response.status, body: await response.text() };
}

const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

describe('SQS query protocol', () => {
  it('creates a queue, sends with attributes to the queue URL, receives and deletes', async () => {
    // Act
    const created = await query({
      Action: 'CreateQueue',
      QueueName: 'legacy',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '45',
    });
    const queueUrl = field(created.body, 'QueueUrl') as string;
    const sent = await query(
      {
        Action: 'SendMessage',
        MessageBody: 'a & b < c\r\n',
        'MessageAttribute.1.Name': 'Foo',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'Bar',
      },
      '/000000000000/legacy',
    );
    const received = await query({
      Action: 'ReceiveMessage',
      QueueUrl: queueUrl,
      'AttributeName.1': 'All',
      'MessageAttributeName.1': 'All',
    });
    const deleted = await query({
      Action: 'DeleteMessage',
      QueueUrl: queueUrl,
      ReceiptHandle: field(received.body, 'ReceiptHandle') as string,
    });
    // Assess
    expect(created.status).toBe(200);
    expect(queueUrl).toBe(`${t.emulator.endpoint}/000000000000/legacy`);
    expect(sent.status).toBe(200);
    expect(field(sent.body, 'MD5OfMessageAttributes')).toBe('ae7155c6026991b6d54b11589678bf9c');
    expect(received.body).toContain('<Body>a &amp; b &lt; c&#xD;\n</Body>');
    // the value's members in either order: XML readers (SDKs, botocore) take them by name
    expect(received.body).toMatch(
      /<MessageAttribute><Name>Foo<\/Name><Value>(?:<StringValue>Bar<\/StringValue><DataType>String<\/DataType>|<DataType>String<\/DataType><StringValue>Bar<\/StringValue>)<\/Value><\/MessageAttribute>/,
    );
    expect(received.body).toContain(
      '<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>',
    );
    expect(deleted.body).toMatch(
      /^<\?xml version="1.0"\?>\n?<DeleteMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/DeleteMessageResponse>$/,
    );
  });

  it('sends and deletes batches with flattened entries', async () => {
    // Prepare
    await query({ Action: 'CreateQueue', QueueName: 'batched' });
    // Act
    const sent = await query(
      {
        Action: 'SendMessageBatch',
        'SendMessageBatchRequestEntry.1.Id': 'one',
        'SendMessageBatchRequestEntry.1.MessageBody': 'first',
        'SendMessageBatchRequestEntry.2.Id': 'two',
        'SendMessageBatchRequestEntry.2.MessageBody': 'second',
        'SendMessageBatchRequestEntry.2.DelaySeconds': '0',
      },
      '/000000000000/batched',
    );
    const received = await query(
      { Action: 'ReceiveMessage', MaxNumberOfMessages: '10' },
      '/000000000000/batched',
    );
    const handles = [...received.body.matchAll(/<ReceiptHandle>([^<]*)<\/ReceiptHandle>/g)].map((m) => m[1]);
    const deleted = await query(
      {
        Action: 'DeleteMessageBatch',
        'DeleteMessageBatchRequestEntry.1.Id': 'a',
        'DeleteMessageBatchRequestEntry.1.ReceiptHandle': handles[0],
        'DeleteMessageBatchRequestEntry.2.Id': 'b',
        'DeleteMessageBatchRequestEntry.2.ReceiptHandle': 'not-a-handle',
      },
      '/000000000000/batched',
    );
    // Assess
    expect(sent.body.match(/<SendMessageBatchResultEntry>/g)).toHaveLength(2);
    expect(handles).toHaveLength(2);
    expect(deleted.body).toContain(
      '<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>',
    );
    expect(deleted.body).toContain(
      '<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code>',
    );
  });

  it('lists queues and attributes as flattened XML', async () => {
    // Prepare
    await query({ Action: 'CreateQueue', QueueName: 'first' });
    await query({ Action: 'CreateQueue', QueueName: 'second' });
    // Act
    const listed = await query({ Action: 'ListQueues' });
    const attributes = await query(
      { Action: 'GetQueueAttributes', 'AttributeName.1': 'DelaySeconds', 'AttributeName.2': 'QueueArn' },
      '/000000000000/first',
    );
    // Assess
    expect(listed.body).toContain(
      `<ListQueuesResult><QueueUrl>${t.emulator.endpoint}/000000000000/first</QueueUrl><QueueUrl>${t.emulator.endpoint}/000000000000/second</QueueUrl></ListQueuesResult>`,
    );
    expect(attributes.body).toContain(
      '<GetQueueAttributesResult><Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:000000000000:first</Value></Attribute><Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute></GetQueueAttributesResult>',
    );
  });

  it('answers errors as <ErrorResponse> with the query wording', async () => {
    // Act
    const missing = await query({ Action: 'GetQueueUrl', QueueName: 'nope' });
    const unknown = await query({ Action: 'DoSomething' });
    const badInteger = await query({
      Action: 'CreateQueue',
      QueueName: 'q',
      'Attribute.1.Name': 'DelaySeconds',
      'Attribute.1.Value': 'x',
    });
    // Assess
    expect(missing.status).toBe(400);
    expect(missing.body).toMatch(
      /^<\?xml version="1.0"\?>\n?<ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>The specified queue does not exist for this wsdl version.<\/Message>(?:<Detail\/>)?<\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
    expect(unknown.status).toBe(400);
    expect(field(unknown.body, 'Code')).toBe('InvalidAction');
    expect(field(badInteger.body, 'Code')).toBe('InvalidAttributeValue');
  });

  it('routes by the form Action when the request is unsigned', async () => {
    // Act
    const response = await fetch(`${t.emulator.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListQueues',
    });
    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<ListQueuesResponse');
  });
});
