import { request as httpRequest } from 'node:http';
import { CreateTopicCommand, ListTopicsCommand } from '@aws-sdk/client-sns';
import { type SnsTestEmulator, startSnsTestEmulator } from './sns-fixture';

let t: SnsTestEmulator;
beforeAll(async () => {
  t = await startSnsTestEmulator();
  await t.sns.send(new CreateTopicCommand({ Name: 'sturdy' }));
});
afterAll(async () => {
  await t.stop();
});

function post(body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${t.emulator.endpoint}/`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('bad query input gets an SNS-shaped 4xx, and the server keeps serving', () => {
  afterEach(async () => {
    const { Topics } = await t.sns.send(new ListTopicsCommand({}));
    expect(Topics).toHaveLength(1);
  });

  it.each<[string, string, string]>([
    ['no Action', 'Version=2010-03-31', 'MissingAction'],
    ['an unknown Action', 'Action=DoSomething&Version=2010-03-31', 'InvalidAction'],
    ['a Publish without a topic', 'Action=Publish&Message=hi', 'InvalidParameter'],
    ['a broken percent-encoding', 'Action=Publish&TopicArn=%E0%A4%A&Message=%ZZ', 'InvalidParameter'],
    [
      'an attribute entry without a value',
      'Action=CreateTopic&Name=x&Attributes.entry.1.key=Colour',
      'InvalidParameter',
    ],
    [
      'binary attribute data that is not base64',
      'Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:sturdy&Message=m&MessageAttributes.entry.1.Name=b&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=***',
      'ParameterValueInvalid',
    ],
    ['a malformed ARN', 'Action=GetTopicAttributes&TopicArn=not-an-arn', 'InvalidParameter'],
    ['a bogus NextToken', 'Action=ListTopics&NextToken=%FF%FE', 'InvalidParameter'],
  ])('%s', async (_case, body, code) => {
    // Act
    const response = await post(body);
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatch(
      new RegExp(
        `^<\\?xml version="1.0"\\?>\\n<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>[^<]*</Message></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$`,
      ),
    );
  });
});
