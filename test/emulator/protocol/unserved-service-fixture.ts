/** The sentence every "not emulated" error ends with (unserved-service*.test.ts). */
export const SERVES =
  'It serves SQS, SNS, Lambda, CloudWatch, CloudWatch Logs, Auto Scaling, STS, SSM, Kinesis, CloudFormation, Firehose and S3.';
