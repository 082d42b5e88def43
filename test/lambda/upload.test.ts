import { decodeS3Key, inBatches, messagesInUpload } from '../../lambda/shared/upload';

describe('messagesInUpload', () => {
  test('a JSON array gives one message per element', () => {
    expect(messagesInUpload('[{"orderId":"a"}, {"orderId":"b"}]')).toEqual([
      '{"orderId":"a"}',
      '{"orderId":"b"}',
    ]);
  });

  test('a single order is sent whole', () => {
    expect(messagesInUpload('  {"orderId":"a"}\n')).toEqual(['{"orderId":"a"}']);
  });

  test('text that is not JSON is sent whole, so the consumer dead-letters it instead of it vanishing', () => {
    expect(messagesInUpload('[not json')).toEqual(['[not json']);
  });

  test('an empty or blank file gives no message', () => {
    expect(messagesInUpload(' \n')).toEqual([]);
  });
});

test('inBatches splits into SQS batches of at most 10', () => {
  const batches = inBatches(Array.from({ length: 23 }, (_, i) => i));

  expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
  expect(batches.flat()).toEqual(Array.from({ length: 23 }, (_, i) => i));
});

test('decodeS3Key undoes the URL encoding of S3 event keys', () => {
  expect(decodeS3Key('uploads/my+orders%282%29.json')).toBe('uploads/my orders(2).json');
});
