/** Validation of what producers send: bodies, message attributes, FIFO identifiers. Throws AwsError. */
import { AwsError, invalidParameterValue, missingParameter } from '../errors';
import { validateFifoToken as checkFifoToken } from '../kit/fifo-tokens';
import type { MessageAttributes, MessageAttributeValue } from './model';

// AWS: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF (lone surrogates are invalid)
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_\-.]{1,256}$/;

export const MAX_MESSAGE_ATTRIBUTES = 10;
const MAX_NUMBER_DIGITS = 38;

export function hasInvalidCharacters(text: string): boolean {
  return INVALID_CHARACTER.test(text);
}

export function validateBody(body: unknown): string {
  if (body === undefined || body === null || body === '') throw missingParameter('MessageBody');
  if (typeof body !== 'string') throw invalidParameterValue('Value for parameter MessageBody is invalid.');
  if (hasInvalidCharacters(body)) {
    throw new AwsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  return body;
}

/** Validates message (user) attributes and returns their size in bytes (name + type + value). */
export function validateMessageAttributes(attributes: MessageAttributes | undefined): number {
  if (attributes === undefined || attributes === null) return 0;
  const names = Object.keys(attributes);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  let size = 0;
  for (const name of names) {
    validateAttributeName(name);
    size += Buffer.byteLength(name) + validateAttributeValue(name, attributes[name], 'user');
  }
  return size;
}

/** Only AWSTraceHeader (a String) may be sent as a message system attribute. */
export function validateSystemAttributes(attributes: MessageAttributes | undefined): number {
  if (attributes === undefined || attributes === null) return 0;
  let size = 0;
  for (const name of Object.keys(attributes)) {
    if (name !== 'AWSTraceHeader') {
      throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    }
    const value = attributes[name];
    if (value?.DataType !== 'String') {
      throw invalidParameterValue(`Message system attribute '${name}' must be of type 'String'.`);
    }
    size += Buffer.byteLength(name) + validateAttributeValue(name, value, 'system');
  }
  return size;
}

function validateAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (
    !ATTRIBUTE_NAME.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..') ||
    lower.startsWith('aws.') ||
    lower.startsWith('amazon.')
  ) {
    throw invalidParameterValue(
      `Message (user) attribute name '${name}' is invalid. The attribute name can contain A-Z, a-z, 0-9, ` +
        `underscore (_), hyphen (-), and period (.) characters, must not start or end with a period, must not ` +
        `contain successive periods, and must not start with AWS. or Amazon. (any casing).`,
    );
  }
}

function validateAttributeValue(name: string, value: MessageAttributeValue, kind: 'user' | 'system'): number {
  if (value === null || typeof value !== 'object') {
    throw invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value.`,
    );
  }
  const dataType = value.DataType;
  if (typeof dataType !== 'string' || dataType === '') {
    throw invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute type.`,
    );
  }
  if (dataType.length > 256 || !/^[\x20-\x7e]*$/.test(dataType)) {
    throw invalidParameterValue(`The message attribute '${name}' has an invalid message attribute type.`);
  }
  const base = dataType.split('.', 1)[0];
  if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
    throw invalidParameterValue(
      `The type of message (${kind}) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  if (value.StringListValues?.length || value.BinaryListValues?.length) {
    throw invalidParameterValue(`Message (${kind}) attribute '${name}': list values are not supported.`);
  }
  if (base === 'Binary') {
    if (!(value.BinaryValue instanceof Uint8Array) || value.BinaryValue.length === 0) {
      throw invalidParameterValue(
        `Message (${kind}) attribute '${name}' must contain a non-empty value of type 'Binary'.`,
      );
    }
    if (value.StringValue !== undefined) {
      throw invalidParameterValue(
        `Message (${kind}) attribute '${name}' must contain only one value of type 'Binary'.`,
      );
    }
    return Buffer.byteLength(dataType) + value.BinaryValue.length;
  }
  const text = value.StringValue;
  if (typeof text !== 'string' || text === '') {
    throw invalidParameterValue(
      `Message (${kind}) attribute '${name}' must contain a non-empty value of type '${base}'.`,
    );
  }
  if (value.BinaryValue !== undefined) {
    throw invalidParameterValue(
      `Message (${kind}) attribute '${name}' must contain only one value of type '${base}'.`,
    );
  }
  if (hasInvalidCharacters(text)) {
    throw invalidParameterValue(`Message (${kind}) attribute '${name}' contains invalid characters.`);
  }
  if (base === 'Number') validateNumber(name, text, kind);
  return Buffer.byteLength(dataType) + Buffer.byteLength(text);
}

/** AWS: up to 38 significant digits, between -10^128 and 10^126. */
function validateNumber(name: string, text: string, kind: string): void {
  const trimmed = text.trim();
  const digits = significantDigits(trimmed);
  if (digits === undefined) {
    throw invalidParameterValue(`Can't cast the value of message (${kind}) attribute '${name}' to a number.`);
  }
  if (!numberInRange(trimmed, digits)) {
    throw invalidParameterValue(
      `Value ${text} for message (${kind}) attribute '${name}' is out of range. Number values can have up to 38 digits of precision and range from -10^128 to 10^126.`,
    );
  }
}

/** AWS (SQS and SNS): a Number attribute has at most 38 significant digits and a magnitude of at most 10^126. */
export function numberInRange(text: string, digits: number): boolean {
  return digits <= MAX_NUMBER_DIGITS && Math.abs(Number(text)) <= 1e126;
}

/**
 * The significant digits of a decimal number (`[+-]digits[.digits][e[+-]digits]`, leading and trailing zeros not
 * counted), or undefined when `text` is not one. One pass over the text: no regular expression can backtrack on a
 * megabyte of zeros.
 */
export function significantDigits(text: string): number | undefined {
  let i = 0;
  const n = text.length;
  if (i < n && (text[i] === '+' || text[i] === '-')) i++;
  let position = 0;
  let first = -1;
  let last = -1;
  let point = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) {
        if (first < 0) first = position;
        last = position;
      }
      position++;
    } else if (c === 46 /* . */ && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (position === 0) return undefined;
  if (i < n) {
    if (text[i] !== 'e' && text[i] !== 'E') return undefined;
    i++;
    if (i < n && (text[i] === '+' || text[i] === '-')) i++;
    if (i === n) return undefined;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
  }
  return first < 0 ? 0 : last - first + 1;
}

/** MessageGroupId, MessageDeduplicationId and ReceiveRequestAttemptId: 1-128 alphanumeric or punctuation. */
export function validateFifoToken(parameter: string, value: string): void {
  checkFifoToken(parameter, value, (name, text, reason) =>
    invalidParameterValue(`Value ${text} for parameter ${name} is invalid. Reason: ${reason}`),
  );
}
