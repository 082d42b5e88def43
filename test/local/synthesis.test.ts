/**
 * npm start's synthesis: CDK context and any app command reach the app as the CDK CLI passes them, and cdk.out
 * is reused only when it was made from the same sources, context and app, with the reason said when it is not.
 */
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalMode } from '../../lib/local/local-mode';
import { recordCliSynthesis, synthesizeApp, unknownContextKey } from '../../lib/local/synthesis';
import { sqsClientFor } from '../helpers/emulator';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'assembly-app.js');
/** The app inside the test's own project, as `--app "node bin/app.js"` names it. */
const APP = 'node bin/app.js';

/** A project of its own (cdk.json and its app), so other work on this repository changes nothing. */
function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'decoupled-synthesis-'));
  writeFileSync(path.join(root, 'cdk.json'), JSON.stringify({ context: { stage: 'dev' } }));
  mkdirSync(path.join(root, 'bin'));
  writeFileSync(path.join(root, 'bin', 'app.js'), readFileSync(FIXTURE));
  return root;
}

function queueNameIn(root: string): string {
  const template = JSON.parse(readFileSync(path.join(root, 'cdk.out', 'AssemblyApp.template.json'), 'utf8'));
  return template.Resources.Queue.Properties.QueueName;
}

describe('npm start synthesis', () => {
  let root: string;
  beforeEach(() => {
    root = project();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('cdk.out is reused while sources, context and app stay the same, and each change says why', async () => {
    // Act: the first run, then the same again
    const first = await synthesizeApp({ root, app: APP });
    const again = await synthesizeApp({ root, app: APP });

    // Assess
    expect(first).toMatchObject({ synthesized: true, reason: 'no cdk.out', stage: 'dev' });
    expect(queueNameIn(root)).toBe('assembly-app-dev');
    expect(again.synthesized).toBe(false);
    expect(again.reason).toBeUndefined();

    // Act: other context, given as -c
    const prod = await synthesizeApp({ root, app: APP, context: { stage: 'prod' } });

    // Assess: the app got it, and the reason names the change
    expect(prod).toMatchObject({
      synthesized: true,
      stage: 'prod',
      reason: 'cdk.out is from other context (stage=dev → stage=prod)',
    });
    expect(queueNameIn(root)).toBe('assembly-app-prod');

    // Act: a new context key, then a source file changed
    const added = await synthesizeApp({
      root,
      app: APP,
      context: { stage: 'prod', workerMaxInstances: '3' },
    });
    utimesSync(path.join(root, 'bin', 'app.js'), new Date(), new Date(Date.now() + 5_000));
    const edited = await synthesizeApp({
      root,
      app: APP,
      context: { stage: 'prod', workerMaxInstances: '3' },
    });

    // Assess
    expect(added.reason).toBe(
      'cdk.out is from other context (workerMaxInstances unset → workerMaxInstances=3)',
    );
    expect(edited.reason).toBe('sources changed');
  });

  test('another app command, or a cdk.out rewritten by someone else, is synthesized again', async () => {
    // Prepare
    await synthesizeApp({ root, app: APP });
    const other = `${APP} --other`;

    // Act
    const switched = await synthesizeApp({ root, app: other });
    writeFileSync(
      path.join(root, 'cdk.out', 'manifest.json'),
      readFileSync(path.join(root, 'cdk.out', 'manifest.json')),
    );
    utimesSync(path.join(root, 'cdk.out', 'manifest.json'), new Date(), new Date(Date.now() + 10_000));
    const rewritten = await synthesizeApp({ root, app: other });

    // Assess
    expect(switched.reason).toBe(`cdk.out is from another app (${APP} → ${other})`);
    expect(rewritten.reason).toBe(
      'cdk.out was rewritten since npm start or cdk synth made it (by a cdk deploy of some stacks?)',
    );
  });

  test('a cdk synth of this app is reused (bin/app.ts records it); one that bundled some stacks only is not', async () => {
    // Prepare: cdk.out as the CDK CLI leaves it, with the CLI's context (its own aws:cdk:… keys included)
    const outdir = path.join(root, 'cdk.out');
    mkdirSync(outdir);
    writeFileSync(path.join(outdir, 'manifest.json'), '{}');
    const cliContext = {
      stage: 'dev',
      'aws:cdk:enable-path-metadata': true,
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    };

    // Act: what `cdk synth` (every stack bundled) records, then npm start
    recordCliSynthesis(root, outdir, { ...cliContext, 'aws:cdk:bundling-stacks': ['**'] });
    const afterSynth = await synthesizeApp({ root });
    rmSync(path.join(outdir, 'decoupled-local.json'));
    recordCliSynthesis(root, outdir, { ...cliContext, 'aws:cdk:bundling-stacks': ['Pipeline'] });

    // Assess
    expect(afterSynth).toMatchObject({ synthesized: false, stage: 'dev' });
    expect(existsSync(path.join(outdir, 'decoupled-local.json'))).toBe(false);
  });

  test('an app outside the project is synthesized every time: its sources are not followed', async () => {
    const outside = `node ${FIXTURE}`;
    await synthesizeApp({ root, app: outside });

    const again = await synthesizeApp({ root, app: outside });

    expect(again).toMatchObject({
      synthesized: true,
      reason: 'the app lies outside this project, whose sources alone are followed',
    });
  });

  test('an app that fails or writes no assembly is reported', async () => {
    await expect(synthesizeApp({ root, app: 'node -e "process.exit(3)"' })).rejects.toThrow(
      'the app (node -e "process.exit(3)") failed with exit code 3',
    );
    await expect(synthesizeApp({ root, app: 'node -e ""' })).rejects.toThrow(
      /the app \(node -e ""\) wrote no cloud assembly to .*cdk\.out/,
    );
  });

  test("a misspelt context key of this app is named with the key it meant; CDK's own keys pass", async () => {
    await expect(unknownContextKey(ROOT, ['stgae'])).resolves.toBe(
      "unknown context key 'stgae' (did you mean 'stage'?)",
    );
    await expect(unknownContextKey(ROOT, ['workerMaxInstance'])).resolves.toBe(
      "unknown context key 'workerMaxInstance' (did you mean 'workerMaxInstances'?)",
    );
    await expect(
      unknownContextKey(ROOT, [
        'stage',
        'workerScaling',
        '@aws-cdk/core:newStyleStackSynthesis',
        'aws:cdk:x',
      ]),
    ).resolves.toBeUndefined();
  });

  test('npm start --app deploys another CDK app, with its context', async () => {
    // Act
    const lines: string[] = [];
    const mode = await startLocalMode({
      root,
      app: APP,
      context: { stage: 'qa' },
      port: 0,
      print: (line) => lines.push(line),
    });
    const sqs = sqsClientFor(mode.emulator.endpoint);
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'assembly-app-qa' }));

      // Assess
      expect(QueueUrl).toBe(`${mode.emulator.endpoint}/000000000000/assembly-app-qa`);
      expect(lines[0]).toBe(`Synthesizing the app ${APP} into cdk.out (no cdk.out) ...`);
      expect(lines[1]).toMatch(/^Synthesized for stage qa in \d+\.\d s\.$/);
      expect(mode.deployment.output('AssemblyApp', 'QueueName')).toBe('assembly-app-qa');
    } finally {
      sqs.destroy();
      await mode.stop();
    }
  });
});
