/**
 * What the emulator answers, per service, read from the code: every operation of the SDK's model, emulated or not,
 * and the members it refuses by name. docs/emulator.md prints it (`npm run docs:operations` rewrites that part; a
 * test fails when the two differ).
 */
import * as autoScalingSdk from '@aws-sdk/client-auto-scaling';
import * as cloudFormationSdk from '@aws-sdk/client-cloudformation';
import * as cloudWatchSdk from '@aws-sdk/client-cloudwatch';
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import * as firehoseSdk from '@aws-sdk/client-firehose';
import * as kinesisSdk from '@aws-sdk/client-kinesis';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import * as s3Sdk from '@aws-sdk/client-s3';
import * as sqsSdk from '@aws-sdk/client-sqs';
import * as snsSdk from '@aws-sdk/client-sns';
import * as ssmSdk from '@aws-sdk/client-ssm';
import * as stsSdk from '@aws-sdk/client-sts';
import { AUTOSCALING_OPERATIONS, AUTOSCALING_UNSUPPORTED_MEMBERS } from './autoscaling';
import { CLOUDFORMATION_OPERATIONS, CLOUDFORMATION_UNSUPPORTED_MEMBERS } from './cloudformation';
import { CLOUDWATCH_OPERATIONS, CLOUDWATCH_UNSUPPORTED_MEMBERS } from './cloudwatch';
import { serviceModelOf } from './codec/service-model';
import { FIREHOSE_OPERATIONS, FIREHOSE_UNSUPPORTED_MEMBERS } from './firehose';
import { KINESIS_OPERATIONS, KINESIS_UNSUPPORTED_MEMBERS } from './kinesis';
import { LAMBDA_OPERATIONS, LAMBDA_UNSUPPORTED_MEMBERS } from './lambda';
import { LOGS_OPERATIONS, LOGS_UNSUPPORTED_MEMBERS } from './logs';
import { S3_OPERATIONS, S3_UNSUPPORTED_MEMBERS } from './s3';
import { SNS_OPERATIONS, SNS_UNSUPPORTED_MEMBERS } from './sns';
import { SQS_OPERATIONS, SQS_UNSUPPORTED_MEMBERS } from './sqs';
import { SSM_OPERATIONS, SSM_UNSUPPORTED_MEMBERS } from './ssm';
import { STS_OPERATIONS, STS_UNSUPPORTED_MEMBERS } from './sts';

export interface ServiceCatalog {
  readonly service: string;
  readonly protocol: string;
  /** Every operation of the SDK's model, in its order, and whether the emulator answers it. */
  readonly operations: readonly { readonly name: string; readonly emulated: boolean }[];
  /** Per emulated operation, the members it refuses by name. */
  readonly refused: Readonly<Record<string, readonly string[]>>;
}

interface Entry {
  readonly service: string;
  readonly protocol: string;
  readonly sdk: Readonly<Record<string, unknown>>;
  readonly emulated: readonly string[];
  readonly refused: Readonly<Record<string, readonly string[]>>;
}

function entries(): Entry[] {
  return [
    {
      service: 'SQS',
      protocol: 'AWS JSON 1.0 and query',
      sdk: sqsSdk,
      emulated: SQS_OPERATIONS,
      refused: SQS_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'SNS',
      protocol: 'query',
      sdk: snsSdk,
      emulated: SNS_OPERATIONS,
      refused: SNS_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'S3',
      protocol: 'REST-XML',
      sdk: s3Sdk,
      emulated: S3_OPERATIONS,
      refused: S3_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'Lambda',
      protocol: 'REST-JSON',
      sdk: lambdaSdk,
      emulated: LAMBDA_OPERATIONS,
      refused: LAMBDA_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'CloudWatch',
      protocol: 'AWS JSON 1.0 and query',
      sdk: cloudWatchSdk,
      emulated: CLOUDWATCH_OPERATIONS,
      refused: CLOUDWATCH_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'CloudWatch Logs',
      protocol: 'AWS JSON 1.1',
      sdk: logsSdk,
      emulated: LOGS_OPERATIONS,
      refused: LOGS_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'Auto Scaling',
      protocol: 'query',
      sdk: autoScalingSdk,
      emulated: AUTOSCALING_OPERATIONS,
      refused: AUTOSCALING_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'STS',
      protocol: 'query',
      sdk: stsSdk,
      emulated: STS_OPERATIONS,
      refused: STS_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'SSM',
      protocol: 'AWS JSON 1.1',
      sdk: ssmSdk,
      emulated: SSM_OPERATIONS,
      refused: SSM_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'Kinesis',
      protocol: 'AWS JSON 1.1',
      sdk: kinesisSdk,
      emulated: KINESIS_OPERATIONS,
      refused: KINESIS_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'Firehose',
      protocol: 'AWS JSON 1.1',
      sdk: firehoseSdk,
      emulated: FIREHOSE_OPERATIONS,
      refused: FIREHOSE_UNSUPPORTED_MEMBERS,
    },
    {
      service: 'CloudFormation',
      protocol: 'query',
      sdk: cloudFormationSdk,
      emulated: CLOUDFORMATION_OPERATIONS,
      refused: CLOUDFORMATION_UNSUPPORTED_MEMBERS,
    },
  ];
}

/** The catalog of every service, from the SDK models and the emulator's operation tables. */
export function operationCatalog(): ServiceCatalog[] {
  return entries().map((entry) => {
    const emulated = new Set(entry.emulated);
    const names = [...serviceModelOf(entry.sdk).operations.keys()].sort();
    return {
      service: entry.service,
      protocol: entry.protocol,
      operations: names.map((name) => ({ name, emulated: emulated.has(name) })),
      refused: entry.refused,
    };
  });
}

export const CATALOG_START =
  '<!-- operations: generated by `npm run docs:operations`, do not edit by hand -->';
export const CATALOG_END = '<!-- operations: end -->';

/** The catalog as docs/emulator.md prints it, between CATALOG_START and CATALOG_END. */
export function catalogMarkdown(catalog: readonly ServiceCatalog[] = operationCatalog()): string {
  const lines = [CATALOG_START, ''];
  for (const service of catalog) {
    const emulated = service.operations.filter((o) => o.emulated);
    lines.push(
      `<details><summary><b>${service.service}</b> (${service.protocol}): ${emulated.length} of ` +
        `${service.operations.length} operations emulated</summary>`,
      '',
      '| Operation | Emulated | Members refused by name |',
      '| --- | --- | --- |',
    );
    for (const operation of service.operations) {
      const refused = service.refused[operation.name] ?? [];
      lines.push(
        `| ${operation.name} | ${operation.emulated ? 'yes' : 'no'} | ${refused.map((m) => `\`${m}\``).join(', ')} |`,
      );
    }
    lines.push('', '</details>', '');
  }
  lines.push(CATALOG_END);
  return lines.join('\n');
}

/** `text` with its catalog block replaced by `block` (appended under a heading when it has none). */
export function withCatalog(text: string, block: string): string {
  const start = text.indexOf(CATALOG_START);
  const end = text.indexOf(CATALOG_END);
  if (start < 0 || end < start) return `${text.trimEnd()}\n\n## Operations, service by service\n\n${block}\n`;
  return text.slice(0, start) + block + text.slice(end + CATALOG_END.length);
}
