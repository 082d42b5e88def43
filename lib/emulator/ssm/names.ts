/**
 * Parameter Store's rules for names, paths, labels and selectors, with AWS's messages. Checked character by
 * character: nothing a caller sends meets a regular expression.
 */
import { AwsError } from '../errors';

/** AWS: a hierarchy is at most 15 levels deep. */
export const MAX_HIERARCHY_LEVELS = 15;
/** AWS: the name, counted with the parameter ARN's prefix, is at most 1011 characters. */
const MAX_NAME_WITH_ARN = 1011;

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of ' +
  'sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the ' +
  'following 3 symbols .-_';

const PATH_RULES =
  "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward " +
  'slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, ' +
  'or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All ' +
  'sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

/** `[a-zA-Z0-9_.-]`: the characters of a name's segments. */
export function isSegmentCharacter(c: string): boolean {
  return (
    (c >= 'a' && c <= 'z') ||
    (c >= 'A' && c <= 'Z') ||
    (c >= '0' && c <= '9') ||
    c === '_' ||
    c === '.' ||
    c === '-'
  );
}

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

/** Whether `name` has the shape of a parameter name: `Name` or `/a/b/Name`, segments of the allowed characters. */
function wellFormed(name: string): boolean {
  if (name.length === 0) return false;
  const segments = name.startsWith('/') ? name.slice(1).split('/') : [name];
  return segments.every((s) => s.length > 0 && [...s].every(isSegmentCharacter));
}

/** The checks of a name PutParameter creates: shape, reserved prefixes, depth and length. */
export function checkNewName(name: string, arnPrefix: string): void {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  const lower = bare.toLowerCase();
  const isPath = name.startsWith('/') && bare.includes('/');
  if (lower.startsWith('aws') || lower.startsWith('ssm')) {
    // AWS: `/aws/…` is the namespace of AWS's public parameters; other `aws`/`ssm` prefixes are invalid names
    if (isPath && lower.startsWith('aws')) {
      throw new AwsError('AccessDeniedException', `No access to reserved parameter name: ${name}.`);
    }
    throw validation(
      isPath ? NAME_RULES : 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
    );
  }
  if (!wellFormed(name)) throw validation(NAME_RULES);
  if (name.startsWith('/') && name.split('/').length - 1 > MAX_HIERARCHY_LEVELS) {
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`,
    );
  }
  if (arnPrefix.length + bare.length > MAX_NAME_WITH_ARN) {
    throw validation(
      `Parameter name: the name with its ARN prefix (${arnPrefix}) can be at most ${MAX_NAME_WITH_ARN} characters.`,
    );
  }
}

/** A path of GetParametersByPath or a Path filter: `/` or `/a/b`, an optional trailing slash. */
export function checkPath(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const lower = trimmed.toLowerCase();
  if (lower.startsWith('/aws') || lower.startsWith('/ssm')) {
    throw validation(
      'Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive). When using ' +
        'global parameters, please specify within a global namespace.',
    );
  }
  if (trimmed !== '/' && (!trimmed.startsWith('/') || !wellFormed(trimmed))) throw validation(PATH_RULES);
  if (trimmed.split('/').length - 1 > MAX_HIERARCHY_LEVELS) {
    throw new AwsError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`,
    );
  }
  return trimmed;
}

/** AWS: a label is 1 to 100 letters, digits, `.`, `-`, `_`, not starting with a digit, `aws` or `ssm`. */
export function isValidLabel(label: string): boolean {
  const lower = label.toLowerCase();
  return (
    label.length >= 1 &&
    label.length <= 100 &&
    !(label[0] >= '0' && label[0] <= '9') &&
    !lower.startsWith('aws') &&
    !lower.startsWith('ssm') &&
    [...label].every(isSegmentCharacter)
  );
}

/** A reference to a parameter: its name, and the version or label after `:` when one is selected. */
export interface ParameterReference {
  readonly name: string;
  /** `:3` or `:label`, as GetParameter echoes it. */
  readonly selector?: string;
  readonly version?: number;
  readonly label?: string;
}

/**
 * Reads `name`, `name:3`, `name:label` or the parameter's ARN in this account and region (`arnPrefix` + name).
 * Undefined when it cannot name a parameter (a bad version number, a second selector).
 */
export function parseReference(text: string, arnPrefix: string): ParameterReference | undefined {
  let reference = text;
  if (reference.startsWith(arnPrefix)) {
    const rest = reference.slice(arnPrefix.length);
    // the ARN of `/a/b` is `…:parameter/a/b`, of `Name` is `…:parameter/Name`
    reference = rest.includes('/') ? `/${rest}` : rest;
  }
  const colon = reference.indexOf(':');
  if (colon < 0) return { name: reference };
  const name = reference.slice(0, colon);
  const selector = reference.slice(colon + 1);
  if (selector.length === 0 || selector.includes(':')) return undefined;
  if ([...selector].every((c) => c >= '0' && c <= '9')) {
    const version = Number(selector);
    return selector.length <= 10 && version >= 1 ? { name, selector: `:${selector}`, version } : undefined;
  }
  return { name, selector: `:${selector}`, label: selector };
}
