/**
 * Local deployment: every stack of a cloud assembly (cdk.out), in dependency order, into a running emulator.
 * Within a stack, resources are created in CloudFormation's order (DependsOn and references), each by the
 * handler of its type; the others are listed as not emulated, with the reason. Outputs and exports are resolved
 * as CloudFormation resolves them, so `Fn::ImportValue` and CDK's `Fn::GetStackOutput` work across stacks.
 *
 *   const deployment = await deployCloudAssembly(emu, 'cdk.out');
 *   deployment.outputsFile();   // { "decoupled-sandbox-pipeline": { "WorkQueueUrl": "http://127.0.0.1:4566/…" } }
 */
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Emulator } from '../emulator';
import { type AssemblyStack, readCloudAssembly } from './cloud-assembly';
import { parameterValues } from './parameters';
import type { DeployContext } from './resources/types';
import type { DeployedResource, StackState } from './stack-engine';

export type { DeployedResource } from './stack-engine';

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
  const workDirectory = options.workDirectory ?? path.join(tmpdir(), `decoupled-local-${process.pid}`);
  for (const stack of stacks) {
    deployed.push(await deployStack(emulator, stack, deployed, workDirectory, options));
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

/**
 * One stack, created through the emulator's CloudFormation service (so DescribeStacks lists it and a later
 * `cdk deploy` updates it); a failure rolls it back and throws.
 */
async function deployStack(
  emulator: Emulator,
  stack: AssemblyStack,
  earlier: readonly DeployedStack[],
  workDirectory: string,
  options: DeployOptions,
): Promise<DeployedStack> {
  const { template, stackName } = stack;
  const outcome = await emulator.cloudformation.createAssemblyStack({
    stackName,
    template,
    values: parameterValues(template, stackName),
    hooks: {
      workDirectory,
      assetPath: (key) => stack.assets.get(key),
      // CDK's Fn::GetStackOutput may name the stack by its artifact id
      stackOutput: (name, key) => earlier.find((s) => s.id === name)?.outputs[key],
      onInstanceLog: options.onInstanceLog,
    },
  });
  if (!outcome.ok) throw outcome.error;
  const state: StackState = outcome.state;
  return { id: stack.id, stackName, resources: [...state.resources.values()], outputs: state.outputs };
}
