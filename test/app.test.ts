import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { NAG_PACK_NAMES } from '../lib/constructs/nag-acknowledgment';
import { buildApp } from '../lib/decoupled-app';
import { projectContext } from './helpers/cdk';

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Array<{ ruleName: string; severity: string }>;
    suppressedViolations?: Array<{ acknowledgedId: string; acknowledgedAt: string }>;
  }>;
}

/**
 * Synthesizes the real app (bundling included) into a temporary cdk.out and reads its validation report. The
 * default set-up gets CDK's CloudFormation validation too; the other set-ups test cdk-nag's packs only (the
 * validation engine costs seconds per synthesis).
 */
function synthApp(extend: (app: App) => void = () => {}, context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'decoupled-cdk-out-'));
  const builtinCloudFormationValidation = Object.keys(context).length === 0;
  const app = new App({
    outdir,
    context: { ...projectContext(), ...context },
    builtinCloudFormationValidation,
  });
  const built = buildApp(app);
  extend(app);
  let synthError: unknown;
  try {
    app.synth();
  } catch (e) {
    synthError = e;
  }
  const report = JSON.parse(
    readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return { app, built, outdir, report, synthError };
}

/** `Pack::Pack-Rule` or `Pack::Pack-Rule[finding]`, for each pack the app is checked against. */
const NAG_FINDING_ID = new RegExp(
  `^(${NAG_PACK_NAMES.map((p) => p.replaceAll('.', '\\.')).join('|')})::\\1-[A-Za-z0-9]+(\\[[^\\]]+\\])?$`,
);

function acknowledgments(app: App): Array<{ construct: IConstruct; id: string; reason: string }> {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // Each entry records { [ruleId]: reason }.
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ construct, id, reason })),
  );
}

/** The app as `cdk synth` makes it, bundling included; the packs test reuses it for the default set-up. */
const synthesized = synthApp();
afterAll(() => rmSync(synthesized.outdir, { recursive: true, force: true }));

describe('the whole app', () => {
  test('synthesizes without errors, bundling every handler', () => {
    expect(synthesized.synthError).toBeUndefined();
    const manifest = JSON.parse(readFileSync(path.join(synthesized.outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.artifacts)).toEqual(
      expect.arrayContaining(['QueueBasics', 'Pipeline', 'FanOut', 'WorkerFleet']),
    );
  });

  test("cdk-nag's packs and CloudFormation validation report no violation", () => {
    const plugins = synthesized.report.pluginReports;

    expect(plugins.map((p) => p.pluginName)).toEqual(expect.arrayContaining([...NAG_PACK_NAMES]));
    for (const plugin of plugins) {
      expect({ plugin: plugin.pluginName, violations: plugin.violations.map((v) => v.ruleName) }).toEqual({
        plugin: plugin.pluginName,
        violations: [],
      });
      expect(plugin.conclusion).toBe('success');
    }
  });

  test('every acknowledgment names one exact finding on one resource, with a specific reason', () => {
    // CDK acknowledges a few findings of its own CloudFormation validation on what it generates (a VPC's
    // Fn::GetAZs, a flow log's DestinationOptions): those are not ours to justify.
    const acks = acknowledgments(synthesized.app).filter(
      (a) => !a.id.startsWith('CloudFormation-Validate::'),
    );

    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.construct).not.toBeInstanceOf(Stack);
      expect(ack.construct).not.toBeInstanceOf(App);
      // A finding of a rule with findings (`IAM5[Resource::...]`); a rule with one verdict per resource (SQS3,
      // LambdaDLQ) is named bare, and then only on a construct that wraps one resource.
      expect(ack.id).toMatch(NAG_FINDING_ID);
      if (!ack.id.endsWith(']')) expect(ack.construct.node.defaultChild).toBeInstanceOf(CfnResource);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });

  test('every Lambda runtime is current: Node.js 24 for our handlers', () => {
    const runtimes = ['QueueBasics', 'Pipeline', 'FanOut'].flatMap((stack) => {
      const template = JSON.parse(
        readFileSync(path.join(synthesized.outdir, `${stack}.template.json`), 'utf8'),
      );
      return Object.values(
        template.Resources as Record<string, { Type: string; Properties: { Runtime?: string } }>,
      )
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) => r.Properties.Runtime);
    });

    // Pipeline: producer, consumer, S3 auto-delete provider; FanOut: the same three.
    expect(runtimes.filter((r) => r?.startsWith('nodejs'))).toEqual(Array(6).fill('nodejs24.x'));
  });

  test('the stage decides the stack names', () => {
    expect(synthesized.built.pipeline.stackName).toBe('decoupled-sandbox-pipeline');
    expect(synthesized.built.queueBasics.stackName).toBe('decoupled-sandbox-queue-basics');
    expect(synthesized.built.fanOut.stackName).toBe('decoupled-sandbox-fan-out');
    expect(synthesized.built.workerFleet.stackName).toBe('decoupled-sandbox-worker-fleet');
  });
});

describe('the worker fleet', () => {
  test('bundles the worker into the asset the instances download: one index.js with the SDK inside', () => {
    // Prepare: the app synthesized above, bundling included
    const { outdir, built, synthError } = synthesized;
    const assetDir = path.join(outdir, `asset.${built.workerFleet.fleet.workerCode.assetHash}`);

    // Act
    const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');

    // Assess
    expect(synthError).toBeUndefined();
    expect(code).toContain('ReceiveMessage');
    expect(code).toContain('ChangeMessageVisibility');
    expect(code).not.toContain('require("@aws-sdk/client-sqs")');
  });
});

describe('the nag check', () => {
  test('fails synth on an insecure resource that nobody acknowledged', () => {
    // Prepare: a queue without a DLQ and without a TLS-only policy.
    const { report, synthError, outdir } = synthApp(
      (app) => {
        const stack = app.node.findChild('QueueBasics') as Stack;
        new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
      },
      { 'aws:cdk:bundling-stacks': [] },
    );
    rmSync(outdir, { recursive: true, force: true });

    // Assess
    const violations = report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName));
    expect(synthError).toBeDefined();
    expect(violations).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});

describe("cdk-nag's compliance and Serverless packs", () => {
  // Every set-up the other tests synthesize: both scalings, a new and an existing VPC, a stage that destroys
  // its data and one that keeps it (versioned buckets).
  const SET_UPS: Record<string, Record<string, unknown>> = {
    'sandbox, step scaling in a new VPC': {},
    'sandbox, target tracking in an existing VPC': {
      workerScaling: 'target-tracking',
      workerVpcId: 'vpc-0123456789abcdef0',
      workerSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
    },
    'prod, step scaling in a new VPC': { stage: 'prod' },
    'prod, target tracking in a new VPC': { stage: 'prod', workerScaling: 'target-tracking' },
  };

  test.each(Object.entries(SET_UPS))(
    '%s: every finding of every pack is fixed or acknowledged, and every acknowledgment is used',
    (_, context) => {
      // Prepare: no bundling, the packs read the templates only (the default set-up is the app synthesized above)
      const { app, report, synthError, outdir } =
        Object.keys(context).length === 0
          ? synthesized
          : synthApp(() => {}, { 'aws:cdk:bundling-stacks': [], ...context });
      if (outdir !== synthesized.outdir) rmSync(outdir, { recursive: true, force: true });

      // Act
      const plugins = report.pluginReports.filter((p) =>
        (NAG_PACK_NAMES as readonly string[]).includes(p.pluginName),
      );
      const used = new Set(
        plugins.flatMap((p) =>
          (p.suppressedViolations ?? []).map((s) => `${s.acknowledgedAt} ${s.acknowledgedId}`),
        ),
      );
      const acks = acknowledgments(app)
        .filter((a) => NAG_FINDING_ID.test(a.id))
        .map((a) => `${a.construct.node.path} ${a.id}`);
      const unused = acks.filter((ack) => !used.has(ack));

      // Assess: no error and no warning left, and no acknowledgment of a finding that no longer exists
      expect(synthError).toBeUndefined();
      expect(plugins.map((p) => p.pluginName).sort()).toEqual([...NAG_PACK_NAMES].sort());
      for (const plugin of plugins) {
        expect({
          plugin: plugin.pluginName,
          violations: plugin.violations.map((v) => `${v.severity} ${v.ruleName}`),
        }).toEqual({ plugin: plugin.pluginName, violations: [] });
      }
      expect(acks.length).toBeGreaterThan(100);
      expect(unused).toEqual([]);
    },
  );

  test('fail synth on a finding nobody acknowledged: a log group without a customer-managed key', () => {
    // Prepare
    const { report, synthError, outdir } = synthApp(
      (app) => {
        const stack = app.node.findChild('QueueBasics') as Stack;
        new logs.LogGroup(stack, 'Unencrypted', { retention: logs.RetentionDays.ONE_DAY });
      },
      { 'aws:cdk:bundling-stacks': [] },
    );
    rmSync(outdir, { recursive: true, force: true });

    // Assess
    const violations = report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName));
    expect(synthError).toBeDefined();
    expect(violations).toEqual(
      expect.arrayContaining([
        'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
        'HIPAA.Security-CloudWatchLogGroupEncrypted',
        'PCI.DSS.321-CloudWatchLogGroupEncrypted',
      ]),
    );
  });
});
