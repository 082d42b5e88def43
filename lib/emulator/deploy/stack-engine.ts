/**
 * The deploy engine: creates, updates and deletes one stack's resources as CloudFormation does, for `npm start`
 * (local-deployment.ts) and for the CloudFormation service (change sets, CreateStack, DeleteStack) alike.
 *
 * - create: every resource in creation order (DependsOn and references), by its type's handler;
 * - update: added resources are created, changed ones updated in place or replaced (per the handler's
 *   `replacedBy` properties), then, in the clean-up phase, replaced and removed resources are deleted;
 * - delete: in reverse dependency order, `DeletionPolicy: Retain` kept;
 * - a failure rolls back what was done (created resources deleted, in-place updates reverted).
 *
 * Each resource status change is reported through `onResourceEvent` and each stack status through
 * `onStackStatus`, in the order CloudFormation emits them, so the service can turn them into stack events.
 */
import type { Emulator } from '../emulator';
import { creationOrder } from './creation-order';
import { IntrinsicResolver } from './intrinsics';
import { physicalName } from './physical-name';
import { notEmulatedReason, RESOURCE_HANDLERS, NATIVE_CUSTOM_RESOURCES } from './resources';
import type {
  DeployContext,
  ExistingResource,
  ProvisionedResource,
  ResourceHandler,
  ResourceStatus,
} from './resources/types';
import { type CfnResource, type CfnTemplate, TemplateError } from './template';

/** A resource of a deployed stack. */
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
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** How many times this logical id was replaced: a replacement gets a generated name of its own. */
  readonly replacement: number;
  /** The template's DeletionPolicy (`Retain` keeps it when the stack or the resource goes). */
  readonly deletionPolicy?: string;
}

/** What a stack is once deployed: its template and parameters, resources, outputs and exports. */
export interface StackState {
  readonly template: CfnTemplate;
  readonly parameters: ReadonlyMap<string, unknown>;
  /** By logical id, in creation order; resources whose condition is false are listed as `skipped`. */
  readonly resources: ReadonlyMap<string, DeployedResource>;
  readonly outputs: Readonly<Record<string, string>>;
  /** Export name → value. */
  readonly exports: ReadonlyMap<string, string>;
  /** The export names this stack imports (Fn::ImportValue), which their exporter may then not remove. */
  readonly imports: ReadonlySet<string>;
}

export type ResourceEventStatus =
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_COMPLETE'
  | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'DELETE_SKIPPED';

export interface ResourceEvent {
  readonly logicalId: string;
  readonly type: string;
  readonly status: ResourceEventStatus;
  /** The physical id; empty before a resource exists, as in CloudFormation's first CREATE_IN_PROGRESS. */
  readonly physicalId: string;
  readonly reason?: string;
  /** The resolved properties the event is about. */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** What a stack reads from outside itself, and where its progress goes. */
export interface StackEnvironment {
  readonly emulator: Emulator;
  readonly stackName: string;
  readonly stackId: string;
  /** Where handlers may write files (inline Lambda code). */
  readonly workDirectory: string;
  /** The directory of a cdk.out file asset, by object key; only `npm start` has an assembly. */
  assetPath(objectKey: string): string | undefined;
  /** The value exported under `name` by another stack. */
  importValue(name: string): string | undefined;
  /** An output of another stack (CDK's Fn::GetStackOutput). */
  stackOutput(stackName: string, outputName: string): string | undefined;
  /** The stack that exports `name` already, if another one does (an export name is unique per region). */
  exporterOf(name: string): string | undefined;
  /** The stacks importing `name`, which this stack may then not stop exporting. */
  importersOf(name: string): readonly string[];
  /**
   * Mixed into generated names. `npm start` leaves it out, so the same template always gets the same names and
   * URLs; CloudFormation stacks use their id, so a stack deleted and created again gets new names (a queue name
   * cannot be reused for 60 seconds after its deletion, as on AWS). @default none
   */
  readonly nameSeed?: string;
  readonly onInstanceLog?: DeployContext['onInstanceLog'];
  readonly onResourceEvent?: (event: ResourceEvent) => void;
  readonly onStackStatus?: (status: string, reason?: string) => void;
}

/** How a change set reports one resource. */
export interface ResourceChange {
  readonly action: 'Add' | 'Modify' | 'Remove';
  readonly logicalId: string;
  readonly type: string;
  /** The current physical id (Modify, Remove). */
  readonly physicalId?: string;
  /** Modify only: whether the update replaces the resource. */
  readonly replacement?: 'True' | 'False' | 'Conditional';
  readonly scope: readonly ('Properties' | 'Tags')[];
  readonly details: readonly PropertyChange[];
}

export interface PropertyChange {
  readonly attribute: 'Properties' | 'Tags';
  readonly name: string;
  readonly requiresRecreation: 'Never' | 'Conditionally' | 'Always';
  /** `Dynamic`: the new value depends on a resource that changes too, known only when the update runs. */
  readonly evaluation: 'Static' | 'Dynamic';
  readonly changeSource: 'DirectModification' | 'ResourceReference';
  readonly causingEntity?: string;
  readonly beforeValue?: unknown;
  readonly afterValue?: unknown;
}

export type StackOutcome =
  | { readonly ok: true; readonly state: StackState }
  /**
   * `state`: what exists after the rollback (or without one); `reason`: the stack's status reason; `error`: the
   * failure itself (a TemplateError naming the stack and resource, for `npm start` to show).
   */
  | {
      readonly ok: false;
      readonly state: StackState | undefined;
      readonly reason: string;
      readonly error: Error;
    };

export interface ApplyOptions {
  /** DisableRollback: a failure leaves what was done (CREATE_FAILED / UPDATE_FAILED). */
  readonly disableRollback?: boolean;
  /** RetainExceptOnCreate: a rollback deletes what this operation created even under `DeletionPolicy: Retain`. */
  readonly retainExceptOnCreate?: boolean;
}

/** A failure of one resource: `message` names the stack, the resource and the service's error. */
class ResourceFailure extends TemplateError {
  constructor(
    stackName: string,
    logicalId: string,
    readonly verb: 'create' | 'update' | 'delete',
    detail: string,
  ) {
    super(stackName, logicalId, detail);
  }
}

/** Stands for the value of a resource that is added or replaced, while a change set is computed. */
const CHANGING = '\u2063changing:';

export class StackEngine {
  constructor(private readonly env: StackEnvironment) {}

  // ----- change sets --------------------------------------------------------------------------------------

  /** The changes an update from `current` (none for a new stack) to `template` makes; throws TemplateError. */
  planChanges(
    current: StackState | undefined,
    template: CfnTemplate,
    parameters: ReadonlyMap<string, unknown>,
  ): ResourceChange[] {
    const changes: ResourceChange[] = [];
    const changing = new Set<string>();
    const live = current?.resources ?? new Map<string, DeployedResource>();
    const resolver = this.resolver(template, parameters, {
      ref: (id) => (changing.has(id) ? `${CHANGING}${id}` : live.get(id)?.ref),
      getAtt: (id, attribute) =>
        changing.has(id) ? `${CHANGING}${id}` : attributeOf(live.get(id), id, attribute),
    });
    const wanted = new Set<string>();
    for (const logicalId of creationOrder(template, this.env.stackName)) {
      const resource = template.Resources[logicalId];
      if (resource.Condition !== undefined && !resolver.condition(resource.Condition, logicalId)) continue;
      wanted.add(logicalId);
      const properties = resolveProperties(resolver, resource, logicalId);
      const old = live.get(logicalId);
      if (old === undefined || old.status === 'skipped') {
        changing.add(logicalId);
        changes.push({ action: 'Add', logicalId, type: resource.Type, scope: [], details: [] });
        continue;
      }
      if (old.type !== resource.Type) {
        changing.add(logicalId);
        changes.push({
          action: 'Modify',
          logicalId,
          type: resource.Type,
          physicalId: old.ref,
          replacement: 'True',
          scope: ['Properties'],
          details: [],
        });
        continue;
      }
      const details = propertyChanges(old.properties, properties, RESOURCE_HANDLERS[resource.Type]);
      if (details.length === 0) continue;
      const replacement = details.some((d) => d.requiresRecreation === 'Always')
        ? 'True'
        : details.some((d) => d.requiresRecreation === 'Conditionally')
          ? 'Conditional'
          : 'False';
      if (replacement !== 'False') changing.add(logicalId);
      const scope = [...new Set(details.map((d) => d.attribute))];
      changes.push({
        action: 'Modify',
        logicalId,
        type: resource.Type,
        physicalId: old.ref,
        replacement,
        scope,
        details,
      });
    }
    for (const [logicalId, old] of live) {
      if (wanted.has(logicalId) || old.status === 'skipped') continue;
      changes.push({
        action: 'Remove',
        logicalId,
        type: old.type,
        physicalId: old.ref,
        scope: [],
        details: [],
      });
    }
    return changes;
  }

  // ----- create, update, delete ---------------------------------------------------------------------------

  /** Creates the stack's resources; on a failure, deletes what was created (ROLLBACK_COMPLETE). */
  async create(
    template: CfnTemplate,
    parameters: ReadonlyMap<string, unknown>,
    options: ApplyOptions = {},
  ): Promise<StackOutcome> {
    return this.apply(undefined, template, parameters, options);
  }

  /** Updates a deployed stack to `template`; on a failure, reverts it (UPDATE_ROLLBACK_COMPLETE). */
  async update(
    current: StackState,
    template: CfnTemplate,
    parameters: ReadonlyMap<string, unknown>,
    options: ApplyOptions = {},
  ): Promise<StackOutcome> {
    return this.apply(current, template, parameters, options);
  }

  /** Deletes every resource, dependents first; Retain keeps one (DELETE_SKIPPED). */
  async delete(current: StackState): Promise<StackOutcome> {
    const failed: string[] = [];
    const remaining = new Map(current.resources);
    for (const resource of [...current.resources.values()].reverse()) {
      if (resource.status === 'skipped') {
        remaining.delete(resource.logicalId);
        continue;
      }
      try {
        await this.remove(resource);
        remaining.delete(resource.logicalId);
      } catch (error) {
        failed.push(resource.logicalId);
        this.resourceEvent(resource, 'DELETE_FAILED', resource.ref, reasonOf(error));
      }
    }
    if (failed.length > 0) {
      const reason = `The following resource(s) failed to delete: [${failed.join(', ')}]. `;
      this.env.onStackStatus?.('DELETE_FAILED', reason);
      const error = new TemplateError(this.env.stackName, undefined, reason);
      return { ok: false, state: { ...current, resources: remaining }, reason, error };
    }
    this.env.onStackStatus?.('DELETE_COMPLETE');
    return { ok: true, state: { ...current, resources: new Map() } };
  }

  private async apply(
    current: StackState | undefined,
    template: CfnTemplate,
    parameters: ReadonlyMap<string, unknown>,
    options: ApplyOptions,
  ): Promise<StackOutcome> {
    const creating = current === undefined;
    const previous = current?.resources ?? new Map<string, DeployedResource>();
    const live = new Map<string, DeployedResource>();
    // what to undo on a rollback, newest last: created resources, in-place updates (with what they were)
    const undo: Array<{ readonly now: DeployedResource; readonly before?: DeployedResource }> = [];
    // replaced and removed resources, deleted in the clean-up phase
    const superseded: DeployedResource[] = [];
    const imports = new Set<string>();
    const resolver = this.resolver(template, parameters, {
      ref: (id) => live.get(id)?.ref,
      getAtt: (id, attribute) => attributeOf(live.get(id), id, attribute),
      onImport: (name) => imports.add(name),
    });
    let outputs: { outputs: Record<string, string>; exports: Map<string, string> };
    try {
      const order = creationOrder(template, this.env.stackName);
      const providers = providersOfNativeCustomResources(template);
      for (const logicalId of order) {
        const resource = template.Resources[logicalId];
        const old = previous.get(logicalId);
        if (resource.Condition !== undefined && !resolver.condition(resource.Condition, logicalId)) {
          if (old !== undefined && old.status !== 'skipped') superseded.push(old);
          live.set(logicalId, skipped(this.env.stackName, logicalId, resource));
          continue;
        }
        const properties = resolveProperties(resolver, resource, logicalId);
        const metadata =
          resource.Metadata === undefined
            ? undefined
            : (resolver.resolve(resource.Metadata, logicalId) as Record<string, unknown>);
        const request = {
          stackName: this.env.stackName,
          logicalId,
          type: resource.Type,
          properties,
          metadata,
        };
        if (old === undefined || old.status === 'skipped') {
          const created = await this.provision(request, resource, providers, 0, 'create');
          live.set(logicalId, created);
          undo.push({ now: created });
          continue;
        }
        const handler = RESOURCE_HANDLERS[resource.Type];
        const details =
          old.type === resource.Type ? propertyChanges(old.properties, properties, handler) : [];
        if (old.type === resource.Type && details.length === 0) {
          live.set(logicalId, { ...old, metadata: metadata ?? old.metadata });
          continue;
        }
        if (old.type !== resource.Type || details.some((d) => d.requiresRecreation !== 'Never')) {
          const refused = customNameReplacement(old, resource.Type, properties, handler);
          if (refused !== undefined) {
            this.resourceEvent(request, 'UPDATE_FAILED', old.ref, refused);
            throw new ResourceFailure(this.env.stackName, logicalId, 'update', refused);
          }
          const replacement = await this.provision(
            request,
            resource,
            providers,
            old.replacement + 1,
            'replace',
          );
          live.set(logicalId, replacement);
          undo.push({ now: replacement });
          superseded.push(old);
          continue;
        }
        const updated = await this.modify(request, resource, providers, old);
        live.set(logicalId, updated);
        undo.push({ now: updated, before: old });
      }
      for (const [logicalId, old] of previous) {
        if (!(logicalId in template.Resources) && old.status !== 'skipped') superseded.push(old);
      }
      outputs = this.outputs(template, resolver, current);
    } catch (error) {
      return this.rollBack(creating, error, live, undo, current, options);
    }
    const state: StackState = {
      template,
      parameters,
      resources: live,
      outputs: outputs.outputs,
      exports: outputs.exports,
      imports,
    };
    if (creating) {
      this.env.onStackStatus?.('CREATE_COMPLETE');
      return { ok: true, state };
    }
    this.env.onStackStatus?.('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    // AWS: the clean-up phase deletes what was replaced or removed; a failure there does not fail the update
    for (const old of orderForDeletion(superseded, current)) {
      try {
        await this.remove(old);
      } catch (error) {
        this.resourceEvent(old, 'DELETE_FAILED', old.ref, reasonOf(error));
      }
    }
    this.env.onStackStatus?.('UPDATE_COMPLETE');
    return { ok: true, state };
  }

  private async rollBack(
    creating: boolean,
    error: unknown,
    live: Map<string, DeployedResource>,
    undo: ReadonlyArray<{ readonly now: DeployedResource; readonly before?: DeployedResource }>,
    current: StackState | undefined,
    options: ApplyOptions,
  ): Promise<StackOutcome> {
    const cause = error instanceof Error ? error : new Error(String(error));
    const failure =
      error instanceof ResourceFailure
        ? `The following resource(s) failed to ${error.verb}: [${error.logicalId}]. `
        : reasonOf(error);
    if (options.disableRollback) {
      const status = creating ? 'CREATE_FAILED' : 'UPDATE_FAILED';
      this.env.onStackStatus?.(status, failure);
      const resources = new Map([...(current?.resources ?? []), ...live]);
      const state = current ?? EMPTY_STATE;
      return { ok: false, state: { ...state, resources }, reason: failure, error: cause };
    }
    const userRequested =
      error instanceof ResourceFailure ? `${failure}Rollback requested by user.` : failure;
    this.env.onStackStatus?.(
      creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS',
      userRequested,
    );
    // AWS: an update's rollback first restores what was updated in place, then cleans up what was created
    for (const step of [...undo].reverse()) {
      if (step.before === undefined) continue;
      try {
        await this.modify(step.before, undefined, new Map(), step.now, step.before.replacement);
      } catch (undoError) {
        this.resourceEvent(step.before, 'UPDATE_FAILED', step.now.ref, reasonOf(undoError));
      }
    }
    if (!creating) this.env.onStackStatus?.('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    for (const step of [...undo].reverse()) {
      if (step.before !== undefined) continue;
      try {
        await this.remove(step.now, { createdNow: true, retainExceptOnCreate: options.retainExceptOnCreate });
      } catch (undoError) {
        this.resourceEvent(step.now, 'DELETE_FAILED', step.now.ref, reasonOf(undoError));
      }
    }
    if (creating) {
      this.env.onStackStatus?.('ROLLBACK_COMPLETE');
      return { ok: false, state: undefined, reason: failure, error: cause };
    }
    this.env.onStackStatus?.('UPDATE_ROLLBACK_COMPLETE');
    return { ok: false, state: current, reason: failure, error: cause };
  }

  /** Creates one resource (a new one, or the replacement of one), with its events. */
  private async provision(
    request: ExistingRequest,
    resource: CfnResource,
    providers: ReadonlyMap<string, string>,
    replacement: number,
    why: 'create' | 'replace',
  ): Promise<DeployedResource> {
    const { logicalId, type } = request;
    const base = { stackName: this.env.stackName, logicalId, type, metadata: request.metadata, replacement };
    const inProgress = why === 'create' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
    this.resourceEvent(
      request,
      inProgress,
      '',
      why === 'replace'
        ? 'Requested update requires the creation of a new physical resource; hence creating one.'
        : undefined,
    );
    const handler = RESOURCE_HANDLERS[type];
    let provisioned: ProvisionedResource;
    if (handler === undefined) {
      const ref = physicalName(this.env.stackName, logicalId, { maxLength: 255 }, this.variant(replacement));
      provisioned = { ref, status: 'not-emulated', note: notEmulatedReason(type) };
    } else {
      try {
        provisioned = await handler.create(request, this.context(logicalId, providers, replacement));
      } catch (error) {
        this.resourceEvent(
          request,
          why === 'create' ? 'CREATE_FAILED' : 'UPDATE_FAILED',
          '',
          reasonOf(error),
        );
        throw new ResourceFailure(
          this.env.stackName,
          logicalId,
          why === 'create' ? 'create' : 'update',
          `${type} could not be created: ${describe(error)}`,
        );
      }
    }
    if (why === 'create')
      this.resourceEvent(request, 'CREATE_IN_PROGRESS', provisioned.ref, 'Resource creation Initiated');
    const deployed: DeployedResource = {
      ...base,
      status: provisioned.status ?? 'emulated',
      ref: provisioned.ref,
      display: provisioned.display ?? provisioned.ref,
      note: provisioned.note,
      properties: request.properties,
      attributes: provisioned.attributes ?? {},
      deletionPolicy: resource.DeletionPolicy,
    };
    this.resourceEvent(request, why === 'create' ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE', deployed.ref);
    return deployed;
  }

  /** Updates one resource in place, with its events (a rollback passes the resource as it was). */
  private async modify(
    request: ExistingRequest,
    resource: CfnResource | undefined,
    providers: ReadonlyMap<string, string>,
    old: DeployedResource,
    replacement = old.replacement,
  ): Promise<DeployedResource> {
    const { logicalId, type } = request;
    this.resourceEvent(request, 'UPDATE_IN_PROGRESS', old.ref);
    const handler = RESOURCE_HANDLERS[type];
    let provisioned: ProvisionedResource;
    try {
      provisioned =
        handler?.update !== undefined
          ? await handler.update(request, existing(old), this.context(logicalId, providers, replacement))
          : { ref: old.ref, status: old.status === 'skipped' ? undefined : old.status, note: old.note };
    } catch (error) {
      this.resourceEvent(request, 'UPDATE_FAILED', old.ref, reasonOf(error));
      throw new ResourceFailure(
        this.env.stackName,
        logicalId,
        'update',
        `${type} could not be updated: ${describe(error)}`,
      );
    }
    const updated: DeployedResource = {
      ...old,
      status: provisioned.status ?? old.status,
      ref: provisioned.ref,
      display: provisioned.display ?? provisioned.ref,
      note: provisioned.note ?? old.note,
      properties: request.properties,
      metadata: request.metadata,
      attributes: provisioned.attributes ?? old.attributes,
      deletionPolicy: resource?.DeletionPolicy ?? old.deletionPolicy,
    };
    this.resourceEvent(request, 'UPDATE_COMPLETE', updated.ref);
    return updated;
  }

  /**
   * Deletes one resource, with its events; Retain skips it. AWS: `RetainExceptOnCreate` (the policy, or the
   * operation's option over `Retain`) still deletes, on a rollback, what the failed operation created.
   */
  private async remove(
    resource: DeployedResource,
    rollback: { readonly createdNow: boolean; readonly retainExceptOnCreate?: boolean } = {
      createdNow: false,
    },
  ): Promise<void> {
    const policy =
      resource.deletionPolicy === 'Retain' && rollback.retainExceptOnCreate === true
        ? 'RetainExceptOnCreate'
        : resource.deletionPolicy;
    const retained = policy === 'Retain' || (policy === 'RetainExceptOnCreate' && !rollback.createdNow);
    if (retained) {
      this.resourceEvent(resource, 'DELETE_SKIPPED', resource.ref);
      return;
    }
    this.resourceEvent(resource, 'DELETE_IN_PROGRESS', resource.ref);
    const handler = RESOURCE_HANDLERS[resource.type];
    if (handler?.delete !== undefined && resource.status !== 'not-emulated') {
      try {
        await handler.delete(
          existing(resource),
          this.context(resource.logicalId, new Map(), resource.replacement),
        );
      } catch (error) {
        throw new ResourceFailure(this.env.stackName, resource.logicalId, 'delete', describe(error));
      }
    }
    this.resourceEvent(resource, 'DELETE_COMPLETE', resource.ref);
  }

  private outputs(
    template: CfnTemplate,
    resolver: IntrinsicResolver,
    current: StackState | undefined,
  ): { outputs: Record<string, string>; exports: Map<string, string> } {
    const outputs: Record<string, string> = {};
    const exports = new Map<string, string>();
    for (const [key, output] of Object.entries(template.Outputs ?? {})) {
      if (output.Condition !== undefined && !resolver.condition(output.Condition, `Outputs.${key}`)) continue;
      const value = resolver.resolve(output.Value, `Outputs.${key}`);
      outputs[key] = Array.isArray(value) ? value.join(',') : String(value);
      if (output.Export === undefined) continue;
      const name = String(resolver.resolve(output.Export.Name, `Outputs.${key}`));
      const exporter = exports.has(name) ? this.env.stackName : this.env.exporterOf(name);
      if (exporter !== undefined && (exporter !== this.env.stackName || exports.has(name))) {
        throw new TemplateError(
          this.env.stackName,
          `Outputs.${key}`,
          `Export with name ${name} is already exported by stack ${exporter}`,
        );
      }
      const before = current?.exports.get(name);
      const importers = this.env.importersOf(name).filter((s) => s !== this.env.stackName);
      if (before !== undefined && before !== outputs[key] && importers.length > 0) {
        throw new TemplateError(
          this.env.stackName,
          undefined,
          `Cannot update export ${name} as it is in use by ${importers.join(', ')}`,
        );
      }
      exports.set(name, outputs[key]);
    }
    for (const name of current?.exports.keys() ?? []) {
      const importers = this.env.importersOf(name).filter((s) => s !== this.env.stackName);
      if (!exports.has(name) && importers.length > 0) {
        throw new TemplateError(
          this.env.stackName,
          undefined,
          `Export ${name} cannot be deleted as it is in use by ${importers.join(', ')}`,
        );
      }
    }
    return { outputs, exports };
  }

  private resolver(
    template: CfnTemplate,
    parameters: ReadonlyMap<string, unknown>,
    values: {
      ref(id: string): unknown;
      getAtt(id: string, attribute: string): unknown;
      onImport?(name: string): void;
    },
  ): IntrinsicResolver {
    const { emulator, stackName, stackId } = this.env;
    return new IntrinsicResolver({
      template,
      pseudo: {
        region: emulator.region,
        accountId: emulator.accountId,
        partition: 'aws',
        urlSuffix: 'amazonaws.com',
        stackName,
        stackId,
      },
      parameters,
      ref: values.ref,
      getAtt: values.getAtt,
      importValue: (name) => {
        values.onImport?.(name);
        return this.env.importValue(name);
      },
      stackOutput: (name, key) => this.env.stackOutput(name, key),
    });
  }

  /** What makes generated names differ: the stack's own seed, and how often the resource was replaced. */
  private variant(replacement: number): string {
    const seed = this.env.nameSeed ?? '';
    return replacement === 0 ? seed : `${seed}${seed === '' ? '' : '/'}${replacement}`;
  }

  private context(
    logicalId: string,
    providerFunctions: ReadonlyMap<string, string>,
    replacement: number,
  ): DeployContext {
    return {
      emulator: this.env.emulator,
      physicalName: (naming) =>
        physicalName(this.env.stackName, logicalId, naming, this.variant(replacement)),
      assetPath: (key) => this.env.assetPath(key),
      workDirectory: this.env.workDirectory,
      providerFunctions,
      onInstanceLog: this.env.onInstanceLog,
    };
  }

  private resourceEvent(
    resource: {
      readonly logicalId: string;
      readonly type: string;
      readonly properties?: Readonly<Record<string, unknown>>;
    },
    status: ResourceEventStatus,
    physicalId: string,
    reason?: string,
  ): void {
    this.env.onResourceEvent?.({
      logicalId: resource.logicalId,
      type: resource.type,
      status,
      physicalId,
      reason,
      properties: resource.properties,
    });
  }
}

type ExistingRequest = {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
};

function existing(resource: DeployedResource): ExistingResource {
  return {
    stackName: resource.stackName,
    logicalId: resource.logicalId,
    type: resource.type,
    properties: resource.properties,
    metadata: resource.metadata,
    ref: resource.ref,
    attributes: resource.attributes,
    status: resource.status === 'skipped' ? 'not-emulated' : resource.status,
  };
}

function skipped(stackName: string, logicalId: string, resource: CfnResource): DeployedResource {
  return {
    stackName,
    logicalId,
    type: resource.Type,
    status: 'skipped',
    ref: '',
    display: '',
    note: `condition ${resource.Condition} is false`,
    properties: {},
    attributes: {},
    replacement: 0,
  };
}

const EMPTY_STATE: StackState = {
  template: { Resources: {} },
  parameters: new Map(),
  resources: new Map(),
  outputs: {},
  exports: new Map(),
  imports: new Set(),
};

/** What Fn::GetAtt of a resource gives: a not-emulated resource's attributes are named placeholders. */
function attributeOf(resource: DeployedResource | undefined, id: string, attribute: string): unknown {
  if (resource?.status === 'not-emulated' && resource.attributes[attribute] === undefined) {
    return `not-emulated:${id}.${attribute}`;
  }
  return resource?.attributes[attribute];
}

function resolveProperties(
  resolver: IntrinsicResolver,
  resource: CfnResource,
  logicalId: string,
): Record<string, unknown> {
  return (resolver.resolve(resource.Properties ?? {}, logicalId) ?? {}) as Record<string, unknown>;
}

/** The properties that differ, each with whether its change replaces the resource. */
function propertyChanges(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  handler: ResourceHandler | undefined,
): PropertyChange[] {
  const changes: PropertyChange[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = JSON.stringify(before[name]);
    const now = JSON.stringify(after[name]);
    if (old === now) continue;
    const causingEntity = now?.includes(CHANGING)
      ? now.split(CHANGING)[1].split(/[^A-Za-z0-9]/)[0]
      : undefined;
    // no update: every change replaces, as for AWS properties marked "Update requires: Replacement"
    const replacing =
      handler !== undefined && (handler.update === undefined || handler.replacedBy?.includes(name));
    changes.push({
      attribute: name === 'Tags' ? 'Tags' : 'Properties',
      name,
      requiresRecreation: !replacing ? 'Never' : causingEntity !== undefined ? 'Conditionally' : 'Always',
      evaluation: causingEntity !== undefined ? 'Dynamic' : 'Static',
      changeSource: causingEntity !== undefined ? 'ResourceReference' : 'DirectModification',
      causingEntity,
      beforeValue: before[name],
      afterValue: causingEntity !== undefined ? undefined : after[name],
    });
  }
  return changes;
}

/**
 * AWS refuses to replace a resource whose name the template fixes (both would exist at once under one name):
 * the reason, or undefined.
 */
function customNameReplacement(
  old: DeployedResource,
  type: string,
  properties: Readonly<Record<string, unknown>>,
  handler: ResourceHandler | undefined,
): string | undefined {
  const nameProperty = handler?.nameProperty;
  if (old.type !== type || nameProperty === undefined) return undefined;
  const name = properties[nameProperty];
  if (name === undefined || JSON.stringify(name) !== JSON.stringify(old.properties[nameProperty]))
    return undefined;
  return `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${String(name)} and update the stack again.`;
}

/** Superseded resources in reverse creation order of the stack they came from (dependents first). */
function orderForDeletion(
  superseded: readonly DeployedResource[],
  current: StackState | undefined,
): DeployedResource[] {
  const order = [...(current?.resources.keys() ?? [])];
  return [...superseded].sort((a, b) => order.indexOf(b.logicalId) - order.indexOf(a.logicalId));
}

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
export function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.code === 'string' ? `${e.code}: ${message}` : message;
}

/** The text a failed resource's event carries: the service's error, as CloudFormation relays it. */
function reasonOf(error: unknown): string {
  if (error instanceof TemplateError) return error.detail;
  return describe(error);
}
