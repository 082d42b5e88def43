/**
 * CloudWatch on the wire, request by request: the query protocol (XML answers, <ErrorResponse>, a <XxxResult> for
 * every action) and JSON 1.0 (query-compatible error codes, gzip-compressed bodies). The AWS CLI and boto3 tests of
 * the same wire are in wire-clients.test.ts (the long tier).
 */
import { gzipSync } from 'node:zlib';
import { type CloudWatchTestEmulator, startCloudWatchTestEmulator } from './cloudwatch-fixture';

let t: CloudWatchTestEmulator;
beforeEach(async () => {
  t = await startCloudWatchTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

/** A query-protocol request, as older SDKs and CLIs send it. */
async function query(
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${t.emulator.endpoint}/`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ Version: '2010-08-01', ...params }),
  });
  return { status: response.status, body: await response.text() };
}

describe('query protocol', () => {
  it('puts metric data and reads statistics back as XML', async () => {
    // Prepare
    t.atMinute(2);
    const put = await query({
      Action: 'PutMetricData',
      Namespace: 'Shop',
      'MetricData.member.1.MetricName': 'Orders',
      'MetricData.member.1.Value': '5',
      'MetricData.member.1.Unit': 'Count',
      'MetricData.member.1.Timestamp': '2026-01-01T00:00:30Z',
      'MetricData.member.1.Dimensions.member.1.Name': 'Store',
      'MetricData.member.1.Dimensions.member.1.Value': 'north',
    });
    // Act
    const stats = await query({
      Action: 'GetMetricStatistics',
      Namespace: 'Shop',
      MetricName: 'Orders',
      'Dimensions.member.1.Name': 'Store',
      'Dimensions.member.1.Value': 'north',
      StartTime: '2026-01-01T00:00:00Z',
      EndTime: '2026-01-01T00:02:00Z',
      Period: '60',
      'Statistics.member.1': 'Sum',
    });
    // Assess
    expect(put.status).toBe(200);
    expect(put.body).toMatch(
      // PutMetricData's output is the model's unit: no Result element (operations with an output always have one)
      /^<\?xml version="1.0"\?>\n?<PutMetricDataResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/"><ResponseMetadata><RequestId>[0-9a-f-]+<\/RequestId><\/ResponseMetadata><\/PutMetricDataResponse>$/,
    );
    expect(stats.body).toContain(
      '<GetMetricStatisticsResult><Label>Orders</Label><Datapoints><member><Timestamp>2026-01-01T00:00:00.000Z</Timestamp><Sum>5</Sum><Unit>Count</Unit></member></Datapoints></GetMetricStatisticsResult>',
    );
  });

  it('creates, sets and describes alarms, and answers errors with <ErrorResponse>', async () => {
    // Prepare
    await query({
      Action: 'PutMetricAlarm',
      AlarmName: 'deep',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      'Dimensions.member.1.Name': 'QueueName',
      'Dimensions.member.1.Value': 'jobs',
      Statistic: 'Average',
      Period: '60',
      EvaluationPeriods: '2',
      Threshold: '100',
      ComparisonOperator: 'GreaterThanThreshold',
      'AlarmActions.member.1': 'arn:aws:sns:us-east-1:000000000000:ops',
    });
    // Act
    const set = await query({
      Action: 'SetAlarmState',
      AlarmName: 'deep',
      StateValue: 'ALARM',
      StateReason: 'drill',
    });
    const described = await query({ Action: 'DescribeAlarms', 'AlarmNames.member.1': 'deep' });
    const missing = await query({
      Action: 'SetAlarmState',
      AlarmName: 'ghost',
      StateValue: 'OK',
      StateReason: 'x',
    });
    const badNumber = await query({ Action: 'PutMetricAlarm', AlarmName: 'x', EvaluationPeriods: 'two' });
    // Assess
    expect(set.status).toBe(200);
    // the model's member order: CompositeAlarms (empty: no composite alarms are emulated) come first
    expect(described.body).toMatch(
      /<DescribeAlarmsResult>(<CompositeAlarms><\/CompositeAlarms>)?<MetricAlarms><member><AlarmName>deep<\/AlarmName>/,
    );
    expect(described.body).toContain(
      '<AlarmActions><member>arn:aws:sns:us-east-1:000000000000:ops</member></AlarmActions>',
    );
    expect(described.body).toContain('<StateValue>ALARM</StateValue><StateReason>drill</StateReason>');
    expect(described.body).toContain(
      '<Dimensions><member><Name>QueueName</Name><Value>jobs</Value></member></Dimensions>',
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toContain(
      '<Error><Type>Sender</Type><Code>ResourceNotFound</Code><Message>Alarm ghost not found</Message>',
    );
    expect(badNumber.status).toBe(400);
    expect(badNumber.body).toContain('<Code>InvalidParameterValue</Code>');
  });
});

describe('JSON 1.0', () => {
  it('sends errors with the query-compatible code header, and refuses unknown operations', async () => {
    // Act
    const post = (target: string, body: string) =>
      fetch(`${t.emulator.endpoint}/`, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' },
        body,
      });
    const missing = await post(
      'GraniteServiceVersion20100801.SetAlarmState',
      '{"AlarmName":"ghost","StateValue":"OK","StateReason":"x"}',
    );
    const unknown = await post('GraniteServiceVersion20100801.PutDashboardWidget', '{}');
    const wrongType = await post(
      'GraniteServiceVersion20100801.PutMetricAlarm',
      '{"EvaluationPeriods":"two"}',
    );
    // Assess
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-query-error')).toBe('ResourceNotFound;Sender');
    expect(await missing.json()).toEqual({
      __type: 'com.amazonaws.cloudwatch#ResourceNotFound',
      message: 'Alarm ghost not found',
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toBe(
      'com.amazon.coral.service#UnknownOperationException',
    );
    expect(((await wrongType.json()) as { __type: string }).__type).toBe(
      'com.amazon.coral.service#SerializationException',
    );
  });

  it('accepts gzip-compressed bodies, as the SDKs send large PutMetricData requests', async () => {
    // Prepare
    t.atMinute(1);
    const body = JSON.stringify({
      Namespace: 'Shop',
      MetricData: [{ MetricName: 'Zipped', Value: 3, Timestamp: t.start / 1000 + 5 }],
    });
    // Act
    const put = await fetch(`${t.emulator.endpoint}/`, {
      method: 'POST',
      headers: {
        'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData',
        'content-type': 'application/x-amz-json-1.0',
        'content-encoding': 'gzip',
      },
      body: gzipSync(body),
    });
    const stored = t.emulator.cloudwatch.getMetricStatistics({
      Namespace: 'Shop',
      MetricName: 'Zipped',
      StartTime: new Date(t.start),
      EndTime: new Date(t.start + 60_000),
      Period: 60,
      Statistics: ['Sum'],
    });
    // Assess
    expect(put.status).toBe(200);
    expect(stored.Datapoints?.[0].Sum).toBe(3);
  });

  it('answers every action with its <XxxResult> element, empty when there is nothing to say', async () => {
    // Prepare
    await query({
      Action: 'PutMetricAlarm',
      AlarmName: 'tagged',
      Namespace: 'Shop',
      MetricName: 'Orders',
      Statistic: 'Sum',
      Period: '60',
      EvaluationPeriods: '1',
      Threshold: '5',
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const arn = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:tagged';
    // SNS has TagResource and UntagResource too: the credential scope says which service is meant
    const signed = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/monitoring/aws4_request, ' +
        'SignedHeaders=host, Signature=0',
    };
    // Act
    const tag = await query(
      {
        Action: 'TagResource',
        ResourceARN: arn,
        'Tags.member.1.Key': 'team',
        'Tags.member.1.Value': 'a',
      },
      signed,
    );
    const untag = await query(
      { Action: 'UntagResource', ResourceARN: arn, 'TagKeys.member.1': 'team' },
      signed,
    );
    // Assess
    expect(tag.status).toBe(200);
    expect(tag.body).toMatch(
      /<TagResourceResponse [^>]*><TagResourceResult><\/TagResourceResult><ResponseMetadata>/,
    );
    expect(untag.status).toBe(200);
    expect(untag.body).toMatch(
      /<UntagResourceResponse [^>]*><UntagResourceResult><\/UntagResourceResult><ResponseMetadata>/,
    );
  });
});
