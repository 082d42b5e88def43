/**
 * The harness of test/docs/commands-*.test.ts: every command of README.md and docs/workshop/*.md that runs against
 * a running app, run as written, once per AWS CLI on this machine, against the real app in local mode on a manual clock: each document in one bash (the
 * terminal a reader types into, so its `export`s, functions and variables carry from block to block), each block
 * checked for exit status 0 and a clean stderr, and some for the results their comments promise. The only change
 * to the text is the port (4566 → the test's).
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalApp } from '../helpers/local-app';
import { TEST_ASSEMBLY_TIMEOUT_MS } from '../helpers/test-assembly';

const ROOT = path.join(__dirname, '..', '..');
const DOCUMENTS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs', 'workshop'))
    .filter((file) => file.endsWith('.md'))
    .sort()
    .map((file) => `docs/workshop/${file}`),
];

/**
 * Blocks that start the app or deploy it (to AWS, or with the CDK CLI to a bare emulator), or run a test: the
 * harness is the running app instead, and deploying twice is cdk-deploy.md's test (test/local/cdk-cli.test.ts).
 */
const NOT_AGAINST_THE_APP = /^(npm ci|npm start|npm run emulator|npm run deploy|npx cdk |npx jest )/;

/** What the repository lends the reader's working directory (the commands read the samples and run the bins). */
const LENT = ['docs', 'bin', 'lib', 'lambda', 'package.json', 'tsconfig.json', 'node_modules'];

/** What a command prints on stderr that says nothing about the command. */
const HARMLESS_STDERR: readonly RegExp[] = [
  // the AWS SDK v3 (in the workshop commands) on Node.js 20, which this project supports
  /\(node:\d+\) Warning: NodeVersionSupportWarning: [\s\S]*?\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n/,
];

/** Some of the results the docs' comments promise, by document and a line of the block. */
const PROMISED: ReadonlyArray<{
  readonly document: string;
  readonly line: string;
  readonly stdout: RegExp;
}> = [
  { document: '01-queue-basics.md', line: 'receive-message --queue-url "$DLQ"', stdout: /"Body": "hello"/ },
  { document: '01-queue-basics.md', line: '# now it arrives', stdout: /"Body": "later"/ },
  {
    document: '02-pipeline.md',
    line: 'uploads/orders.json"',
    stdout: /o-1\.json[\s\S]*o-2\.json[\s\S]*o-3\.json/,
  },
  {
    document: '02-pipeline.md',
    line: 'results/o-2.json" -',
    stdout: /\{"orderId":"o-2","customerId":"c-2","itemCount":4,"total":25\.29\}/,
  },
  {
    document: '02-pipeline.md',
    line: 'uploads/mixed.json"',
    stdout: /^(?![\s\S]*o-11\.json)(?=[\s\S]*o-10\.json)(?=[\s\S]*o-12\.json)/,
  },
  {
    // issue 15: after `clock advance 10m`, o-11 is dead-lettered and the alarm fires, with no waiting
    document: '02-pipeline.md',
    line: 'npx decoupled peek pipeline/DeadLetterQueue',
    stdout: /^(?=[\s\S]*pipeline-ConsumerDeadLetterAlarm)(?=[\s\S]*"orderId": "o-11")/,
  },
  { document: '02-pipeline.md', line: 'out DeadLetterQueueUrl', stdout: /o-11/ },
  { document: '02-pipeline.md', line: 'cat /tmp/producer-out.json', stdout: /\{"errorType":"TypeError",/ },
  {
    document: '03-fan-out.md',
    line: 'out QuoteProducerFunctionName',
    stdout: /\{"published":\[\{"quoteId":"q-100",/,
  },
  {
    document: '03-fan-out.md',
    line: 'out OffersQueueUrl',
    stdout: /^(?=[\s\S]*q-100)(?=[\s\S]*q-101)(?=[\s\S]*q-103)/,
  },
];

interface Block {
  readonly document: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly text: string;
}

/** Sections whose commands run on an AWS account only (what they show needs real instances, e-mail, time). */
const ON_AWS_ONLY = /^#+ .*(on AWS|on a sandbox account|to AWS)/;

/** The ```sh blocks of a Markdown document, but those of its sections that run on AWS only. */
function shellBlocks(document: string): Block[] {
  const lines = readFileSync(path.join(ROOT, document), 'utf8').split('\n');
  const blocks: Block[] = [];
  let onAwsOnly = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('#')) onAwsOnly = ON_AWS_ONLY.test(lines[i]);
    if (!lines[i].trim().startsWith('```')) continue;
    const indent = lines[i].indexOf('```');
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) body.push(lines[i].slice(indent));
    if (lines[start].trim() === '```sh' && !onAwsOnly) {
      blocks.push({ document, line: start + 1, text: body.join('\n') });
    }
  }
  return blocks;
}

function againstTheApp(block: Block): boolean {
  const first =
    block.text.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('#')) ?? '';
  return !NOT_AGAINST_THE_APP.test(first.trim());
}

interface AwsCli {
  readonly label: string;
  readonly command: string;
  readonly version: string;
}

let installed: AwsCli[] | undefined;

/** The AWS CLIs on PATH (each distinct one), by what `--version` says. */
function installedClis(): AwsCli[] {
  installed ??= findClis();
  return installed;
}

function findClis(): AwsCli[] {
  const found = new Map<string, AwsCli>();
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const command = path.join(dir, 'aws');
    let version: string;
    try {
      const real = realpathSync(command);
      if ([...found.values()].some((cli) => realpathSync(cli.command) === real)) continue;
      const printed = execFileSync(command, ['--version'], {
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: 30_000,
      });
      version = /aws-cli\/(\d+\.\d+\.\d+)/.exec(printed)?.[1] ?? '';
    } catch {
      continue;
    }
    const [major, minor] = version.split('.').map(Number);
    // a pyenv shim runs pyenv at every call: link the CLI it stands for instead
    let target = command;
    try {
      if (readFileSync(command, 'latin1').includes('pyenv')) {
        target = execFileSync('pyenv', ['which', 'aws'], { encoding: 'utf8', stdio: 'pipe' }).trim();
      }
    } catch {
      // not a shim, or pyenv is not on PATH: the command as found
    }
    const label =
      major === 1 ? 'AWS CLI v1' : major === 2 && minor < 13 ? 'AWS CLI v2 before 2.13' : 'AWS CLI v2 2.13+';
    if (!found.has(label)) found.set(label, { label, command: target, version });
  }
  return [...found.values()];
}

interface BlockResult {
  readonly block: Block;
  readonly status: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a document's blocks in one bash, as a reader types them into one terminal; the outcome of each. */
async function runDocument(
  blocks: readonly Block[],
  cli: AwsCli,
  workdir: string,
  port: number,
): Promise<{ results: BlockResult[]; ms: number }> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'decoupled-docs-run-'));
  const bin = path.join(scratch, 'bin');
  mkdirSync(bin);
  symlinkSync(cli.command, path.join(bin, 'aws'));
  const driver = ['set -E', `trap 'echo "exit status $? from: $BASH_COMMAND" >&2' ERR`];
  blocks.forEach((block, i) => {
    writeFileSync(
      path.join(scratch, `${i}.sh`),
      block.text.replaceAll('127.0.0.1:4566', `127.0.0.1:${port}`),
    );
    // stdout through a pipe: `aws lambda invoke … /dev/stdout` would truncate a file
    driver.push(
      `started=$(date +%s%3N); ` +
        `{ . "${scratch}/${i}.sh"; } </dev/null 2>"${scratch}/${i}.err" > >(cat >"${scratch}/${i}.out"); ` +
        `echo $? >"${scratch}/${i}.status"; wait $!; echo $(($(date +%s%3N) - started)) >"${scratch}/${i}.ms"`,
    );
  });
  writeFileSync(path.join(scratch, 'driver.sh'), `${driver.join('\n')}\n`);
  const env: NodeJS.ProcessEnv = {
    PATH: [bin, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    // the reader's own AWS configuration is not the docs' business: what the docs export is all there is
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    npm_config_update_notifier: 'false',
  };
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', path.join(scratch, 'driver.sh')], {
      cwd: workdir,
      env,
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const read = (file: string) => {
    try {
      return readFileSync(path.join(scratch, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  const results = blocks.map((block, i) => {
    const status = read(`${i}.status`);
    return {
      block,
      status: status === undefined ? undefined : Number(status),
      stdout: read(`${i}.out`) ?? '',
      stderr: read(`${i}.err`) ?? '',
      ms: Number(read(`${i}.ms`) ?? NaN),
    };
  });
  rmSync(scratch, { recursive: true, force: true });
  return { results, ms: Date.now() - started };
}

/** What in a block's stderr is not a known-harmless warning. */
function unexpectedStderr(stderr: string): string {
  return HARMLESS_STDERR.reduce(
    (rest, harmless) => rest.replace(new RegExp(harmless, 'g'), ''),
    stderr,
  ).trim();
}

/**
 * The files under the repository's root and docs/ that a block names (`out.json`, `cat.jpg`…): a doc command must
 * leave none there, where the Prettier check of `npm test` would trip on it. (Other files come and go as others
 * edit the repository.)
 */
function strayFiles(blocks: readonly Block[]): string[] {
  const named = (entry: string) => blocks.some((block) => block.text.includes(path.basename(entry)));
  return [
    ...readdirSync(ROOT),
    ...readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).map((f) => `docs/${f}`),
  ]
    .filter(named)
    .sort();
}

const runnable = DOCUMENTS.map((document) => ({
  document,
  blocks: shellBlocks(document).filter(againstTheApp),
})).filter(({ blocks }) => blocks.length > 0);

/** The AWS CLIs the docs must work with, as {@link installedClis} labels them. */
export type AwsCliLabel = 'AWS CLI v1' | 'AWS CLI v2 before 2.13' | 'AWS CLI v2 2.13+';

/**
 * The tests of every documented command with one AWS CLI (skipped with the reason when it is not installed), each
 * document against the app that `startLocalApp` starts for the CLI.
 */
export function describeDocumentedCommands(label: AwsCliLabel, startLocalApp: () => Promise<LocalApp>): void {
  test(`the documents have the blocks whose results the harness checks (${label})`, () => {
    for (const promise of PROMISED) {
      const blocks = runnable.find(({ document }) => document.endsWith(promise.document))?.blocks ?? [];
      expect([
        promise.document,
        promise.line,
        blocks.some((block) => block.text.includes(promise.line)),
      ]).toEqual([promise.document, promise.line, true]);
    }
  });

  describe(`every documented command with ${label}`, () => {
    const cli = installedClis().find((c) => c.label === label);
    if (cli === undefined) {
      // a current AWS CLI v2 cannot be installed on the machine this project is built on (no internet access)
      test.skip(`${label} is not installed on this machine: its run is skipped`, () => undefined);
      return;
    }
    let app: LocalApp;
    let workdir: string;

    beforeAll(async () => {
      app = await startLocalApp();
      workdir = mkdtempSync(path.join(tmpdir(), 'decoupled-docs-'));
      for (const entry of LENT) symlinkSync(path.join(ROOT, entry), path.join(workdir, entry));
      // what npm start -- --outputs-file outputs.json writes
      writeFileSync(
        path.join(workdir, 'outputs.json'),
        `${JSON.stringify(app.mode.deployment.outputsFile(), null, 2)}\n`,
      );
    }, TEST_ASSEMBLY_TIMEOUT_MS);
    afterAll(async () => {
      await app?.stop();
      if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
    });

    test.each(runnable.map(({ document, blocks }) => [document, blocks] as const))(
      `${label}: %s`,
      async (document, blocks) => {
        const port = Number(new URL(app.mode.emulator.endpoint).port);
        const before = strayFiles(blocks);
        const { results, ms } = await runDocument(blocks, cli, workdir, port);
        const each = results.map((r) => `line ${r.block.line} ${(r.ms / 1000).toFixed(1)} s`).join(', ');
        console.log(`${cli.label} (${cli.version}): ${document} in ${(ms / 1000).toFixed(1)} s (${each})`);
        for (const result of results) {
          const where = `${result.block.document}:${result.block.line}\n${result.block.text}`;
          expect({ where, status: result.status, stderr: unexpectedStderr(result.stderr) }).toEqual({
            where,
            status: 0,
            stderr: '',
          });
          for (const promise of PROMISED) {
            if (!document.endsWith(promise.document) || !result.block.text.includes(promise.line)) continue;
            expect({ where, stdout: result.stdout }).toEqual({
              where,
              stdout: expect.stringMatching(promise.stdout),
            });
          }
        }
        expect(strayFiles(blocks)).toEqual(before);
        // npm start runs with --iam enforce: what the chapter does, AWS would allow (docs/permissions.md)
        const denials = app.events.filter((e) => e.kind === 'access-denied');
        expect(denials).toEqual([]);
      },
      360_000,
    );
  });
}
