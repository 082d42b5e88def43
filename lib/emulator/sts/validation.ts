/**
 * STS's input checks, worded as AWS's front end words them: every broken constraint of a request is collected and
 * reported in one `ValidationError` ("2 validation errors detected: Value 'x' at 'roleSessionName' failed to
 * satisfy constraint: …"). Patterns are checked by character classes, never by a regular expression over input.
 */
import { AwsError } from '../errors';

/** The constraint violations of one request, reported together as AWS does. */
export class ValidationProblems {
  private readonly problems: string[] = [];

  /** `text` must be between `min` and `max` characters long (AWS counts UTF-16 units, as `length` does). */
  length(member: string, text: string, min: number, max: number): this {
    if (text.length < min) this.add(member, text, `Member must have length greater than or equal to ${min}`);
    else if (text.length > max)
      this.add(member, text, `Member must have length less than or equal to ${max}`);
    return this;
  }

  /** Every character of `text` must be one `allowed` accepts; `pattern` is how AWS's model writes the rule. */
  characters(member: string, text: string, allowed: (c: string) => boolean, pattern: string): this {
    for (const c of text) {
      if (!allowed(c)) {
        this.add(member, text, `Member must satisfy regular expression pattern: ${pattern}`);
        break;
      }
    }
    return this;
  }

  range(member: string, value: number, min: number, max: number): this {
    if (value < min) this.add(member, value, `Member must have value greater than or equal to ${min}`);
    else if (value > max) this.add(member, value, `Member must have value less than or equal to ${max}`);
    return this;
  }

  /** A list of at most `max` items. */
  count(member: string, items: readonly unknown[], max: number): this {
    if (items.length > max) {
      this.add(member, `[${items.join(', ')}]`, `Member must have length less than or equal to ${max}`);
    }
    return this;
  }

  add(member: string, value: unknown, constraint: string): void {
    // AWS echoes the value; a bounded echo keeps a megabyte of input out of the reply
    const text = String(value);
    const shown = text.length > 256 ? `${text.slice(0, 256)}...` : text;
    this.problems.push(`Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
  }

  /** Throws the collected problems as one ValidationError; nothing when there are none. */
  throwIfAny(): void {
    const n = this.problems.length;
    if (n === 0) return;
    throw validationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`);
  }
}

export function validationError(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

/** `[\w+=,.@-]`: role session names, source identities, the characters of IAM names. */
export function isNameCharacter(c: string): boolean {
  return isWord(c) || '+=,.@-'.includes(c);
}

/** `[\w+=,.@:\/-]`: external ids. */
export function isExternalIdCharacter(c: string): boolean {
  return isNameCharacter(c) || c === ':' || c === '/';
}

/** `[\d]`: MFA token codes. */
export function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** `[\p{L}\p{Z}\p{N}_.:/=+\-@]`: session tag keys and values. */
export function isTagCharacter(c: string): boolean {
  return /^[\p{L}\p{Z}\p{N}_.:/=+\-@]$/u.test(c);
}

function isWord(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c === '_';
}
