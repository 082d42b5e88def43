/**
 * CloudFormation: stacks created, updated and deleted through change sets (what `cdk deploy` and
 * `aws cloudformation deploy` use) or CreateStack/UpdateStack/DeleteStack, with AWS's stack status life cycle and
 * stack events. The resources' work is done by the deploy engine that `npm start` uses too
 * (deploy/stack-engine.ts). Operations answer at once and the stack changes afterwards, as on AWS: clients poll
 * DescribeStacks/DescribeStackEvents; tests await {@link CloudFormationService.settled}.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Clock } from '../clock';
import type { Emulator } from '../emulator';
import { AwsError } from '../errors';
import { pageOf } from '../kit/pagination';
import { creationOrder } from '../deploy/creation-order';
import { parameterValues } from '../deploy/parameters';
import {
  type ApplyOptions,
  type ResourceChange,
  type ResourceEvent,
  StackEngine,
  type StackEnvironment,
  type StackOutcome,
  type StackState,
} from '../deploy/stack-engine';
import { type CfnTemplate, TemplateError } from '../deploy/template';
import {
  ChangeSet,
  STACK_STATUSES,
  Stack,
  type StackDefinition,
  type StackEvent,
  type StackParameter,
  type StackTag,
} from './model';
import { parseTemplate, templateText } from './template-source';

export interface CloudFormationServiceOptions {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** The emulator the stacks' resources live in (known once it is started). */
  readonly emulator: () => Emulator;
  /** Where inline function code is written. @default a directory under the OS temp dir */
  readonly workDirectory?: string;
}

/** What a stack `npm start` deployed from its cloud assembly does differently (see createAssemblyStack). */
export type AssemblyStackHooks = Partial<
  Pick<StackEnvironment, 'assetPath' | 'onInstanceLog' | 'stackOutput' | 'workDirectory'>
>;

/** AWS's default quota of stacks per account and region. */
const MAX_STACKS = 2000;
/** Deleted stacks DescribeStacks (by id) and ListStacks still answer; AWS keeps them for 90 days. */
const MAX_DELETED_STACKS = 1000;
/** Change sets kept per stack. */
const MAX_CHANGE_SETS = 1000;
/** AWS pages these lists at 100 entries. */
const PAGE_SIZE = 100;
/** AWS: a stack or change set name starts with a letter and holds letters, digits and hyphens, at most 128. */
const NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";
const IAM_TYPES = /^AWS::IAM::/;
/** The properties that give an IAM resource a custom name (CAPABILITY_NAMED_IAM). */
const IAM_NAME_PROPERTIES = ['RoleName', 'ManagedPolicyName', 'UserName', 'GroupName', 'InstanceProfileName'];

interface ParameterInput {
  readonly ParameterKey?: string;
  readonly ParameterValue?: string;
  readonly UsePreviousValue?: boolean;
}

interface DefinitionInput {
  readonly TemplateBody?: string;
  readonly TemplateURL?: string;
  readonly UsePreviousTemplate?: boolean;
  readonly Parameters?: readonly ParameterInput[];
  readonly Capabilities?: readonly string[];
  readonly Tags?: ReadonlyArray<{ Key?: string; Value?: string }>;
  readonly RoleARN?: string;
  readonly NotificationARNs?: readonly string[];
  readonly RollbackConfiguration?: {
    RollbackTriggers?: readonly unknown[];
    MonitoringTimeInMinutes?: number;
  };
  readonly DeploymentConfig?: { Mode?: string; DisableRollback?: boolean };
  readonly ResourceTypes?: readonly string[];
}

/** Told about every durable change (`--state-dir`): a stack's status, definition or resources. */
export interface CloudFormationChanges {
  stackChanged(stack: Stack): void;
}

export class CloudFormationService {
  /** Every stack ever created, by id (deleted ones stay for DescribeStacks by id and ListStacks). */
  private readonly stacks = new Map<string, Stack>();
  /** Durable-state listener (persistence); undefined without `--state-dir`, so the hooks cost one check. */
  private changes: CloudFormationChanges | undefined;
  /** Stacks `npm start` deployed before a restart (`--state-dir`): its next deploy of them is an update. */
  private readonly restoredAssemblyStacks = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly workDirectory: string;
  /** Stacks `npm start` deployed from its cloud assembly, by id: what their engine does differently. */
  private readonly assemblyStacks = new Map<string, AssemblyStackHooks>();

  constructor(private readonly options: CloudFormationServiceOptions) {
    this.workDirectory =
      options.workDirectory ?? path.join(tmpdir(), `decoupled-cloudformation-${process.pid}`);
  }

  /** Resolves when no change set is being computed and no stack operation runs (tests await it). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  // ===== stacks ===============================================================================================

  /**
   * `npm start`'s deployment of one stack of its cloud assembly: a CreateStack with the same status life cycle,
   * events and resources, awaited, so DescribeStacks lists it and a later `cdk deploy` updates it in place. The
   * hooks stay with the stack: its code comes from the assembly's asset directories, its instances' output goes
   * to `npm start`, and its generated names stay the same from run to run (no stack id mixed in).
   */
  async createAssemblyStack(input: {
    readonly stackName: string;
    readonly template: CfnTemplate;
    readonly values: ReadonlyMap<string, unknown>;
    readonly hooks: AssemblyStackHooks;
  }): Promise<StackOutcome> {
    const name = stackName(input.stackName);
    const existing = this.liveStack(name);
    if (existing?.state !== undefined && this.restoredAssemblyStacks.delete(existing.stackId)) {
      return this.updateRestoredAssemblyStack(existing, input);
    }
    if (existing !== undefined) {
      throw new AwsError('AlreadyExistsException', `Stack [${name}] already exists`);
    }
    const stack = this.newStack(name, 'CREATE_IN_PROGRESS');
    stack.definition = this.assemblyDefinition(input);
    this.stacks.set(stack.stackId, stack);
    this.assemblyStacks.set(stack.stackId, input.hooks);
    this.stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated', undefined);
    const outcome = await this.engine(stack, undefined).create(input.template, input.values);
    this.finish(stack, outcome);
    return outcome;
  }

  /**
   * `npm start` on a kept state (`--state-dir`): the stack it deployed before the restart is updated to the
   * assembly in place, as `cdk deploy` would, so its queues keep their messages and its buckets their objects.
   */
  private async updateRestoredAssemblyStack(
    stack: Stack,
    input: {
      readonly template: CfnTemplate;
      readonly values: ReadonlyMap<string, unknown>;
      readonly hooks: AssemblyStackHooks;
    },
  ): Promise<StackOutcome> {
    const previous = stack.definition;
    stack.definition = this.assemblyDefinition(input);
    stack.lastUpdatedTime = this.options.clock.now();
    this.assemblyStacks.set(stack.stackId, input.hooks);
    this.setStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated', undefined);
    const outcome = await this.engine(stack, undefined).update(
      stack.state as StackState,
      input.template,
      input.values,
    );
    if (!outcome.ok) stack.definition = previous;
    this.finish(stack, outcome);
    return outcome;
  }

  private assemblyDefinition(input: {
    readonly template: CfnTemplate;
    readonly values: ReadonlyMap<string, unknown>;
  }): StackDefinition {
    const { template, values } = input;
    return {
      templateBody: JSON.stringify(template, null, 1),
      template,
      parameters: Object.entries(template.Parameters ?? {}).map(([key, p]) => ({
        ParameterKey: key,
        ParameterValue: String(p.Default ?? ''),
        ResolvedValue: p.Type.startsWith('AWS::SSM::Parameter::Value') ? String(values.get(key)) : undefined,
      })),
      values,
      // npm start deploys what the app declares: the acknowledgement `cdk deploy` asks for is implied
      capabilities: requiredCapabilities(template).required,
      tags: [],
      description: (template as { Description?: string }).Description,
    };
  }

  /** Persistence (`--state-dir`): every durable change from now on is reported to `changes`. */
  persistTo(changes: CloudFormationChanges): void {
    this.changes = changes;
  }

  /** Every stack, deleted ones included (persistence). */
  stackList(): readonly Stack[] {
    return [...this.stacks.values()];
  }

  /** Whether `npm start` deployed the stack from its cloud assembly (persistence). */
  isAssemblyStack(stack: Stack): boolean {
    return this.assemblyStacks.has(stack.stackId) || this.restoredAssemblyStacks.has(stack.stackId);
  }

  /** Restore: a stack as persisted; an assembly stack is updated, not created, by `npm start`'s next deploy. */
  adoptStack(stack: Stack, assembly: boolean): void {
    this.stacks.set(stack.stackId, stack);
    if (assembly) this.restoredAssemblyStacks.add(stack.stackId);
  }

  createStack(
    input: DefinitionInput & {
      StackName?: string;
      DisableRollback?: boolean;
      OnFailure?: string;
      TimeoutInMinutes?: number;
      EnableTerminationProtection?: boolean;
      ClientRequestToken?: string;
      StackPolicyBody?: string;
      StackPolicyURL?: string;
      RetainExceptOnCreate?: boolean;
    },
  ): { StackId: string } {
    const name = stackName(input.StackName);
    refuseUnsupported(input);
    if (input.StackPolicyBody !== undefined || input.StackPolicyURL !== undefined) {
      throw notSupported('StackPolicyBody and StackPolicyURL');
    }
    if (input.DisableRollback !== undefined && input.OnFailure !== undefined) {
      throw validation('You cannot specify both DisableRollback and OnFailure.');
    }
    if (input.OnFailure !== undefined && !['DO_NOTHING', 'ROLLBACK', 'DELETE'].includes(input.OnFailure)) {
      throw enumError(input.OnFailure, 'onFailure', ['DO_NOTHING', 'ROLLBACK', 'DELETE']);
    }
    const existing = this.liveStack(name);
    if (existing !== undefined)
      throw new AwsError('AlreadyExistsException', `Stack [${name}] already exists`);
    const stack = this.newStack(name, 'CREATE_IN_PROGRESS');
    const definition = this.definition(input, stack, undefined);
    this.stacks.set(stack.stackId, stack);
    stack.definition = definition;
    stack.terminationProtection = input.EnableTerminationProtection === true;
    stack.disableRollback = input.DisableRollback === true || input.OnFailure === 'DO_NOTHING';
    this.stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated', input.ClientRequestToken);
    this.run(async () => {
      const outcome = await this.engine(stack, input.ClientRequestToken).create(
        definition.template,
        definition.values,
        { disableRollback: stack.disableRollback, retainExceptOnCreate: input.RetainExceptOnCreate },
      );
      this.finish(stack, outcome);
      if (!outcome.ok && input.OnFailure === 'DELETE') this.startDelete(stack, input.ClientRequestToken, []);
    });
    return { StackId: stack.stackId };
  }

  updateStack(
    input: DefinitionInput & {
      StackName?: string;
      DisableRollback?: boolean;
      ClientRequestToken?: string;
      StackPolicyBody?: string;
      StackPolicyURL?: string;
      StackPolicyDuringUpdateBody?: string;
      StackPolicyDuringUpdateURL?: string;
      RetainExceptOnCreate?: boolean;
    },
  ): { StackId: string } {
    const stack = this.updatableStack(input.StackName);
    refuseUnsupported(input);
    for (const member of [
      'StackPolicyBody',
      'StackPolicyURL',
      'StackPolicyDuringUpdateBody',
      'StackPolicyDuringUpdateURL',
    ] as const) {
      if (input[member] !== undefined) throw notSupported(member);
    }
    const definition = this.definition(input, stack, stack.definition);
    let changes: ResourceChange[];
    try {
      changes = this.plan(stack, definition);
    } catch (error) {
      if (error instanceof TemplateError) throw validation(detailOf(error));
      throw error;
    }
    if (changes.length === 0 && sameDefinition(stack.definition, definition)) {
      throw validation('No updates are to be performed.');
    }
    this.startUpdate(stack, definition, input.ClientRequestToken, {
      disableRollback: input.DisableRollback === true,
      retainExceptOnCreate: input.RetainExceptOnCreate,
    });
    return { StackId: stack.stackId };
  }

  deleteStack(input: {
    StackName?: string;
    RetainResources?: readonly string[];
    RoleARN?: string;
    ClientRequestToken?: string;
    DeletionMode?: string;
    DeploymentConfig?: { Mode?: string };
  }): void {
    const name = stackNameOrId(input.StackName);
    if (input.DeletionMode !== undefined && input.DeletionMode !== 'STANDARD') {
      throw notSupported(`DeletionMode ${input.DeletionMode}`);
    }
    if (input.DeploymentConfig?.Mode !== undefined && input.DeploymentConfig.Mode !== 'STANDARD') {
      throw notSupported(`DeploymentConfig Mode ${input.DeploymentConfig.Mode}`);
    }
    // AWS: deleting a stack that does not exist (or no longer does) succeeds
    const stack = this.findStack(name);
    if (stack === undefined || stack.deleted || stack.status === 'DELETE_IN_PROGRESS') return;
    if (stack.terminationProtection) {
      throw validation(`Stack [${stack.stackName}] cannot be deleted while TerminationProtection is enabled`);
    }
    const retain = input.RetainResources ?? [];
    if (retain.length > 0 && stack.status !== 'DELETE_FAILED') {
      throw validation(
        `Invalid operation on stack [${stack.stackId}]. RetainResources can only be specified when the stack is in DELETE_FAILED state`,
      );
    }
    if (stack.inProgress) {
      throw validation(`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`);
    }
    this.startDelete(stack, input.ClientRequestToken, retain);
  }

  describeStacks(input: { StackName?: string; NextToken?: string } = {}): {
    Stacks: unknown[];
    NextToken?: string;
  } {
    let stacks: Stack[];
    if (input.StackName !== undefined) {
      const stack = this.findStack(stackNameOrId(input.StackName));
      if (stack === undefined) throw validation(`Stack with id ${input.StackName} does not exist`);
      stacks = [stack];
    } else {
      stacks = [...this.stacks.values()].filter((s) => !s.deleted);
    }
    const page = pageOf(stacks, this.page(input.NextToken));
    return { Stacks: page.items.map((s) => this.describe(s)), NextToken: page.nextToken };
  }

  describeStackEvents(input: { StackName?: string; NextToken?: string }): {
    StackEvents: unknown[];
    NextToken?: string;
  } {
    const stack = this.existingStack(input.StackName, (name) => `Stack [${name}] does not exist`);
    const newestFirst = [...stack.events].reverse();
    const page = pageOf(newestFirst, this.page(input.NextToken));
    return {
      StackEvents: page.items.map((e) => ({ ...e, Timestamp: new Date(e.Timestamp) })),
      NextToken: page.nextToken,
    };
  }

  describeStackResources(input: {
    StackName?: string;
    LogicalResourceId?: string;
    PhysicalResourceId?: string;
  }): { StackResources: unknown[] } {
    let stack: Stack | undefined;
    if (input.StackName !== undefined) {
      stack = this.existingStack(input.StackName, (name) => `Stack with id ${name} does not exist`);
    } else if (input.PhysicalResourceId !== undefined) {
      stack = [...this.stacks.values()].find(
        (s) => !s.deleted && [...s.resources.values()].some((r) => r.physicalId === input.PhysicalResourceId),
      );
      if (stack === undefined) {
        throw validation(`Stack for ${input.PhysicalResourceId} does not exist`);
      }
    } else {
      throw validation('Either StackName or PhysicalResourceId must be specified.');
    }
    const records = [...stack.resources.values()].filter(
      (r) =>
        (input.LogicalResourceId === undefined || r.logicalId === input.LogicalResourceId) &&
        (input.PhysicalResourceId === undefined ||
          input.StackName !== undefined ||
          r.physicalId === input.PhysicalResourceId),
    );
    return {
      StackResources: records.map((r) => ({
        StackName: stack.stackName,
        StackId: stack.stackId,
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId || undefined,
        ResourceType: r.type,
        Timestamp: new Date(r.timestamp),
        ResourceStatus: r.status,
        ResourceStatusReason: r.reason,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
    };
  }

  describeStackResource(input: { StackName?: string; LogicalResourceId?: string }): {
    StackResourceDetail: unknown;
  } {
    const stack = this.existingStack(input.StackName, (name) => `Stack with id ${name} does not exist`);
    const record =
      input.LogicalResourceId === undefined ? undefined : stack.resources.get(input.LogicalResourceId);
    if (record === undefined) {
      throw validation(
        `Resource ${input.LogicalResourceId ?? ''} does not exist for stack ${stack.stackName}`,
      );
    }
    const metadata = stack.state?.resources.get(record.logicalId)?.metadata;
    return {
      StackResourceDetail: {
        StackName: stack.stackName,
        StackId: stack.stackId,
        LogicalResourceId: record.logicalId,
        PhysicalResourceId: record.physicalId || undefined,
        ResourceType: record.type,
        LastUpdatedTimestamp: new Date(record.timestamp),
        ResourceStatus: record.status,
        ResourceStatusReason: record.reason,
        Metadata: metadata === undefined ? undefined : JSON.stringify(metadata),
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      },
    };
  }

  listStackResources(input: { StackName?: string; NextToken?: string }): {
    StackResourceSummaries: unknown[];
    NextToken?: string;
  } {
    const stack = this.existingStack(input.StackName, (name) => `Stack with id ${name} does not exist`);
    const page = pageOf([...stack.resources.values()], this.page(input.NextToken));
    return {
      StackResourceSummaries: page.items.map((r) => ({
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId || undefined,
        ResourceType: r.type,
        LastUpdatedTimestamp: new Date(r.timestamp),
        ResourceStatus: r.status,
        ResourceStatusReason: r.reason,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken: page.nextToken,
    };
  }

  listStacks(input: { NextToken?: string; StackStatusFilter?: readonly string[] } = {}): {
    StackSummaries: unknown[];
    NextToken?: string;
  } {
    const filter = input.StackStatusFilter ?? [];
    const unknown = filter.find((s) => !STACK_STATUSES.has(s));
    if (unknown !== undefined) throw enumError(unknown, 'stackStatusFilter', [...STACK_STATUSES]);
    // AWS: newest first
    const stacks = [...this.stacks.values()]
      .filter((s) => filter.length === 0 || filter.includes(s.status))
      .reverse();
    const page = pageOf(stacks, this.page(input.NextToken));
    return {
      StackSummaries: page.items.map((s) => ({
        StackId: s.stackId,
        StackName: s.stackName,
        TemplateDescription: s.definition?.description,
        CreationTime: new Date(s.creationTime),
        LastUpdatedTime: s.lastUpdatedTime === undefined ? undefined : new Date(s.lastUpdatedTime),
        DeletionTime: s.deletionTime === undefined ? undefined : new Date(s.deletionTime),
        StackStatus: s.status,
        StackStatusReason: s.statusReason,
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken: page.nextToken,
    };
  }

  getTemplate(input: { StackName?: string; ChangeSetName?: string; TemplateStage?: string }): {
    TemplateBody: string;
    StagesAvailable: string[];
  } {
    if (input.TemplateStage !== undefined && !['Original', 'Processed'].includes(input.TemplateStage)) {
      throw enumError(input.TemplateStage, 'templateStage', ['Original', 'Processed']);
    }
    let definition: StackDefinition | undefined;
    if (input.ChangeSetName !== undefined) {
      definition = this.changeSetOf(input.StackName, input.ChangeSetName).changeSet.definition;
    } else {
      const stack = this.existingStack(input.StackName, (name) => `Stack with id ${name} does not exist`);
      definition = stack.definition;
    }
    // a stack in REVIEW_IN_PROGRESS has no template until its first change set runs
    return { TemplateBody: definition?.templateBody ?? '{}', StagesAvailable: ['Original', 'Processed'] };
  }

  getTemplateSummary(input: {
    TemplateBody?: string;
    TemplateURL?: string;
    StackName?: string;
    StackSetName?: string;
  }): Record<string, unknown> {
    if (input.StackSetName !== undefined) throw notSupported('StackSetName');
    let template: CfnTemplate;
    if (input.StackName !== undefined) {
      if (input.TemplateBody !== undefined || input.TemplateURL !== undefined) {
        throw validation('Specify exactly one of TemplateBody, TemplateUrl, StackName or StackSetName.');
      }
      const stack = this.existingStack(input.StackName, (name) => `Stack with id ${name} does not exist`);
      template = stack.definition?.template ?? { Resources: {} };
    } else {
      template = this.parse(input);
    }
    const capabilities = requiredCapabilities(template);
    const resourceTypes = [...new Set(Object.values(template.Resources).map((r) => r.Type))];
    return {
      Parameters: Object.entries(template.Parameters ?? {}).map(([key, p]) => ({
        ParameterKey: key,
        DefaultValue: p.Default === undefined ? undefined : String(p.Default),
        ParameterType: p.Type,
        NoEcho: String((p as { NoEcho?: unknown }).NoEcho) === 'true',
        Description: (p as { Description?: string }).Description,
        ParameterConstraints: p.AllowedValues ? { AllowedValues: p.AllowedValues.map(String) } : {},
      })),
      Description: (template as { Description?: string }).Description,
      Capabilities: capabilities.required,
      CapabilitiesReason: capabilities.reason,
      ResourceTypes: resourceTypes,
      Version: '2010-09-09',
      Metadata:
        (template as { Metadata?: unknown }).Metadata === undefined
          ? undefined
          : JSON.stringify((template as { Metadata?: unknown }).Metadata),
      DeclaredTransforms: [],
      ResourceIdentifierSummaries: [],
    };
  }

  validateTemplate(input: { TemplateBody?: string; TemplateURL?: string }): Record<string, unknown> {
    const template = this.parse(input);
    const capabilities = requiredCapabilities(template);
    return {
      Parameters: Object.entries(template.Parameters ?? {}).map(([key, p]) => ({
        ParameterKey: key,
        DefaultValue: p.Default === undefined ? undefined : String(p.Default),
        NoEcho: String((p as { NoEcho?: unknown }).NoEcho) === 'true',
        Description: (p as { Description?: string }).Description,
      })),
      Description: (template as { Description?: string }).Description,
      Capabilities: capabilities.required,
      CapabilitiesReason: capabilities.reason,
      DeclaredTransforms: [],
    };
  }

  updateTerminationProtection(input: { StackName?: string; EnableTerminationProtection?: boolean }): {
    StackId: string;
  } {
    if (input.EnableTerminationProtection === undefined) {
      throw validation(
        "1 validation error detected: Value null at 'enableTerminationProtection' failed to satisfy constraint: Member must not be null",
      );
    }
    const stack = this.existingStack(input.StackName, (name) => `Stack [${name}] does not exist`);
    if (stack.deleted) throw validation(`Stack [${input.StackName}] does not exist`);
    stack.terminationProtection = input.EnableTerminationProtection;
    return { StackId: stack.stackId };
  }

  listExports(input: { NextToken?: string } = {}): { Exports: unknown[]; NextToken?: string } {
    const exports = [...this.stacks.values()]
      .filter((s) => !s.deleted)
      .flatMap((s) =>
        [...(s.state?.exports ?? [])].map(([Name, Value]) => ({ ExportingStackId: s.stackId, Name, Value })),
      );
    const page = pageOf(exports, this.page(input.NextToken));
    return { Exports: page.items, NextToken: page.nextToken };
  }

  listImports(input: { ExportName?: string; NextToken?: string }): { Imports: string[]; NextToken?: string } {
    const name = input.ExportName;
    if (name === undefined || name === '') {
      throw validation(
        "1 validation error detected: Value null at 'exportName' failed to satisfy constraint: Member must not be null",
      );
    }
    if (this.exporterOf(name) === undefined) throw validation(`Export '${name}' does not exist.`);
    const importers = this.importersOf(name);
    if (importers.length === 0) throw validation(`Export '${name}' is not imported by any stack.`);
    const page = pageOf(importers, this.page(input.NextToken));
    return { Imports: page.items, NextToken: page.nextToken };
  }

  // ===== change sets ==========================================================================================

  createChangeSet(
    input: DefinitionInput & {
      StackName?: string;
      ChangeSetName?: string;
      ChangeSetType?: string;
      ClientToken?: string;
      Description?: string;
      ResourcesToImport?: readonly unknown[];
      IncludeNestedStacks?: boolean;
      OnStackFailure?: string;
      ImportExistingResources?: boolean;
      DeploymentMode?: string;
    },
  ): { Id: string; StackId: string } {
    const name = stackName(input.StackName);
    const changeSetName = input.ChangeSetName;
    if (changeSetName === undefined || !NAME.test(changeSetName)) {
      throw validation(
        `1 validation error detected: Value '${(changeSetName ?? '').slice(0, 128)}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    }
    const type = input.ChangeSetType ?? 'UPDATE';
    if (type === 'IMPORT' || (input.ResourcesToImport ?? []).length > 0)
      throw notSupported('Importing resources');
    if (type !== 'CREATE' && type !== 'UPDATE')
      throw enumError(type, 'changeSetType', ['CREATE', 'UPDATE', 'IMPORT']);
    if (input.DeploymentMode !== undefined) throw notSupported(`DeploymentMode ${input.DeploymentMode}`);
    if (
      input.OnStackFailure !== undefined &&
      input.OnStackFailure !== 'ROLLBACK' &&
      input.OnStackFailure !== 'DO_NOTHING'
    ) {
      throw notSupported(`OnStackFailure ${input.OnStackFailure}`);
    }
    refuseUnsupported(input);
    const stack = this.liveStack(name);
    if (type === 'CREATE' && stack !== undefined && stack.status !== 'REVIEW_IN_PROGRESS') {
      throw validation(
        `Stack [${name}] already exists and cannot be created again with the changeSet [${changeSetName}].`,
      );
    }
    if (type === 'UPDATE') {
      if (stack === undefined || stack.status === 'REVIEW_IN_PROGRESS')
        throw validation(`Stack [${name}] does not exist`);
      this.checkUpdatable(stack);
    }
    const existing =
      stack === undefined ? undefined : [...stack.changeSets.values()].find((c) => c.name === changeSetName);
    if (existing !== undefined) {
      // AWS: the same request again (same client token) answers the change set it made
      if (input.ClientToken !== undefined && existing.clientToken === input.ClientToken) {
        return { Id: existing.id, StackId: (stack as Stack).stackId };
      }
      throw new AwsError('AlreadyExistsException', `ChangeSet ${changeSetName} already exists.`);
    }
    if (stack !== undefined && stack.changeSets.size >= MAX_CHANGE_SETS) {
      throw new AwsError('LimitExceededException', `ChangeSet limit exceeded for stack [${name}]`);
    }
    const fresh = stack === undefined;
    const target = stack ?? this.newStack(name, 'REVIEW_IN_PROGRESS');
    const definition = this.definition(input, target, type === 'UPDATE' ? target.definition : undefined);
    if (fresh) {
      this.stacks.set(target.stackId, target);
      this.stackEvent(target, 'REVIEW_IN_PROGRESS', 'User Initiated', undefined);
    }
    const changeSet = new ChangeSet(
      this.arn('changeSet', changeSetName),
      changeSetName,
      type,
      this.options.clock.now(),
      definition,
      input.Description,
      input.ClientToken,
      input.IncludeNestedStacks === true,
    );
    if (input.OnStackFailure === 'DO_NOTHING') changeSet.disableRollback = true;
    // AWS adopts existing custom-named resources; here creating one that exists adopts it already (a bucket in
    // us-east-1, a queue or topic with the same attributes), so the flag is recorded only
    changeSet.importExistingResources = input.ImportExistingResources === true;
    target.changeSets.set(changeSet.id, changeSet);
    // AWS computes the changes after answering: CREATE_PENDING, then CREATE_COMPLETE or FAILED
    this.run(async () => {
      if (!target.changeSets.has(changeSet.id)) return;
      try {
        changeSet.changes = this.plan(target, definition);
        if (
          type === 'UPDATE' &&
          changeSet.changes.length === 0 &&
          sameDefinition(target.definition, definition)
        ) {
          changeSet.status = 'FAILED';
          changeSet.statusReason = NO_CHANGES;
          return;
        }
        changeSet.status = 'CREATE_COMPLETE';
        changeSet.executionStatus = 'AVAILABLE';
      } catch (error) {
        changeSet.status = 'FAILED';
        changeSet.statusReason =
          error instanceof TemplateError || error instanceof AwsError ? detailOf(error) : String(error);
      }
    });
    return { Id: changeSet.id, StackId: target.stackId };
  }

  describeChangeSet(input: {
    StackName?: string;
    ChangeSetName?: string;
    NextToken?: string;
    IncludePropertyValues?: boolean;
  }): Record<string, unknown> {
    const { stack, changeSet } = this.changeSetOf(input.StackName, input.ChangeSetName);
    const page = pageOf(changeSet.changes, this.page(input.NextToken));
    const d = changeSet.definition;
    return {
      ChangeSetName: changeSet.name,
      ChangeSetId: changeSet.id,
      StackId: stack.stackId,
      StackName: stack.stackName,
      Description: changeSet.description,
      Parameters: d.parameters,
      CreationTime: new Date(changeSet.creationTime),
      ExecutionStatus: changeSet.executionStatus,
      Status: changeSet.status,
      StatusReason: changeSet.statusReason,
      NotificationARNs: [],
      RollbackConfiguration: {},
      Capabilities: d.capabilities,
      Tags: d.tags,
      Changes: page.items.map((c) => change(c, changeSet.id, input.IncludePropertyValues === true)),
      NextToken: page.nextToken,
      IncludeNestedStacks: changeSet.includeNestedStacks,
      OnStackFailure: changeSet.disableRollback ? 'DO_NOTHING' : 'ROLLBACK',
      ImportExistingResources: changeSet.importExistingResources,
      DeploymentConfig: { Mode: 'STANDARD' },
    };
  }

  executeChangeSet(input: {
    StackName?: string;
    ChangeSetName?: string;
    ClientRequestToken?: string;
    DisableRollback?: boolean;
    RetainExceptOnCreate?: boolean;
  }): Record<string, never> {
    const { stack, changeSet } = this.changeSetOf(input.StackName, input.ChangeSetName);
    if (changeSet.status !== 'CREATE_COMPLETE' || changeSet.executionStatus !== 'AVAILABLE') {
      throw new AwsError(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.id}] cannot be executed in its current status of [${changeSet.status}]`,
      );
    }
    if (changeSet.type === 'UPDATE') this.checkUpdatable(stack);
    else if (stack.status !== 'REVIEW_IN_PROGRESS') {
      throw validation(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    }
    changeSet.executionStatus = 'EXECUTE_IN_PROGRESS';
    const disableRollback = input.DisableRollback ?? changeSet.disableRollback;
    // AWS: executing a change set makes the stack's other change sets obsolete; they are deleted
    for (const other of [...stack.changeSets.values()])
      if (other !== changeSet) stack.changeSets.delete(other.id);
    const settle = (outcome: StackOutcome) => {
      changeSet.executionStatus = outcome.ok ? 'EXECUTE_COMPLETE' : 'EXECUTE_FAILED';
    };
    if (changeSet.type === 'CREATE') {
      stack.definition = changeSet.definition;
      stack.disableRollback = disableRollback;
      this.setStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated', input.ClientRequestToken);
      this.run(async () => {
        const outcome = await this.engine(stack, input.ClientRequestToken).create(
          changeSet.definition.template,
          changeSet.definition.values,
          { disableRollback, retainExceptOnCreate: input.RetainExceptOnCreate },
        );
        this.finish(stack, outcome);
        settle(outcome);
      });
    } else {
      this.startUpdate(
        stack,
        changeSet.definition,
        input.ClientRequestToken,
        { disableRollback, retainExceptOnCreate: input.RetainExceptOnCreate },
        settle,
      );
    }
    return {};
  }

  deleteChangeSet(input: { StackName?: string; ChangeSetName?: string }): Record<string, never> {
    const changeSetName = input.ChangeSetName ?? '';
    const byArn = changeSetName.startsWith('arn:');
    if (!byArn) {
      const stack = this.existingStack(input.StackName, (name) => `Stack [${name}] does not exist`);
      const found = [...stack.changeSets.values()].find((c) => c.name === changeSetName);
      // AWS: deleting a change set of that name that does not exist succeeds (the CDK CLI relies on it)
      if (found === undefined) return {};
      this.deleteFrom(stack, found);
      return {};
    }
    const { stack, changeSet } = this.changeSetOf(input.StackName, changeSetName);
    this.deleteFrom(stack, changeSet);
    return {};
  }

  listChangeSets(input: { StackName?: string; NextToken?: string }): {
    Summaries: unknown[];
    NextToken?: string;
  } {
    const stack = this.existingStack(input.StackName, (name) => `Stack [${name}] does not exist`);
    const page = pageOf([...stack.changeSets.values()], this.page(input.NextToken));
    return {
      Summaries: page.items.map((c) => ({
        StackId: stack.stackId,
        StackName: stack.stackName,
        ChangeSetId: c.id,
        ChangeSetName: c.name,
        ExecutionStatus: c.executionStatus,
        Status: c.status,
        StatusReason: c.statusReason,
        CreationTime: new Date(c.creationTime),
        Description: c.description,
        IncludeNestedStacks: c.includeNestedStacks,
        ImportExistingResources: c.importExistingResources,
      })),
      NextToken: page.nextToken,
    };
  }

  // ===== what the operations share ============================================================================

  private deleteFrom(stack: Stack, changeSet: ChangeSet): void {
    if (changeSet.executionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new AwsError(
        'InvalidChangeSetStatus',
        `Cannot delete ChangeSet in status ${changeSet.executionStatus}`,
      );
    }
    stack.changeSets.delete(changeSet.id);
  }

  private startUpdate(
    stack: Stack,
    definition: StackDefinition,
    token: string | undefined,
    options: ApplyOptions,
    settle?: (outcome: StackOutcome) => void,
  ): void {
    const previous = stack.definition;
    const state = stack.state as StackState;
    stack.definition = definition;
    stack.lastUpdatedTime = this.options.clock.now();
    this.setStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated', token);
    this.run(async () => {
      const outcome = await this.engine(stack, token).update(
        state,
        definition.template,
        definition.values,
        options,
      );
      // a rolled-back update keeps the template that is deployed
      if (!outcome.ok && options.disableRollback !== true) stack.definition = previous;
      this.finish(stack, outcome);
      settle?.(outcome);
    });
  }

  private startDelete(stack: Stack, token: string | undefined, retain: readonly string[]): void {
    this.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated', token);
    stack.changeSets.clear();
    this.run(async () => {
      const state = stack.state;
      if (state === undefined) {
        this.setStatus(stack, 'DELETE_COMPLETE', undefined, token);
      } else {
        const kept = new Map([...state.resources].filter(([id]) => !retain.includes(id)));
        for (const id of retain) {
          const r = state.resources.get(id);
          if (r)
            this.resourceEvent(
              stack,
              { logicalId: id, type: r.type, status: 'DELETE_SKIPPED', physicalId: r.ref },
              token,
            );
        }
        const outcome = await this.engine(stack, token).delete({ ...state, resources: kept });
        stack.state = outcome.ok ? undefined : outcome.state;
      }
      if (stack.deleted) stack.deletionTime = this.options.clock.now();
    });
  }

  /** After a create or update: the stack's resources are what the engine left. */
  private finish(stack: Stack, outcome: StackOutcome): void {
    stack.state = outcome.state;
    this.changes?.stackChanged(stack);
  }

  /** What the engine needs of this service for `stack`: where it runs, and the other stacks' exports and outputs. */
  private environmentOf(stack: Stack): StackEnvironment {
    return {
      emulator: this.options.emulator(),
      stackName: stack.stackName,
      stackId: stack.stackId,
      workDirectory: this.workDirectory,
      // templates deployed over the wire carry no cloud assembly: code comes from S3
      assetPath: () => undefined,
      importValue: (name) => this.exportedValue(name),
      stackOutput: (name, key) => this.liveStack(name)?.state?.outputs[key],
      exporterOf: (name) => this.exporterOf(name),
      importersOf: (name) => this.importersOf(name),
    };
  }

  private engine(stack: Stack, token: string | undefined): StackEngine {
    const environment: StackEnvironment = {
      ...this.environmentOf(stack),
      nameSeed: stack.stackId.split('/').pop(),
      onResourceEvent: (event) => this.resourceEvent(stack, event, token),
      onStackStatus: (status, reason) => this.setStatus(stack, status, reason, token),
    };
    const hooks = this.assemblyStacks.get(stack.stackId);
    if (hooks === undefined) return new StackEngine(environment);
    return new StackEngine({
      ...environment,
      ...hooks,
      // an asset the template names that the assembly lacks (a later `cdk deploy`'s new code) comes from S3
      assetPath: (key) => hooks.assetPath?.(key),
      workDirectory: hooks.workDirectory ?? environment.workDirectory,
      stackOutput: (name, key) => environment.stackOutput(name, key) ?? hooks.stackOutput?.(name, key),
      nameSeed: undefined,
    });
  }

  private plan(stack: Stack, definition: StackDefinition): ResourceChange[] {
    return new StackEngine(this.environmentOf(stack)).planChanges(
      stack.state,
      definition.template,
      definition.values,
    );
  }

  /** Reads, parses and checks what a CreateStack/UpdateStack/CreateChangeSet deploys; nothing changes yet. */
  private definition(
    input: DefinitionInput,
    stack: Stack,
    previous: StackDefinition | undefined,
  ): StackDefinition {
    let templateBody: string;
    if (input.UsePreviousTemplate === true) {
      if (input.TemplateBody !== undefined || input.TemplateURL !== undefined) {
        throw validation('Specify exactly one of TemplateBody, TemplateUrl or UsePreviousTemplate.');
      }
      if (previous === undefined) throw validation('UsePreviousTemplate is only valid for updating a stack.');
      templateBody = previous.templateBody;
    } else {
      const emulator = this.options.emulator();
      templateBody = templateText(input, emulator.s3, emulator.endpoint);
    }
    const template = parseTemplate(templateBody);
    const given = new Map<string, string>();
    for (const p of input.Parameters ?? []) {
      const key = p.ParameterKey ?? '';
      if (p.UsePreviousValue === true) {
        if (p.ParameterValue !== undefined) {
          throw validation(
            `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true and non empty value for a parameter.`,
          );
        }
        const before = previous?.parameters.find((q) => q.ParameterKey === key);
        if (before === undefined) {
          throw validation(
            `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template.`,
          );
        }
        given.set(key, before.ParameterValue);
      } else {
        given.set(key, p.ParameterValue ?? '');
      }
    }
    const capabilities = [...(input.Capabilities ?? [])];
    const unknown = capabilities.find(
      (c) => !['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'].includes(c),
    );
    if (unknown !== undefined) {
      throw enumError(unknown, 'capabilities', [
        'CAPABILITY_IAM',
        'CAPABILITY_NAMED_IAM',
        'CAPABILITY_AUTO_EXPAND',
      ]);
    }
    const required = requiredCapabilities(template);
    const missing = required.required.filter(
      (c) =>
        !capabilities.includes(c) &&
        !(c === 'CAPABILITY_IAM' && capabilities.includes('CAPABILITY_NAMED_IAM')),
    );
    if (missing.length > 0) {
      throw new AwsError(
        'InsufficientCapabilitiesException',
        `Requires capabilities : [${missing.join(', ')}]`,
      );
    }
    let values: Map<string, unknown>;
    try {
      // AWS: a dependency cycle or a DependsOn to nothing is refused before anything happens
      creationOrder(template, stack.stackName);
      values = parameterValues(template, stack.stackName, { given, ssmParameter: this.ssmParameter() });
    } catch (error) {
      if (error instanceof TemplateError) throw validation(detailOf(error));
      throw error;
    }
    const declared = template.Parameters ?? {};
    const parameters: StackParameter[] = Object.keys(declared).map((key) => {
      const text = given.get(key) ?? String(declared[key].Default);
      const value = values.get(key);
      const ssm = declared[key].Type.startsWith('AWS::SSM::Parameter::Value');
      const noEcho = String((declared[key] as { NoEcho?: unknown }).NoEcho) === 'true';
      return {
        ParameterKey: key,
        ParameterValue: noEcho ? '****' : text,
        ResolvedValue: ssm ? (Array.isArray(value) ? value.join(',') : String(value)) : undefined,
      };
    });
    const tags: StackTag[] = (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
    if (tags.length > 50) throw validation('Number of tags cannot exceed 50.');
    return {
      templateBody,
      template,
      parameters,
      values,
      capabilities,
      tags,
      roleArn: input.RoleARN,
      description: (template as { Description?: string }).Description,
    };
  }

  private parse(input: { TemplateBody?: string; TemplateURL?: string }): CfnTemplate {
    const emulator = this.options.emulator();
    return parseTemplate(templateText(input, emulator.s3, emulator.endpoint));
  }

  /** An SSM parameter type's value, from the emulator's Parameter Store. */
  private ssmParameter(): (name: string) => string | undefined {
    const ssm = this.options.emulator().ssm;
    return (name) => ssm.parameterValue(name)?.value;
  }

  private exportedValue(name: string): string | undefined {
    for (const stack of this.stacks.values()) {
      if (stack.deleted) continue;
      const value = stack.state?.exports.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private exporterOf(name: string): string | undefined {
    return [...this.stacks.values()].find((s) => !s.deleted && s.state?.exports.has(name))?.stackName;
  }

  private importersOf(name: string): string[] {
    return [...this.stacks.values()]
      .filter((s) => !s.deleted && s.state?.imports.has(name))
      .map((s) => s.stackName);
  }

  private run(work: () => Promise<void>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error) => console.error('emulator: CloudFormation operation failed', error))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  private newStack(name: string, status: string): Stack {
    if ([...this.stacks.values()].filter((s) => !s.deleted).length >= MAX_STACKS) {
      throw new AwsError('LimitExceededException', 'Limit on the number of stacks has been exceeded');
    }
    const deleted = [...this.stacks.values()].filter((s) => s.deleted);
    for (const old of deleted.slice(0, Math.max(0, deleted.length - MAX_DELETED_STACKS + 1))) {
      this.stacks.delete(old.stackId);
    }
    return new Stack(this.arn('stack', name), name, this.options.clock.now(), status);
  }

  private arn(kind: 'stack' | 'changeSet', name: string): string {
    return `arn:aws:cloudformation:${this.options.region}:${this.options.accountId}:${kind}/${name}/${randomUUID()}`;
  }

  private setStatus(
    stack: Stack,
    status: string,
    reason: string | undefined,
    token: string | undefined,
  ): void {
    stack.status = status;
    stack.statusReason = reason;
    this.stackEvent(stack, status, reason, token);
    this.changes?.stackChanged(stack);
  }

  private stackEvent(
    stack: Stack,
    status: string,
    reason: string | undefined,
    token: string | undefined,
  ): void {
    const event: StackEvent = {
      EventId: randomUUID(),
      StackId: stack.stackId,
      StackName: stack.stackName,
      LogicalResourceId: stack.stackName,
      PhysicalResourceId: stack.stackId,
      ResourceType: 'AWS::CloudFormation::Stack',
      Timestamp: this.eventTime(stack),
      ResourceStatus: status,
      ResourceStatusReason: reason,
      ClientRequestToken: token,
    };
    stack.events.push(event);
  }

  /**
   * The emulator's time, made strictly later than the stack's previous event: resources are created within the
   * same millisecond here, and clients (the CDK CLI's progress display) order events by their timestamps.
   */
  private eventTime(stack: Stack): number {
    const last = stack.events.at(-1)?.Timestamp ?? 0;
    return Math.max(this.options.clock.now(), last + 1);
  }

  private resourceEvent(stack: Stack, event: ResourceEvent, token: string | undefined): void {
    const now = this.eventTime(stack);
    stack.events.push({
      EventId: `${event.logicalId}-${event.status}-${randomUUID()}`,
      StackId: stack.stackId,
      StackName: stack.stackName,
      LogicalResourceId: event.logicalId,
      PhysicalResourceId: event.physicalId,
      ResourceType: event.type,
      Timestamp: now,
      ResourceStatus: event.status,
      ResourceStatusReason: event.reason,
      ResourceProperties: event.properties === undefined ? undefined : JSON.stringify(event.properties),
      ClientRequestToken: token,
    });
    const current = stack.resources.get(event.logicalId);
    // the deletion of a replaced resource is about its old physical id: the new one stays listed
    if (event.status.startsWith('DELETE') && current !== undefined && current.physicalId !== event.physicalId)
      return;
    const cleaningUp = stack.status.endsWith('CLEANUP_IN_PROGRESS');
    if (event.status === 'DELETE_COMPLETE' && cleaningUp) {
      stack.resources.delete(event.logicalId);
      return;
    }
    stack.resources.set(event.logicalId, {
      logicalId: event.logicalId,
      physicalId: event.physicalId || current?.physicalId || '',
      type: event.type,
      status: event.status,
      reason: event.reason,
      timestamp: now,
    });
  }

  private describe(stack: Stack): Record<string, unknown> {
    const d = stack.definition;
    const outputs = stack.state === undefined ? undefined : this.outputsOf(stack, stack.state);
    return {
      StackId: stack.stackId,
      StackName: stack.stackName,
      ChangeSetId: [...stack.changeSets.values()].find((c) => c.executionStatus.startsWith('EXECUTE'))?.id,
      Description: d?.description,
      Parameters: d?.parameters,
      CreationTime: new Date(stack.creationTime),
      DeletionTime: stack.deletionTime === undefined ? undefined : new Date(stack.deletionTime),
      LastUpdatedTime: stack.lastUpdatedTime === undefined ? undefined : new Date(stack.lastUpdatedTime),
      RollbackConfiguration: {},
      StackStatus: stack.status,
      StackStatusReason: stack.statusReason,
      DisableRollback: stack.disableRollback,
      NotificationARNs: [],
      Capabilities: d?.capabilities,
      Outputs: outputs,
      RoleARN: d?.roleArn,
      Tags: d?.tags,
      EnableTerminationProtection: stack.terminationProtection,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
  }

  private outputsOf(stack: Stack, state: StackState): unknown[] {
    const declared = stack.definition?.template.Outputs ?? state.template.Outputs ?? {};
    const exportNames = new Map<string, string>();
    for (const [name, value] of state.exports) {
      const key = Object.keys(state.outputs).find(
        (k) => state.outputs[k] === value && declared[k]?.Export !== undefined,
      );
      if (key !== undefined) exportNames.set(key, name);
    }
    return Object.entries(state.outputs).map(([key, value]) => ({
      OutputKey: key,
      OutputValue: value,
      Description: declared[key]?.Description,
      ExportName: exportNames.get(key),
    }));
  }

  private page(token: string | undefined) {
    return { pageSize: PAGE_SIZE, token, invalidToken: () => validation('Invalid NextToken') };
  }

  /** A live stack by name, or any stack by id (a deleted one too, as AWS answers by id). */
  private findStack(nameOrId: string): Stack | undefined {
    if (nameOrId.startsWith('arn:')) return this.stacks.get(nameOrId);
    return this.liveStack(nameOrId);
  }

  private liveStack(name: string): Stack | undefined {
    for (const stack of this.stacks.values()) if (stack.stackName === name && !stack.deleted) return stack;
    return undefined;
  }

  private existingStack(nameOrId: string | undefined, message: (name: string) => string): Stack {
    const name = stackNameOrId(nameOrId);
    const stack = this.findStack(name);
    if (stack === undefined) throw validation(message(name));
    return stack;
  }

  private updatableStack(nameOrId: string | undefined): Stack {
    const stack = this.existingStack(nameOrId, (name) => `Stack [${name}] does not exist`);
    if (stack.deleted) throw validation(`Stack [${nameOrId}] does not exist`);
    this.checkUpdatable(stack);
    return stack;
  }

  /** AWS: a stack is updated only from a settled, successful (or rolled back update) state. */
  private checkUpdatable(stack: Stack): void {
    const ok = [
      'CREATE_COMPLETE',
      'UPDATE_COMPLETE',
      'UPDATE_ROLLBACK_COMPLETE',
      'UPDATE_FAILED',
      'CREATE_FAILED',
    ];
    if (!ok.includes(stack.status) || stack.state === undefined) {
      throw validation(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    }
  }

  private changeSetOf(
    stackNameOrArn: string | undefined,
    changeSetNameOrArn: string | undefined,
  ): { stack: Stack; changeSet: ChangeSet } {
    const name = changeSetNameOrArn ?? '';
    if (name === '') {
      throw validation(
        "1 validation error detected: Value null at 'changeSetName' failed to satisfy constraint: Member must not be null",
      );
    }
    const notFound = () => new AwsError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
    if (name.startsWith('arn:')) {
      for (const stack of this.stacks.values()) {
        const changeSet = stack.changeSets.get(name);
        if (changeSet !== undefined) return { stack, changeSet };
      }
      throw notFound();
    }
    if (stackNameOrArn === undefined) {
      throw validation('StackName must be specified if ChangeSetName is not specified as an ARN.');
    }
    const stack = this.existingStack(stackNameOrArn, (n) => `Stack [${n}] does not exist`);
    const changeSet = [...stack.changeSets.values()].find((c) => c.name === name);
    if (changeSet === undefined) throw notFound();
    return { stack, changeSet };
  }
}

// ----- pure helpers of this service ---------------------------------------------------------------------------

function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

function notSupported(what: string): AwsError {
  return validation(`${what} is not supported by the local emulator`);
}

function enumError(value: string, member: string, allowed: readonly string[]): AwsError {
  return validation(
    `1 validation error detected: Value '${value.slice(0, 64)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
  );
}

function stackName(name: string | undefined): string {
  if (name === undefined || !NAME.test(name)) {
    throw validation(
      `1 validation error detected: Value '${(name ?? '').slice(0, 128)}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*`,
    );
  }
  return name;
}

function stackNameOrId(name: string | undefined): string {
  if (name !== undefined && name.startsWith('arn:') && name.length <= 1600) return name;
  return stackName(name);
}

/** The members every deploying operation shares that the emulator cannot honour, refused by name. */
function refuseUnsupported(input: DefinitionInput): void {
  if ((input.NotificationARNs ?? []).length > 0) throw notSupported('NotificationARNs');
  if ((input.RollbackConfiguration?.RollbackTriggers ?? []).length > 0)
    throw notSupported('RollbackTriggers');
  if (input.DeploymentConfig?.Mode !== undefined && input.DeploymentConfig.Mode !== 'STANDARD') {
    throw notSupported(`DeploymentConfig Mode ${input.DeploymentConfig.Mode}`);
  }
  if ((input.ResourceTypes ?? []).length > 0) throw notSupported('ResourceTypes');
}

/** The TemplateError's own words, without the stack and resource it names (AWS's ValidationError text). */
function detailOf(error: Error): string {
  if (error instanceof TemplateError) {
    return error.logicalId !== undefined && !error.logicalId.startsWith('Outputs.')
      ? `Template error: resource ${error.logicalId}: ${error.detail}`
      : error.detail;
  }
  return error.message;
}

/** The capabilities a template needs (IAM resources; named ones need CAPABILITY_NAMED_IAM), and why. */
function requiredCapabilities(template: CfnTemplate): { required: string[]; reason?: string } {
  const iam = Object.entries(template.Resources).filter(([, r]) => IAM_TYPES.test(r.Type));
  if (iam.length === 0) return { required: [] };
  const named = iam.filter(([, r]) => IAM_NAME_PROPERTIES.some((p) => r.Properties?.[p] !== undefined));
  return {
    required: [named.length > 0 ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'],
    reason: `The following resource(s) require capabilities: [${[...new Set((named.length > 0 ? named : iam).map(([, r]) => r.Type))].join(', ')}]`,
  };
}

/** Whether two definitions deploy the same: then an update has nothing to do. */
function sameDefinition(a: StackDefinition | undefined, b: StackDefinition): boolean {
  if (a === undefined) return false;
  return (
    JSON.stringify(a.template) === JSON.stringify(b.template) &&
    JSON.stringify(a.parameters) === JSON.stringify(b.parameters) &&
    JSON.stringify(a.tags) === JSON.stringify(b.tags)
  );
}

/** One change as DescribeChangeSet shows it. */
function change(c: ResourceChange, changeSetId: string, withValues: boolean): Record<string, unknown> {
  return {
    Type: 'Resource',
    ResourceChange: {
      Action: c.action,
      LogicalResourceId: c.logicalId,
      PhysicalResourceId: c.physicalId,
      ResourceType: c.type,
      Replacement: c.replacement,
      Scope: c.scope,
      Details: c.details.map((d) => ({
        Target: {
          Attribute: d.attribute,
          Name: d.name,
          RequiresRecreation: d.requiresRecreation,
          Path: `/Properties/${d.name}`,
          AttributeChangeType:
            d.beforeValue === undefined
              ? 'Add'
              : d.afterValue === undefined && d.evaluation === 'Static'
                ? 'Remove'
                : 'Modify',
          ...(withValues
            ? {
                BeforeValue: d.beforeValue === undefined ? undefined : JSON.stringify(d.beforeValue),
                AfterValue: d.afterValue === undefined ? undefined : JSON.stringify(d.afterValue),
              }
            : {}),
        },
        Evaluation: d.evaluation,
        ChangeSource: d.changeSource,
        CausingEntity: d.causingEntity,
      })),
      ChangeSetId: changeSetId,
    },
  };
}
