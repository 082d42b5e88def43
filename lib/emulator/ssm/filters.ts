/**
 * ParameterFilters of DescribeParameters and GetParametersByPath (and DescribeParameters' older Filters): checked
 * with AWS's errors, then applied to a parameter's latest version. Matching is plain string comparison.
 */
import type { ParameterStringFilter, ParametersFilter } from '@aws-sdk/client-ssm';
import { AwsError } from '../errors';
import type { ParameterRecord, ParameterVersion } from './model';
import { checkPath } from './names';

/** Which operation the filters are for: each accepts its own keys. */
export type FilterUse = 'DescribeParameters' | 'GetParametersByPath';

/** AWS: the keys each operation accepts (tag:KEY besides). */
const KEYS: Readonly<Record<FilterUse, readonly string[]>> = {
  DescribeParameters: ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType'],
  GetParametersByPath: ['Type', 'KeyId', 'Label'],
};
const TYPES = ['String', 'StringList', 'SecureString'];
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'];
/** AWS: at most 50 values per filter, each up to 1024 characters. */
const MAX_VALUES = 50;

export interface CheckedFilter {
  readonly key: string;
  readonly option: string;
  readonly values: readonly string[];
}

/** The filters, checked; throws AWS's InvalidFilterKey / InvalidFilterOption / InvalidFilterValue. */
export function checkParameterFilters(
  filters: readonly ParameterStringFilter[] | undefined,
  use: FilterUse,
): CheckedFilter[] {
  const checked: CheckedFilter[] = [];
  const seen = new Set<string>();
  for (const filter of filters ?? []) {
    const key = filter.Key ?? '';
    const tag = key.startsWith('tag:') && key.length > 4 && key.length <= 132;
    if (!tag && !KEYS[use].includes(key)) {
      throw new AwsError(
        'InvalidFilterKey',
        `The following filter key is not valid: ${key.slice(0, 132)}. Valid filter keys include: [${KEYS[use].join(', ')}].`,
      );
    }
    if (seen.has(key)) {
      throw new AwsError(
        'InvalidFilterKey',
        `The following filter is duplicated in the request: ${key}. A request can contain only one occurrence of a specific filter.`,
      );
    }
    seen.add(key);
    const values = filter.Values ?? [];
    if (values.length > MAX_VALUES || values.some((v) => v.length < 1 || v.length > 1024)) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value at 'parameterFilters.${checked.length + 1}.member.values' failed to satisfy constraint: Member must have length less than or equal to ${MAX_VALUES}, each value 1 to 1024 characters`,
      );
    }
    if (!tag && values.length === 0) {
      throw new AwsError(
        'InvalidFilterValue',
        `The following filter values are missing : null for filter key ${key}.`,
      );
    }
    const option = filter.Option ?? (key === 'Path' ? 'OneLevel' : 'Equals');
    const options =
      key === 'Path'
        ? ['Recursive', 'OneLevel']
        : key === 'Name'
          ? ['Equals', 'BeginsWith', 'Contains']
          : key === 'Label'
            ? ['Equals']
            : ['Equals', 'BeginsWith'];
    if (!options.includes(option)) {
      throw new AwsError(
        'InvalidFilterOption',
        `The following filter option is not valid: ${option.slice(0, 20)}. Valid options include: [${options.join(', ')}].`,
      );
    }
    const allowed = key === 'Type' ? TYPES : key === 'Tier' ? TIERS : undefined;
    const wrong = allowed && values.find((v) => !allowed.includes(v));
    if (wrong !== undefined && allowed) {
      throw new AwsError(
        'InvalidFilterValue',
        `The following filter value is not valid: ${wrong.slice(0, 64)}. Valid values include: [${allowed.join(', ')}].`,
      );
    }
    checked.push({ key, option, values: key === 'Path' ? values.map(checkPath) : values });
  }
  return checked;
}

/** DescribeParameters' deprecated Filters (Name, Type, KeyId), as ParameterFilters: Name matches by prefix. */
export function legacyFilters(filters: readonly ParametersFilter[]): CheckedFilter[] {
  return filters.map((filter) => {
    const key = filter.Key ?? '';
    if (!['Name', 'Type', 'KeyId'].includes(key)) {
      throw new AwsError(
        'InvalidFilterKey',
        `The following filter key is not valid: ${key.slice(0, 132)}. Valid filter keys include: [Name, Type, KeyId].`,
      );
    }
    const values = filter.Values ?? [];
    if (values.length === 0 || values.length > MAX_VALUES) {
      throw new AwsError(
        'InvalidFilterValue',
        `The following filter values are missing : null for filter key ${key}.`,
      );
    }
    return { key, option: key === 'Name' ? 'BeginsWith' : 'Equals', values };
  });
}

/** Whether the parameter (its latest version, its tags) passes every filter. */
export function matchesFilters(
  record: ParameterRecord,
  latest: ParameterVersion,
  filters: readonly CheckedFilter[],
): boolean {
  return filters.every((filter) => matches(record, latest, filter));
}

function matches(record: ParameterRecord, latest: ParameterVersion, filter: CheckedFilter): boolean {
  const { key, option, values } = filter;
  if (key.startsWith('tag:')) {
    const value = record.tags.get(key.slice(4));
    if (value === undefined) return false;
    return values.length === 0 || values.some((v) => compare(value, v, option));
  }
  switch (key) {
    case 'Name': {
      // AWS compares names with a leading slash either way
      const name = slashed(record.name);
      return values.some((v) =>
        option === 'Contains' ? record.name.includes(v) : compare(name, slashed(v), option),
      );
    }
    case 'Path':
      return values.some((path) => underPath(record.name, path, option === 'Recursive'));
    case 'Type':
      return values.some((v) => compare(latest.type, v, option));
    case 'KeyId':
      return latest.keyId !== undefined && values.some((v) => compare(latest.keyId!, v, option));
    case 'Tier':
      return values.some((v) => compare(latest.tier, v, option));
    case 'DataType':
      return values.some((v) => compare(latest.dataType, v, option));
    case 'Label':
      // GetParametersByPath: parameters one of whose versions carries one of the labels
      return record.versions.some((version) => version.labels.some((l) => values.includes(l)));
    default:
      return false;
  }
}

function compare(actual: string, wanted: string, option: string): boolean {
  return option === 'BeginsWith' ? actual.startsWith(wanted) : actual === wanted;
}

function slashed(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/** Whether `name` is under `path` (`/` or `/a/b`): a direct child, or any descendant when recursive. */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path === '/' ? '/' : `${path}/`;
  if (!name.startsWith(prefix) || name.length === prefix.length) return false;
  return recursive || !name.includes('/', prefix.length);
}
