import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { buildApp } from '../lib/decoupled-app';
import { projectContext } from './helpers/cdk';

interface ValidationReport {
  pluginReports: Array<{ pluginName: string; conclusion: string; violations: Array<{ ruleName: string }> }>;
}

/** Synthesizes the real app (bundling included) into a temporary cdk.out and reads its validation report. */
function synthApp(extend: (app: App) => void = () => {}, context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'decoupled-cdk-out-'));
  const app = new App({ outdir, context: { ...projectContext(), ...context } });
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

function acknowledgments(app: App): Array<{ construct: IConstruct; id: string; reason: string }> {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // Each entry records { [ruleId]: reason }.
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .map(([id, reason]) => ({ construct, id, reason })),
  );
}

describe('the whole app', () => {
  const synthesized = synthApp();
  afterAll(() => rmSync(synthesized.outdir, { recursive: true, force: true }));

  test('synthesizes without errors, bundling every handler', () => {
    expect(synthesized.synthError).toBeUndefined();
    const manifest = JSON.parse(readFileSync(path.join(synthesized.outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.artifacts)).toEqual(
      expect.arrayContaining(['QueueBasics', 'Pipeline', 'FanOut', 'WorkerFleet']),
    );
  });

  test("cdk-nag's AwsSolutions pack and CloudFormation validation report no violation", () => {
    const plugins = synthesized.report.pluginReports;

    expect(plugins.map((p) => p.pluginName)).toContain('AwsSolutions');
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
      // A finding of a rule with findings (`IAM5[Resource::...]`); a rule with one verdict per resource (SQS3)
      // is named bare, and then only on a construct that wraps one resource.
      expect(ack.id).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/);
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
    // Prepare
    const { outdir, built, synthError } = synthApp((app) => {
      for (const id of ['QueueBasics', 'Pipeline', 'FanOut']) app.node.tryRemoveChild(id);
    });
    const assetDir = path.join(outdir, `asset.${built.workerFleet.fleet.workerCode.assetHash}`);

    // Act
    const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    rmSync(outdir, { recursive: true, force: true });

    // Assess
    expect(synthError).toBeUndefined();
    expect(code).toContain('ReceiveMessage');
    expect(code).toContain('ChangeMessageVisibility');
    expect(code).not.toContain('require("@aws-sdk/client-sqs")');
  });

  test('its other set-up, target tracking in an existing VPC, passes the nag check too', () => {
    // Prepare: no bundling, the nag check reads the templates only
    const { report, synthError, outdir } = synthApp(() => {}, {
      'aws:cdk:bundling-stacks': [],
      workerScaling: 'target-tracking',
      workerVpcId: 'vpc-0123456789abcdef0',
      workerSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
    });
    rmSync(outdir, { recursive: true, force: true });

    // Assess
    expect(synthError).toBeUndefined();
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))).toEqual([]);
  });
});

describe('the nag check', () => {
  test('fails synth on an insecure resource that nobody acknowledged', () => {
    // Prepare: a queue without a DLQ and without a TLS-only policy.
    const { report, synthError, outdir } = synthApp((app) => {
      const stack = app.node.findChild('QueueBasics') as Stack;
      new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    });
    rmSync(outdir, { recursive: true, force: true });

    // Assess
    const violations = report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName));
    expect(synthError).toBeDefined();
    expect(violations).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
