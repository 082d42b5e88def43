/**
 * The long tier (`npm run test:long`): suites whose subject is a program outside the Jest worker (the AWS CLIs,
 * the CDK CLI, Chromium, this project's command line, the bench) or a stress or property-based run. Each is seconds
 * to minutes of CPU, most of it in those programs (an AWS CLI command is about 0.8 s of Python start-up), so `npm
 * test` leaves them out to stay a loop of a few minutes on two cores; `npm run test:all` (CI) runs both tiers.
 * A suite is listed by its path under test/.
 */
module.exports = [
  // every command of README.md and docs/workshop/ with each AWS CLI, against the app in local mode
  'docs/commands-aws-cli-v1.test.ts',
  'docs/commands-aws-cli-v2.test.ts',
  // `cdk deploy` and `cdk destroy` with the CDK CLI against the emulator
  'local/cdk-cli.test.ts',
  // the command line in child processes: npx decoupled, the emulator's own process, the project commands
  'bin/decoupled.test.ts',
  'emulator/main.test.ts',
  'emulator/control/clock-flag.test.ts',
  'project/project-cli.test.ts',
  // the console in Debian's Chromium
  'console/console-browser.test.ts',
  // the AWS CLIs (v1 and v2.9) and boto3, service by service
  'emulator/sqs/aws-cli.test.ts',
  'emulator/lambda/cli.test.ts',
  'emulator/lambda/control-plane-cli.test.ts',
  'emulator/cloudformation/cli.test.ts',
  'emulator/kinesis/aws-cli.test.ts',
  'emulator/sts/clients.test.ts',
  'emulator/s3/versioning-clients.test.ts',
  'emulator/s3/acl-clients.test.ts',
  'emulator/s3/encryption-clients.test.ts',
  'emulator/s3/sse-c-clients.test.ts',
  'emulator/s3/upload-part-copy-clients.test.ts',
  'emulator/s3/multipart-listing-clients.test.ts',
  'emulator/cloudwatch/wire-clients.test.ts',
  'emulator/protocol/request-guard-clients.test.ts',
  'emulator/sns/tag-resource-clients.test.ts',
  'emulator/protocol/unserved-service-clients.test.ts',
  'clients/s3-listing-clients.test.ts',
  // the bench's --json report, from a short run of the bench
  'bench/json-report.test.ts',
  // stress, size, crashes and property-based fuzzing
  'emulator/sqs/concurrency.test.ts',
  'emulator/s3/large-objects.test.ts',
  'emulator/autoscaling/fleet.test.ts',
  'emulator/state/kill-nine.test.ts',
  'emulator/state/metrics-kill-nine.test.ts',
  'emulator/protocol/fuzz-generated.test.ts',
  'emulator/protocol/fuzz-mutated.test.ts',
  'emulator/firehose/fuzz.test.ts',
  'emulator/kinesis/fuzz.test.ts',
  'emulator/logs/fuzz.test.ts',
  'emulator/ssm/fuzz.test.ts',
];
