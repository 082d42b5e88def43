import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The cdk-nag packs the app is checked against, by the name that prefixes their rule ids. */
export const NAG_PACK_NAMES = [
  'AwsSolutions',
  'NIST.800.53.R5',
  'HIPAA.Security',
  'PCI.DSS.321',
  'Serverless',
] as const;
export type NagPackName = (typeof NAG_PACK_NAMES)[number];

const COMPLIANCE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'] as const;

/**
 * The rules of the compliance and Serverless packs that the app acknowledges somewhere, each with the packs
 * (of {@link NAG_PACK_NAMES}) that report it. The nag tests fail on a pack missing here (an unacknowledged
 * finding) and on a pack listed in vain (an acknowledgment that matched nothing).
 */
const PACKS_REPORTING = {
  CloudWatchLogGroupEncrypted: COMPLIANCE_PACKS,
  IAMNoInlinePolicy: COMPLIANCE_PACKS,
  LambdaConcurrency: ['NIST.800.53.R5', 'HIPAA.Security'],
  LambdaDLQ: ['NIST.800.53.R5', 'HIPAA.Security', 'Serverless'],
  LambdaEventSourceMappingDestination: ['Serverless'],
  LambdaInsideVPC: COMPLIANCE_PACKS,
  LambdaTracing: ['Serverless'],
  S3BucketReplicationEnabled: COMPLIANCE_PACKS,
  S3BucketVersioningEnabled: COMPLIANCE_PACKS,
  S3DefaultEncryptionKMS: COMPLIANCE_PACKS,
  SQSRedrivePolicy: ['Serverless'],
} as const satisfies Record<string, readonly NagPackName[]>;

/** A rule that some of the app's packs report under the same name, e.g. `LambdaDLQ`. */
export type NagRule = keyof typeof PACKS_REPORTING;

/**
 * Acknowledges `rule` on `scope` for every pack that reports it (`NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ`,
 * `Serverless::Serverless-LambdaDLQ`…), with one reason. `scope` is the resource the finding is about, or the
 * construct that wraps only that resource: never a stack.
 */
export function acknowledgeNagRule(scope: IConstruct, rule: NagRule, reason: string): void {
  Validations.of(scope).acknowledge(
    ...PACKS_REPORTING[rule].map((pack) => ({ id: `${pack}::${pack}-${rule}`, reason })),
  );
}
