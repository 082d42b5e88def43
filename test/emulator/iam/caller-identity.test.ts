/**
 * STS's GetCallerIdentity signed with the credentials the emulator hands a function or an instance (`--iam`):
 * AWS answers the role session (`assumed-role/ROLE/SESSION`, UserId `ROLEID:SESSION`), not the account.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { roleIdOf } from '../../../lib/emulator/sts/service';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

const ROLE = 'arn:aws:iam::000000000000:role/service-role/ConsumerRole';

describe('GetCallerIdentity of a role session the emulator issued', () => {
  const emulators: Emulator[] = [];
  afterEach(async () => {
    await Promise.all(emulators.splice(0).map((e) => e.stop()));
  });

  async function started(iam: 'enforce' | 'audit'): Promise<Emulator> {
    const emulator = await startEmulator({ port: 0, iam });
    emulators.push(emulator);
    return emulator;
  }

  function sts(emulator: Emulator, credentials: typeof TEST_CREDENTIALS): STSClient {
    return new STSClient({ endpoint: emulator.endpoint, region: emulator.region, credentials });
  }

  test.each(['enforce', 'audit'] as const)(
    '--iam %s: the assumed-role ARN and ROLEID:SESSION, as AWS answers',
    async (mode) => {
      // Prepare
      const emulator = await started(mode);
      const issued = emulator.iam.credentialsFor(ROLE, 'decoupled-consumer');
      if (issued === undefined) throw new Error(`no credentials under --iam ${mode}`);

      // Act
      const identity = await sts(emulator, issued).send(new GetCallerIdentityCommand({}));

      // Assess
      expect(identity).toMatchObject({
        Account: '000000000000',
        Arn: 'arn:aws:sts::000000000000:assumed-role/ConsumerRole/decoupled-consumer',
        UserId: `${roleIdOf(ROLE)}:decoupled-consumer`,
      });
      expect(identity.UserId).toMatch(/^AROA[A-Z2-7]{17}:decoupled-consumer$/);
    },
  );

  test("a wrong secret for the session's key is refused, not answered as the role", async () => {
    const emulator = await started('enforce');
    const issued = emulator.iam.credentialsFor(ROLE, 'decoupled-consumer');
    if (issued === undefined) throw new Error('no credentials under --iam enforce');

    await expect(
      sts(emulator, { ...issued, secretAccessKey: 'not-the-secret' }).send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
  });

  test('other keys remain the account (the root user), as before', async () => {
    const emulator = await started('enforce');

    const identity = await sts(emulator, TEST_CREDENTIALS).send(new GetCallerIdentityCommand({}));

    expect(identity.Arn).toBe('arn:aws:iam::000000000000:root');
  });
});
