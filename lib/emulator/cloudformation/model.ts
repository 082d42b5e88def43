/**
 * CloudFormation's state, pure: stacks (live and deleted), their events, resources and change sets. The
 * service (service.ts) changes it; the deploy engine (deploy/stack-engine.ts) does the resources' work.
 */
import type { ResourceChange, ResourceEventStatus, StackState } from '../deploy/stack-engine';
import type { CfnTemplate } from '../deploy/template';

/** A parameter as DescribeStacks shows it: the value given or defaulted. */
export interface StackParameter {
  readonly ParameterKey: string;
  readonly ParameterValue: string;
  /** SSM parameter types: the value read from Parameter Store. */
  readonly ResolvedValue?: string;
}

export interface StackTag {
  readonly Key: string;
  readonly Value: string;
}

export interface StackEvent {
  readonly EventId: string;
  readonly StackId: string;
  readonly StackName: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
  readonly ResourceType: string;
  readonly Timestamp: number;
  readonly ResourceStatus: string;
  readonly ResourceStatusReason?: string;
  readonly ResourceProperties?: string;
  readonly ClientRequestToken?: string;
}

/** One resource's current status, as DescribeStackResources and ListStackResources show it. */
export interface ResourceRecord {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly type: string;
  readonly status: ResourceEventStatus;
  readonly reason?: string;
  readonly timestamp: number;
}

/** What a stack's next deployment is made of: the same for CreateStack, UpdateStack and change sets. */
export interface StackDefinition {
  readonly templateBody: string;
  readonly template: CfnTemplate;
  readonly parameters: readonly StackParameter[];
  readonly values: ReadonlyMap<string, unknown>;
  readonly capabilities: readonly string[];
  readonly tags: readonly StackTag[];
  readonly roleArn?: string;
  readonly description?: string;
}

export type ChangeSetStatus =
  'CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'FAILED' | 'DELETE_COMPLETE';
export type ExecutionStatus =
  'UNAVAILABLE' | 'AVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED' | 'OBSOLETE';

export class ChangeSet {
  status: ChangeSetStatus = 'CREATE_PENDING';
  executionStatus: ExecutionStatus = 'UNAVAILABLE';
  statusReason?: string;
  changes: readonly ResourceChange[] = [];
  /** OnStackFailure DO_NOTHING: a failed execution is not rolled back. */
  disableRollback = false;
  /** ImportExistingResources, as given. */
  importExistingResources = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly type: 'CREATE' | 'UPDATE',
    readonly creationTime: number,
    readonly definition: StackDefinition,
    readonly description: string | undefined,
    readonly clientToken: string | undefined,
    readonly includeNestedStacks: boolean,
  ) {}
}

export class Stack {
  status: string;
  statusReason?: string;
  lastUpdatedTime?: number;
  deletionTime?: number;
  terminationProtection = false;
  disableRollback = false;
  /** The definition deployed last (or being deployed); a stack in REVIEW_IN_PROGRESS has none yet. */
  definition?: StackDefinition;
  /** The resources as the engine left them; undefined before the first successful create. */
  state?: StackState;
  /** Oldest first; DescribeStackEvents answers newest first. */
  readonly events: StackEvent[] = [];
  readonly resources = new Map<string, ResourceRecord>();
  readonly changeSets = new Map<string, ChangeSet>();

  constructor(
    readonly stackId: string,
    readonly stackName: string,
    readonly creationTime: number,
    status: string,
  ) {
    this.status = status;
  }

  get deleted(): boolean {
    return this.status === 'DELETE_COMPLETE';
  }

  /** An operation is running: AWS refuses another until it ends. */
  get inProgress(): boolean {
    return this.status.endsWith('_IN_PROGRESS') && this.status !== 'REVIEW_IN_PROGRESS';
  }
}

/** AWS's stack status values, for ListStacks' StackStatusFilter. */
export const STACK_STATUSES: ReadonlySet<string> = new Set([
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
  'DELETE_COMPLETE',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_IN_PROGRESS',
  'IMPORT_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_COMPLETE',
]);
