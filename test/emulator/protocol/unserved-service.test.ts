import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';
import { rawRequest, signedFor } from '../../helpers/raw-http';
import { SERVES } from './unserved-service-fixture';

// A service the emulator does not serve answers an error naming it, in the shape its client parses, never `Unknown`;
// what the AWS CLIs print of it: unserved-service-clients.test.ts (long tier)

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t?.stop();
});

describe('the error in each protocol shape', () => {
  test('RDS DescribeDBInstances (query) answers the query error shape', async () => {
    // Act
    const answer = await rawRequest(`${t.emulator.endpoint}/`, {
      headers: { ...signedFor('rds'), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=DescribeDBInstances&Version=2014-10-31',
    });
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(
      /^<\?xml version="1.0"\?><ErrorResponse [^>]*><Error><Type>Sender<\/Type><Code>UnsupportedService<\/Code>/,
    );
    expect(answer.body).toContain(
      `<Message>The local emulator does not emulate RDS (rds DescribeDBInstances). ${SERVES}</Message>`,
    );
  });

  test('ECS (AWS JSON 1.1) answers JSON in the content type it was sent', async () => {
    // Act
    const answer = await rawRequest(`${t.emulator.endpoint}/`, {
      headers: {
        ...signedFor('ecs'),
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
      },
      body: '{}',
    });
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(answer.body)).toEqual({
      __type: 'UnsupportedService',
      message: `The local emulator does not emulate ECS (ecs ListClusters). ${SERVES}`,
    });
  });

  test('a REST service (API Gateway) answers a bare XML Error naming the method', async () => {
    // Act
    const answer = await rawRequest(`${t.emulator.endpoint}/restapis`, {
      method: 'GET',
      headers: signedFor('apigateway'),
    });
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('UnsupportedService');
    expect(answer.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><Error><Code>UnsupportedService<\/Code>/,
    );
    expect(answer.body).toContain(`does not emulate API Gateway (apigateway GET). ${SERVES}`);
  });

  test('names taken from headers are echoed bounded, as letters, digits, dot, dash and underscore only', async () => {
    // Arrange
    const service = `evil<script>"${'x'.repeat(5000)}`;
    // Act
    const answer = await rawRequest(`${t.emulator.endpoint}/`, {
      headers: {
        ...signedFor(service),
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `Svc.Op&<b>${'y'.repeat(5000)}`,
      },
      body: '{}',
    });
    // Assess
    const { message } = JSON.parse(answer.body) as { message: string };
    expect(answer.status).toBe(400);
    expect(message).toBe(
      `The local emulator does not emulate ${`evilscript${'x'.repeat(54)}`} (${`evilscript${'x'.repeat(54)}`} ` +
        `${`Opb${'y'.repeat(61)}`}). ${SERVES}`,
    );
  });

  test('a served service is still routed by its signing name', async () => {
    // Act
    const answer = await rawRequest(`${t.emulator.endpoint}/`, {
      headers: { ...signedFor('sns'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListTopics&Version=2010-03-31',
    });
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<ListTopicsResponse');
  });
});
