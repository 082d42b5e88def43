import { deliveredMessage } from '../../lambda/shared/sns-notification';
import { sqsEvent } from '../helpers/lambda-events';
import { snsEnvelopeBody, withMessageAttributes } from '../helpers/sns-events';

describe('deliveredMessage', () => {
  test('unwraps the SNS envelope: the published text and its String attributes', () => {
    const [record] = sqsEvent([snsEnvelopeBody('{"quoteId":"q-1"}', { type: 'car' })]).Records;

    expect(deliveredMessage(record)).toEqual({
      message: '{"quoteId":"q-1"}',
      attributes: { type: 'car' },
      enveloped: true,
    });
  });

  test('an envelope without attributes gives none', () => {
    const [record] = sqsEvent([snsEnvelopeBody('hello')]).Records;

    expect(deliveredMessage(record)).toEqual({ message: 'hello', attributes: {}, enveloped: true });
  });

  test('raw delivery: the body is the message and the attributes are SQS message attributes', () => {
    const [record] = withMessageAttributes(sqsEvent(['{"quoteId":"q-2"}']), [{ type: 'boat' }]).Records;

    expect(deliveredMessage(record)).toEqual({
      message: '{"quoteId":"q-2"}',
      attributes: { type: 'boat' },
      enveloped: false,
    });
  });

  test('a JSON body that merely looks like a notification is taken as raw', () => {
    const body = JSON.stringify({ Type: 'Notification', Message: 'not from SNS' });
    const [record] = sqsEvent([body]).Records;

    expect(deliveredMessage(record)).toEqual({ message: body, attributes: {}, enveloped: false });
  });
});
