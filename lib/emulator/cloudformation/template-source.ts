/**
 * Where a template comes from and how it reads: `TemplateBody` (JSON, or YAML with CloudFormation's short forms
 * `!Ref`, `!Sub`, `!GetAtt`…) or `TemplateURL`, an object of the emulator's own S3 in any URL form the CLIs
 * produce (`http://127.0.0.1:4566/bucket/key`, `https://s3.us-east-1.amazonaws.com/bucket/key`,
 * `https://bucket.s3.us-east-1.amazonaws.com/key`). Nothing is fetched from the network.
 */
import type * as Yaml from 'js-yaml';
import { AwsError } from '../errors';
import { textNestsDeeperThan } from '../kit/json-nesting';
import type { S3Service } from '../s3/service';
import type { CfnTemplate } from '../deploy/template';

/** AWS: a TemplateBody is at most 51,200 bytes; a template in S3 at most 1 MB. */
export const MAX_TEMPLATE_BODY = 51_200;
export const MAX_TEMPLATE_URL_OBJECT = 1_000_000;

/** Longer than any valid S3 URL (bucket ≤ 63, key ≤ 1,024 bytes percent-encoded). */
const MAX_URL_LENGTH = 4096;

/** `!Ref X` → `{ Ref: X }`, `!GetAtt A.B` → `{ 'Fn::GetAtt': ['A', 'B'] }`, `!Sub …` → `{ 'Fn::Sub': … }`. */
const SHORT_FORMS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'GetAtt',
];

/**
 * YAML's core schema (no functions, no classes: js-yaml 4's `load` is safe) plus CloudFormation's short forms. Made,
 * and js-yaml loaded, by the first YAML template: the emulator's start does not pay for them (5 MiB, 40 ms).
 */
function cfnSchema(yaml: typeof Yaml): Yaml.Schema {
  return yaml.CORE_SCHEMA.extend(
    [
      ...(['scalar', 'sequence', 'mapping'] as const).map(
        (kind) => new yaml.Type('!Ref', { kind, construct: (data) => ({ Ref: data }) }),
      ),
      ...(['scalar', 'sequence', 'mapping'] as const).map(
        (kind) => new yaml.Type('!Condition', { kind, construct: (data) => ({ Condition: data }) }),
      ),
    ].concat(
      SHORT_FORMS.flatMap((name) =>
        (['scalar', 'sequence', 'mapping'] as const).map(
          (kind) =>
            new yaml.Type(`!${name}`, {
              kind,
              construct: (data) => ({
                [`Fn::${name}`]:
                  name === 'GetAtt' && typeof data === 'string' ? splitOnce(data, '.') : (data ?? ''),
              }),
            }),
        ),
      ),
    ),
  );
}

/** js-yaml and the schema above, once. */
let cfnYaml: { readonly yaml: typeof Yaml; readonly schema: Yaml.Schema } | undefined;

/** Deeper than any template nests; what is deeper would overflow the recursive resolver. */
const MAX_TEMPLATE_DEPTH = 100;
/** More values than a 1 MB template holds: YAML aliases can make a small text a huge (or exponential) tree. */
const MAX_TEMPLATE_NODES = 500_000;

/** Refuses a parsed template that nests too deep or, through YAML aliases, holds too many values. */
function checkSize(value: unknown): void {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (++nodes > MAX_TEMPLATE_NODES) throw templateFormatError('the template holds too many values.');
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_TEMPLATE_DEPTH) {
      throw templateFormatError(`the template nests more than ${MAX_TEMPLATE_DEPTH} levels deep.`);
    }
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
}

function splitOnce(text: string, separator: string): string[] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/** The template, parsed and checked for the sections CloudFormation requires; AWS's ValidationError otherwise. */
export function parseTemplate(body: string): CfnTemplate {
  let parsed: unknown;
  const text = body.trimStart();
  if (text.startsWith('{') && textNestsDeeperThan(text, MAX_TEMPLATE_DEPTH)) {
    throw templateFormatError(`the template nests more than ${MAX_TEMPLATE_DEPTH} levels deep.`);
  }
  try {
    if (text.startsWith('{')) parsed = JSON.parse(text);
    else {
      if (cfnYaml === undefined) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by the first YAML template
        const yaml = require('js-yaml') as typeof Yaml;
        cfnYaml = { yaml, schema: cfnSchema(yaml) };
      }
      parsed = cfnYaml.yaml.load(text, { schema: cfnYaml.schema, json: true });
    }
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw templateFormatError(
      text.startsWith('{') ? `JSON not well-formed. (${reason})` : `YAML not well-formed. (${reason})`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw templateFormatError('unsupported structure.');
  }
  checkSize(parsed);
  const template = parsed as Record<string, unknown>;
  const resources = template.Resources;
  if (
    resources === undefined ||
    resources === null ||
    typeof resources !== 'object' ||
    Array.isArray(resources)
  ) {
    throw templateFormatError('At least one Resources member must be defined.');
  }
  const invalid = Object.entries(resources as Record<string, unknown>).find(
    ([, r]) => r === null || typeof r !== 'object' || typeof (r as { Type?: unknown }).Type !== 'string',
  );
  if (invalid !== undefined) {
    throw templateFormatError(
      `[/Resources/${invalid[0]}] Every Resources object must contain a Type member.`,
    );
  }
  // AWS's template quotas
  for (const [section, max] of [
    ['Resources', 500],
    ['Parameters', 200],
    ['Outputs', 200],
    ['Mappings', 200],
  ] as const) {
    const count = Object.keys((template[section] ?? {}) as object).length;
    if (count > max) {
      throw templateFormatError(
        `Number of ${section.toLowerCase()}, ${count}, is greater than maximum allowed, ${max}`,
      );
    }
  }
  for (const section of ['Parameters', 'Outputs', 'Conditions', 'Mappings']) {
    const value = template[section];
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw templateFormatError(`Every ${section} member must be an object.`);
    }
  }
  for (const [name, parameter] of Object.entries((template.Parameters ?? {}) as Record<string, unknown>)) {
    if (typeof (parameter as { Type?: unknown })?.Type !== 'string') {
      throw templateFormatError(`Every Parameters object must contain a Type member. (${name})`);
    }
  }
  if (template.Transform !== undefined) {
    throw new AwsError(
      'ValidationError',
      `Transform ${JSON.stringify(template.Transform)} is not supported by the local emulator; deploy the processed template.`,
    );
  }
  return template as unknown as CfnTemplate;
}

export function templateFormatError(detail: string): AwsError {
  return new AwsError('ValidationError', `Template format error: ${detail}`);
}

/** The template text of a TemplateBody or TemplateURL (exactly one); AWS's errors for neither, both, too large. */
export function templateText(
  input: { readonly TemplateBody?: string; readonly TemplateURL?: string },
  s3: S3Service,
  endpoint: string,
): string {
  const { TemplateBody: body, TemplateURL: url } = input;
  if ((body === undefined) === (url === undefined)) {
    throw new AwsError(
      'ValidationError',
      body === undefined
        ? 'Either Template URL or Template Body must be specified.'
        : 'Specify exactly one of TemplateBody or TemplateUrl.',
    );
  }
  if (body !== undefined) {
    if (Buffer.byteLength(body) > MAX_TEMPLATE_BODY) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${body.slice(0, 32)}...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY}`,
      );
    }
    return body;
  }
  const { bucket, key } = s3Location(url as string, endpoint);
  let object: ReturnType<S3Service['getObject']>;
  try {
    object = s3.getObject(bucket, key);
  } catch {
    // NoSuchBucket, NoSuchKey: CloudFormation words them all alike
    throw new AwsError(
      'ValidationError',
      'TemplateURL must reference a valid S3 object to which you have access.',
    );
  }
  if (object.body.length > MAX_TEMPLATE_URL_OBJECT) {
    throw new AwsError(
      'ValidationError',
      `Template may not exceed ${MAX_TEMPLATE_URL_OBJECT} bytes in size.`,
    );
  }
  return object.body.toBuffer().toString('utf8');
}

/** The bucket and key an S3 URL names: path style, virtual-hosted style, the emulator's own address. */
export function s3Location(url: string, endpoint: string): { bucket: string; key: string } {
  const unsupported = () => new AwsError('ValidationError', 'TemplateURL must be a supported URL.');
  if (url.length > MAX_URL_LENGTH) {
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value at 'templateURL' failed to satisfy constraint: Member must have length less than or equal to 5120`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unsupported();
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw unsupported();
  const host = parsed.hostname.toLowerCase();
  const own = new URL(endpoint).hostname.toLowerCase();
  const segments = parsed.pathname.split('/').slice(1);
  const decode = (parts: string[]) => {
    try {
      return parts.map(decodeURIComponent).join('/');
    } catch {
      throw unsupported();
    }
  };
  const pathStyle = () => {
    if (segments.length < 2 || segments[0] === '' || segments.slice(1).join('/') === '') throw unsupported();
    return { bucket: decode([segments[0]]), key: decode(segments.slice(1)) };
  };
  const virtualHost = (bucket: string) => {
    const key = decode(segments);
    if (bucket === '' || key === '') throw unsupported();
    return { bucket, key };
  };
  // the emulator itself, by the address it serves on or as localhost
  if (host === own || host === 'localhost' || host === '127.0.0.1' || host === '[::1]') return pathStyle();
  if (host.endsWith(`.${own}`) || host.endsWith('.localhost')) return virtualHost(host.split('.')[0]);
  if (!host.endsWith('.amazonaws.com')) throw unsupported();
  const labels = host.slice(0, -'.amazonaws.com'.length).split('.');
  // s3.amazonaws.com, s3.REGION.amazonaws.com, s3-REGION.amazonaws.com: path style
  if (labels.length <= 2 && (labels[0] === 's3' || labels[0].startsWith('s3-'))) return pathStyle();
  // BUCKET.s3.amazonaws.com, BUCKET.s3.REGION.amazonaws.com, BUCKET.s3-REGION.amazonaws.com (bucket names may hold dots)
  const s3Label = labels.findIndex((label, i) => i > 0 && (label === 's3' || label.startsWith('s3-')));
  if (s3Label > 0) return virtualHost(labels.slice(0, s3Label).join('.'));
  throw unsupported();
}
