/**
 * Reads a synthesized cloud assembly (cdk.out): which stacks there are, in what order they deploy, their
 * templates, and where each file asset (bundled Lambda code) lies on disk. Reads the manifest format
 * directly, so the emulator needs no aws-cdk-lib at run time.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from './template';

export interface AssemblyStack {
  /** The artifact id (the construct id of the stack), e.g. `Pipeline`. */
  readonly id: string;
  /** The CloudFormation stack name, e.g. `decoupled-sandbox-pipeline`. */
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Stack ids this one deploys after. */
  readonly dependsOn: readonly string[];
  /** Object key a template names for an asset (`<hash>.zip`) → the asset's path in the assembly. */
  readonly assets: ReadonlyMap<string, string>;
}

interface ManifestArtifact {
  readonly type: string;
  readonly dependencies?: readonly string[];
  readonly displayName?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly file?: string;
  };
}

interface AssetManifest {
  readonly files?: Record<
    string,
    {
      readonly source: { readonly path?: string };
      readonly destinations: Record<string, { readonly objectKey: string }>;
    }
  >;
}

/** Thrown when a directory holds no readable cloud assembly. */
export class CloudAssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudAssemblyError';
  }
}

/** The stacks of the assembly in `dir`, each after the stacks it depends on. */
export function readCloudAssembly(dir: string): AssemblyStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new CloudAssemblyError(
      `No cloud assembly in ${dir}: manifest.json is missing (run 'npx cdk synth' first)`,
    );
  }
  const artifacts = readJson<{ artifacts?: Record<string, ManifestArtifact> }>(manifestFile).artifacts ?? {};
  const stackIds = Object.keys(artifacts).filter((id) => artifacts[id].type === 'aws:cloudformation:stack');

  const stacks = stackIds.map((id): AssemblyStack => {
    const artifact = artifacts[id];
    const dependencies = artifact.dependencies ?? [];
    const assets = new Map<string, string>();
    for (const dep of dependencies) {
      const file =
        artifacts[dep]?.type === 'cdk:asset-manifest' ? artifacts[dep].properties?.file : undefined;
      if (file) addFileAssets(assets, dir, readJson<AssetManifest>(path.join(dir, file)));
    }
    const templateFile = artifact.properties?.templateFile;
    if (!templateFile)
      throw new CloudAssemblyError(`Stack artifact ${id} in ${manifestFile} names no templateFile`);
    return {
      id,
      stackName: artifact.properties?.stackName ?? id,
      template: readJson<CfnTemplate>(path.join(dir, templateFile)),
      dependsOn: dependencies.filter((dep) => stackIds.includes(dep)),
      assets,
    };
  });
  return inDeploymentOrder(stacks);
}

function addFileAssets(into: Map<string, string>, dir: string, manifest: AssetManifest): void {
  for (const asset of Object.values(manifest.files ?? {})) {
    if (!asset.source.path) continue;
    for (const destination of Object.values(asset.destinations)) {
      into.set(destination.objectKey, path.resolve(dir, asset.source.path));
    }
  }
}

function inDeploymentOrder(stacks: AssemblyStack[]): AssemblyStack[] {
  const ordered: AssemblyStack[] = [];
  const placed = new Set<string>();
  while (ordered.length < stacks.length) {
    const next = stacks.find((s) => !placed.has(s.id) && s.dependsOn.every((d) => placed.has(d)));
    if (!next) {
      const left = stacks.filter((s) => !placed.has(s.id)).map((s) => s.id);
      throw new CloudAssemblyError(`Stacks depend on each other in a cycle: ${left.join(', ')}`);
    }
    ordered.push(next);
    placed.add(next.id);
  }
  return ordered;
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new CloudAssemblyError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}
