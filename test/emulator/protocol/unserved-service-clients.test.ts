/**
 * What the AWS CLIs print for a service the emulator does not serve: the error naming it, parsed from the shape
 * each protocol's client expects (the shapes themselves, through raw requests: unserved-service.test.ts).
 */
import { AWS_CLIS, awsCli } from '../../helpers/aws-clients';
import { startTestEmulator, type TestEmulator } from '../../helpers/emulator';
import { SERVES } from './unserved-service-fixture';

let t: TestEmulator;
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t?.stop();
});

/** What a CLI prints on stderr when the command fails. */
async function cliError(command: string, ...args: string[]): Promise<string> {
  try {
    await awsCli(command, t.emulator.endpoint, ...args);
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
  throw new Error(`${command} ${args.join(' ')} succeeded`);
}

// one service per error shape the CLIs parse (query XML, EC2 XML, JSON); each call starts Python
describe.each(AWS_CLIS)('%s', (_name, command) => {
  test.each([
    ['rds describe-db-instances', 'RDS (rds DescribeDBInstances)'],
    ['ec2 describe-instances', 'EC2 (ec2 DescribeInstances)'],
    ['dynamodb list-tables', 'DynamoDB (dynamodb ListTables)'],
  ])('aws %s prints that the service is not emulated', async (args, named) => {
    // Act
    const printed = await cliError(command, ...args.split(' '));
    // Assess
    expect(printed).toContain('An error occurred (UnsupportedService)');
    expect(printed).toContain(`The local emulator does not emulate ${named}. ${SERVES}`);
    expect(printed).not.toContain('<');
  });
});
