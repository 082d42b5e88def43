/**
 * Guards on SQS input as the service receives it: from the wire (already shaped by the SDK's model) or from
 * in-process callers (tests, other services), where a wrong type is the caller's fault, never a crash.
 */
import { invalidParameterValue, missingParameter } from '../errors';
import type { MessageAttributes } from './model';

export function requireString(value: unknown, name: string): string {
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  return value;
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  return value;
}

export function requireInteger(value: unknown, name: string): number {
  const n = optionalInteger(value, name);
  if (n === undefined) throw missingParameter(name);
  return n;
}

export function optionalInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalidParameterValue(
      `Value ${String(value)} for parameter ${name} is invalid. Reason: Must be an integer.`,
    );
  }
  return value;
}

export function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  }
  return value;
}

export function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  }
  return value as Record<string, string>;
}

export function optionalAttributes(value: unknown, name: string): MessageAttributes | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameterValue(`Value for parameter ${name} is invalid.`);
  }
  return value as MessageAttributes;
}
