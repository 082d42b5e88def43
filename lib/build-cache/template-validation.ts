/**
 * CDK's CloudFormation validation of the synthesized templates (its built-in "CloudFormation Validate" plugin,
 * a WebAssembly rule engine), with the report cached by the templates' content: starting the engine and running
 * it is most of a synthesis of this app (seconds), and most synthesis runs produce templates already validated.
 * The report is CDK's own, so validation-report.json and the errors or warnings it raises are the same.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type App,
  CloudFormationValidatePlugin,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { cacheDirectory } from './cache-directory';

/** Bumped when what goes into a key changes. */
const CACHE_VERSION = 1;
/** Reports kept: one per recent state of the app's templates. */
const REPORTS_KEPT = 32;

/** The built-in CloudFormation validation, answering from the cache for templates it has seen. */
export class CachedTemplateValidation extends CloudFormationValidatePlugin {
  constructor(private readonly directory: string) {
    super();
  }

  override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const file = path.join(this.directory, `${this.reportKey(context)}.json`);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as PolicyValidationPluginReport;
    } catch {
      // not validated yet (or an unreadable entry): validate, then keep the report
    }
    const report = super.validate(context);
    mkdirSync(this.directory, { recursive: true });
    const temporary = `${file}.${process.pid}.partial`;
    writeFileSync(temporary, JSON.stringify(report));
    renameSync(temporary, file);
    this.prune();
    return report;
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

/**
 * Validates `app`'s templates with the cached built-in validation (CDK then adds no validation of its own), unless
 * CDK_VALIDATION=false turns CDK's off.
 */
export function useCachedTemplateValidation(app: App, root: string): void {
  if (process.env.CDK_VALIDATION === 'false') return;
  Validations.of(app).addPlugins(
    new CachedTemplateValidation(path.join(cacheDirectory(root), 'template-validation')),
  );
}
