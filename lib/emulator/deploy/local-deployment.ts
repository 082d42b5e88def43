/**
 * Local deployment: every stack of a cloud assembly (cdk.out), in dependency order, into a running emulator.
 * Within a stack, resources are created in CloudFormation's order (DependsOn and references), each by the
 * handler of its type; the others are listed as not emulated, with the reason. Outputs and exports are resolved
 * as CloudFormation resolves them, so `Fn::ImportValue` and CDK's `Fn::GetStackOutput` work across stacks.
 *
 *   const deployment = await deployCloudAssembly(emu, 'cdk.out');
 *   deployment.outputsFile();   // { "decoupled-sandbox-pipeline": { "WorkQueueUrl": "http://127.0.0.1:4566/…" } }
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Emulator } from '../emulator';
import { type AssemblyStack, readCloudAssembly } from './cloud-assembly';
import { creationOrder } from './creation-order';
import { IntrinsicResolver } from './intrinsics';
import { physicalName } from './physical-name';
import { NATIVE_CUSTOM_RESOURCES, notEmulatedReason, RESOURCE_HANDLERS } from './resources';
import type { DeployContext, ResourceStatus } from './resources/types';
import { type CfnTemplate, TemplateError } from './template';

export interface DeployedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /** `skipped`: its Condition is false, so CloudFormation would not create it either. */
  readonly status: ResourceStatus | 'skipped';
  /** What `Ref` returns: a queue URL, a topic ARN, a bucket or function name… */
  readonly ref: string;
  /** What the start-up table shows. */
  readonly display: string;
  readonly note?: string;
  /** The resolved properties (kept resources keep them for later checks). */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface DeployedStack {
  /** The artifact id, e.g. `Pipeline`. */
  readonly id: string;
  readonly stackName: string;
  readonly resources: readonly DeployedResource[];
  /** Output key → value, as `cdk deploy` prints them. */
  readonly outputs: Readonly<Record<string, string>>;
}

export interface LocalDeployment {
  readonly stacks: readonly DeployedStack[];
  /** The outputs in the shape `cdk deploy --outputs-file` writes: stack name → output key → value. */
  outputsFile(): Record<string, Record<string, string>>;
  /** An output of a stack, by stack id or name; throws when there is none (a test's typo shows at once). */
  output(stack: string, key: string): string;
}

export interface DeployOptions {
  /** Where inline function code is written. @default a directory under the OS temp dir */
  readonly workDirectory?: string;
  /** Receives each line a local instance prints. @default print it prefixed with the instance id */
  readonly onInstanceLog?: DeployContext['onInstanceLog'];
}

/** Reads the assembly in `dir` and deploys every stack. */
export function deployCloudAssembly(
  emulator: Emulator,
  dir: string,
  options: DeployOptions = {},
): Promise<LocalDeployment> {
  return deployStacks(emulator, readCloudAssembly(dir), options);
}

export async function deployStacks(
  emulator: Emulator,
  stacks: readonly AssemblyStack[],
  options: DeployOptions = {},
): Promise<LocalDeployment> {
  const deployed: DeployedStack[] = [];
  const exports = new Map<string, { value: string; stackName: string }>();
  const workDirectory = options.workDirectory ?? path.join(tmpdir(), `decoupled-local-${process.pid}`);
  for (const stack of stacks) {
    deployed.push(await deployStack(emulator, stack, deployed, exports, workDirectory, options));
  }
  const byName = (name: string) => deployed.find((s) => s.stackName === name || s.id === name);
  return {
    stacks: deployed,
    outputsFile: () => Object.fromEntries(deployed.map((s) => [s.stackName, { ...s.outputs }])),
    output(stack, key) {
      const found = byName(stack);
      if (!found)
        throw new Error(`no stack ${stack} was deployed (stacks: ${deployed.map((s) => s.id).join(', ')})`);
      const value = found.outputs[key];
      if (value === undefined) {
        throw new Error(
          `stack ${stack} has no output ${key} (outputs: ${Object.keys(found.outputs).join(', ')})`,
        );
      }
      return value;
    },
  };
}

async function deployStack(
  emulator: Emulator,
  stack: AssemblyStack,
  earlier: readonly DeployedStack[],
  exports: Map<string, { value: string; stackName: string }>,
  workDirectory: string,
  options: DeployOptions,
): Promise<DeployedStack> {
  const { template, stackName } = stack;
  const created = new Map<string, DeployedResource>();
  const resolver = new IntrinsicResolver({
    template,
    pseudo: {
      region: emulator.region,
      accountId: emulator.accountId,
      partition: 'aws',
      urlSuffix: 'amazonaws.com',
      stackName,
      stackId: `arn:aws:cloudformation:${emulator.region}:${emulator.accountId}:stack/${stackName}/${randomUUID()}`,
    },
    parameters: parameterValues(template, stackName),
    ref: (id) => created.get(id)?.ref,
    getAtt: (id, attribute) => {
      const resource = created.get(id);
      if (resource?.status === 'not-emulated') return `not-emulated:${id}.${attribute}`;
      return resource?.attributes[attribute];
    },
    importValue: (name) => exports.get(name)?.value,
    stackOutput: (name, key) => earlier.find((s) => s.stackName === name || s.id === name)?.outputs[key],
  });
  const providerFunctions = providersOfNativeCustomResources(template);

  for (const logicalId of creationOrder(template, stackName)) {
    const resource = template.Resources[logicalId];
    const base = { stackName, logicalId, type: resource.Type };
    let deployedResource: DeployedResource;
    if (resource.Condition !== undefined && !resolver.condition(resource.Condition, logicalId)) {
      deployedResource = {
        ...base,
        status: 'skipped',
        ref: '',
        display: '',
        note: `condition ${resource.Condition} is false`,
        properties: {},
        attributes: {},
      };
    } else {
      const properties = (resolver.resolve(resource.Properties ?? {}, logicalId) ?? {}) as Record<
        string,
        unknown
      >;
      const context: DeployContext = {
        emulator,
        physicalName: (naming) => physicalName(stackName, logicalId, naming),
        assetPath: (key) => stack.assets.get(key),
        workDirectory,
        providerFunctions,
        onInstanceLog: options.onInstanceLog,
      };
      const handler = RESOURCE_HANDLERS[resource.Type];
      if (handler === undefined) {
        const ref = physicalName(stackName, logicalId, { maxLength: 255 });
        deployedResource = {
          ...base,
          status: 'not-emulated',
          ref,
          display: ref,
          note: notEmulatedReason(resource.Type),
          properties,
          attributes: {},
        };
      } else {
        let provisioned;
        try {
          const metadata =
            resource.Metadata === undefined
              ? undefined
              : (resolver.resolve(resource.Metadata, logicalId) as Record<string, unknown>);
          provisioned = await handler.create({ ...base, properties, metadata }, context);
        } catch (error) {
          throw new TemplateError(
            stackName,
            logicalId,
            `${resource.Type} could not be created: ${describe(error)}`,
          );
        }
        deployedResource = {
          ...base,
          status: provisioned.status ?? 'emulated',
          ref: provisioned.ref,
          display: provisioned.display ?? provisioned.ref,
          note: provisioned.note,
          properties,
          attributes: provisioned.attributes ?? {},
        };
      }
    }
    created.set(logicalId, deployedResource);
  }

  const outputs: Record<string, string> = {};
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Condition !== undefined && !resolver.condition(output.Condition, `Outputs.${key}`)) continue;
    const value = resolver.resolve(output.Value, `Outputs.${key}`);
    outputs[key] = Array.isArray(value) ? value.join(',') : String(value);
    if (output.Export !== undefined) {
      const name = String(resolver.resolve(output.Export.Name, `Outputs.${key}`));
      const existing = exports.get(name);
      if (existing) {
        throw new TemplateError(
          stackName,
          `Outputs.${key}`,
          `Export with name ${name} is already exported by stack ${existing.stackName}`,
        );
      }
      exports.set(name, { value: outputs[key], stackName });
    }
  }
  return { id: stack.id, stackName, resources: [...created.values()], outputs };
}

/**
 * Parameter values: each parameter's Default. CDK's `BootstrapVersion` reads an SSM parameter of the
 * bootstrap stack; locally the environment counts as bootstrapped at the current version.
 */
function parameterValues(template: CfnTemplate, stackName: string): Map<string, unknown> {
  const values = new Map<string, unknown>();
  const missing: string[] = [];
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    if (
      parameter.Type.startsWith('AWS::SSM::Parameter::Value') &&
      String(parameter.Default).includes('/cdk-bootstrap/')
    ) {
      values.set(name, LOCAL_BOOTSTRAP_VERSION);
    } else if (parameter.Default !== undefined) {
      values.set(name, parameter.Default);
    } else {
      missing.push(name);
    }
  }
  if (missing.length > 0) {
    throw new TemplateError(stackName, undefined, `Parameters: [${missing.join(', ')}] must have values`);
  }
  return values;
}

/** The bootstrap version local mode reports to CDK's CheckBootstrapVersion rule. */
const LOCAL_BOOTSTRAP_VERSION = '30';

/** Functions whose only job is to be the ServiceToken of a custom resource the emulator applies itself. */
function providersOfNativeCustomResources(template: CfnTemplate): Map<string, string> {
  const providers = new Map<string, string>();
  for (const resource of Object.values(template.Resources)) {
    if (!NATIVE_CUSTOM_RESOURCES.has(resource.Type)) continue;
    const token = resource.Properties?.ServiceToken as { 'Fn::GetAtt'?: unknown } | undefined;
    const target = Array.isArray(token?.['Fn::GetAtt']) ? String(token['Fn::GetAtt'][0]) : undefined;
    if (target !== undefined) providers.set(target, resource.Type);
  }
  return providers;
}

/** An emulated service's error as CloudFormation would relay it: the AWS error code, then the message. */
function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.code === 'string' ? `${e.code}: ${message}` : message;
}
