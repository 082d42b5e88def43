/**
 * CDK's CloudFormation validation of the synthesized templates (its built-in "CloudFormation Validate" plugin,
 * a WebAssembly rule engine), with the report cached by the templates' content: starting the engine and running
 * it is most of a synthesis of this app (seconds), and most synthesis runs produce templates already validated.
 * The report is CDK's own, so validation-report.json and the errors or warnings it raises are the same.
 *
 * npm start may defer a validation the cache cannot answer (`defer`): the emulator needs no validated template,
 * and the engine is the largest part of a first start. The templates are then validated in a worker thread,
 * beside the deployment, and the report is cached as if the synthesis had made it; `npm start` prints its findings.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  type App,
  CloudFormationValidatePlugin,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  type PolicyViolation,
  Validations,
} from 'aws-cdk-lib';
import { cacheDirectory } from './cache-directory';

/** Bumped when what goes into a key changes. */
const CACHE_VERSION = 1;
/** Reports kept: one per recent state of the app's templates. */
const REPORTS_KEPT = 32;

/** A validation npm start deferred: the templates, and the cache entry its report goes to. */
interface DeferredTemplates {
  readonly stackTemplates: IPolicyValidationContext['stackTemplates'];
  readonly file: string;
}

/** The built-in CloudFormation validation, answering from the cache for templates it has seen. */
export class CachedTemplateValidation extends CloudFormationValidatePlugin {
  /** Set by a deferred {@link validate}: what {@link validateDeferred} validates. */
  private deferredTemplates: DeferredTemplates | undefined;

  constructor(
    private readonly directory: string,
    private readonly defer = false,
  ) {
    super();
  }

  override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const file = path.join(this.directory, `${this.reportKey(context)}.json`);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as PolicyValidationPluginReport;
    } catch {
      // not validated yet (or an unreadable entry): validate, then keep the report
    }
    if (this.defer) {
      this.deferredTemplates = { stackTemplates: context.stackTemplates, file };
      // nothing to report yet: cdk.out's validation-report.json has the findings from the next synthesis on
      return { success: true, violations: [] };
    }
    const report = super.validate(context);
    this.keep(file, report);
    return report;
  }

  /**
   * The validation deferred by the synthesis of `app`, run in a worker thread (the engine is seconds of synchronous
   * WebAssembly: the event loop stays free) and cached; undefined when the synthesis deferred none. Its `findings`
   * leave out what the app acknowledges, as the synthesis would have.
   */
  validateDeferred(app: App): DeferredValidation | undefined {
    const deferred = this.deferredTemplates;
    if (deferred === undefined) return undefined;
    this.deferredTemplates = undefined;
    const worker = new Worker(VALIDATION_WORKER, {
      eval: true,
      workerData: { cdkLib: require.resolve('aws-cdk-lib'), stackTemplates: deferred.stackTemplates },
    });
    const report = new Promise<PolicyValidationPluginReport>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the validation worker stopped (exit code ${code})`)));
    }).then((validated) => {
      this.keep(deferred.file, validated);
      return validated;
    });
    const acknowledged = acknowledgedPaths(app, `${this.name.replace(/ /g, '-')}::`);
    const findings = report.then((validated) => unacknowledged(validated, acknowledged));
    return { findings, cancel: () => void worker.terminate() };
  }

  private keep(file: string, report: PolicyValidationPluginReport): void {
    mkdirSync(this.directory, { recursive: true });
    const temporary = `${file}.${process.pid}.partial`;
    writeFileSync(temporary, JSON.stringify(report));
    renameSync(temporary, file);
    this.prune();
  }

  /** Everything the report depends on: the engine's version, where each template is and what it says. */
  private reportKey(context: IPolicyValidationContext): string {
    const hash = createHash('sha256').update(
      JSON.stringify({ version: CACHE_VERSION, engine: this.version }),
    );
    for (const stack of context.stackTemplates) {
      hash.update(JSON.stringify(stack)).update(readFileSync(stack.templatePath));
    }
    return hash.digest('hex').slice(0, 40);
  }

  private prune(): void {
    const reports = readdirSync(this.directory)
      .filter((name) => name.endsWith('.json'))
      .map((name) => {
        const full = path.join(this.directory, name);
        return { full, modified: statSync(full).mtimeMs };
      })
      .sort((a, b) => b.modified - a.modified);
    for (const stale of reports.slice(REPORTS_KEPT)) rmSync(stale.full, { force: true });
  }
}

/** A validation running in a worker thread. */
export interface DeferredValidation {
  /** The report's violations the app does not acknowledge, once the worker has it (cached by then). */
  readonly findings: Promise<PolicyViolation[]>;
  /** Stops the worker (npm start stopping before it finished: the next start validates again). */
  readonly cancel: () => void;
}

/** Rule → construct paths where the app acknowledges it (`Validations.of(c).acknowledge`), for one plugin's rules. */
function acknowledgedPaths(app: App, namespace: string): Map<string, Set<string>> {
  const acknowledged = new Map<string, Set<string>>();
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== ACKNOWLEDGED_RULES || typeof entry.data !== 'object' || entry.data === null)
        continue;
      for (const id of Object.keys(entry.data as object)) {
        if (!id.startsWith(namespace)) continue;
        const rule = id.slice(namespace.length);
        if (!acknowledged.has(rule)) acknowledged.set(rule, new Set());
        acknowledged.get(rule)?.add(construct.node.path);
      }
    }
  }
  return acknowledged;
}

/** CDK's metadata entry for acknowledged findings. */
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

/** The violations left once each resource acknowledged at its construct or an ancestor is taken out (as CDK does). */
function unacknowledged(
  report: PolicyValidationPluginReport,
  acknowledged: ReadonlyMap<string, ReadonlySet<string>>,
): PolicyViolation[] {
  return report.violations
    .map((violation) => {
      const paths = acknowledged.get(violation.ruleName);
      const isAcknowledged = (constructPath: string | undefined) => {
        const parts = (constructPath ?? '').split('/');
        for (let n = parts.length; n > 0; n--) if (paths?.has(parts.slice(0, n).join('/'))) return true;
        return false;
      };
      const resources = violation.violatingResources.filter((r) => !isAcknowledged(r.constructPath));
      return { ...violation, violatingResources: resources };
    })
    .filter((violation) => violation.violatingResources.length > 0);
}

/** The worker: the same plugin, on the same templates, in a thread of its own. */
const VALIDATION_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { CloudFormationValidatePlugin } = require(workerData.cdkLib);
const { stackTemplates } = workerData;
const templatePaths = stackTemplates.map((stack) => stack.templatePath);
parentPort.postMessage(new CloudFormationValidatePlugin().validate({ templatePaths, stackTemplates }));
`;

/**
 * Validates `app`'s templates with the cached built-in validation (CDK then adds no validation of its own), unless
 * CDK_VALIDATION=false turns CDK's off. With `defer`, templates the cache does not know are validated after the
 * synthesis, by the returned plugin's `validateDeferred()`.
 */
export function useCachedTemplateValidation(
  app: App,
  root: string,
  options: { readonly defer?: boolean } = {},
): CachedTemplateValidation | undefined {
  if (process.env.CDK_VALIDATION === 'false') return undefined;
  const plugin = new CachedTemplateValidation(
    path.join(cacheDirectory(root), 'template-validation'),
    options.defer,
  );
  Validations.of(app).addPlugins(plugin);
  return plugin;
}
