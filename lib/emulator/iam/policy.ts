/**
 * IAM policy documents and AWS's evaluation of them for one account: statements with Action/NotAction,
 * Resource/NotResource, Principal/NotPrincipal and Condition, matched with a linear glob (no regex meets a
 * user's pattern). Pure: who holds which policy is policy-source.ts's business.
 */

/** One statement, as parsed from a policy document (single values are read as one-element lists). */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** Undefined in identity policies (the holder is the principal). */
  readonly principals?: PrincipalSet;
  readonly notPrincipals?: PrincipalSet;
  readonly conditions: readonly ConditionClause[];
}

/** `"*"` or `{AWS: [...], Service: [...]}`. */
export type PrincipalSet = '*' | { readonly aws: readonly string[]; readonly service: readonly string[] };

export interface ConditionClause {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** A policy document and where it comes from, for explanations (`role DecoupledRole inline policy X`). */
export interface NamedPolicy {
  readonly source: string;
  readonly statements: readonly PolicyStatement[];
}

/** Who is calling: a role session (a function, an instance) or a service acting for an integration. */
export type Principal =
  | {
      readonly kind: 'role';
      /** `arn:aws:iam::ACCOUNT:role/NAME`. */
      readonly roleArn: string;
      /** `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`. */
      readonly sessionArn: string;
      readonly accountId: string;
    }
  | { readonly kind: 'service'; readonly service: string; readonly accountId: string };

/** One authorization question: may `principal` do `action` on `resource`, with these context keys? */
export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  /** Condition keys by lower-cased name (`aws:sourcearn`), each a list of values. */
  readonly context: ReadonlyMap<string, readonly string[]>;
}

export interface Decision {
  readonly allowed: boolean;
  /** The statement that decided (an explicit deny, or the first allow), or why nothing allowed. */
  readonly reason: string;
}

/** Parses a policy document; throws a readable Error for a document that is not one. */
export function parsePolicy(source: string, document: unknown): NamedPolicy {
  const doc = typeof document === 'string' ? (JSON.parse(document) as unknown) : document;
  if (doc === null || typeof doc !== 'object') throw new Error(`${source}: a policy document is an object`);
  const raw = (doc as { Statement?: unknown }).Statement;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return { source, statements: list.map((s, i) => parseStatement(source, s, i)) };
}

function parseStatement(source: string, raw: unknown, index: number): PolicyStatement {
  if (raw === null || typeof raw !== 'object')
    throw new Error(`${source}: statement ${index} is not an object`);
  const s = raw as Record<string, unknown>;
  const effect = s.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new Error(`${source}: statement ${index} has Effect ${JSON.stringify(effect)}`);
  }
  return {
    sid: typeof s.Sid === 'string' ? s.Sid : undefined,
    effect,
    actions: stringList(s.Action),
    notActions: stringList(s.NotAction),
    resources: stringList(s.Resource),
    notResources: stringList(s.NotResource),
    principals: principalSet(s.Principal),
    notPrincipals: principalSet(s.NotPrincipal),
    conditions: conditionClauses(s.Condition),
  };
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

function principalSet(value: unknown): PrincipalSet | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return '*';
  if (value === null || typeof value !== 'object') return { aws: [String(value)], service: [] };
  const p = value as Record<string, unknown>;
  return { aws: stringList(p.AWS) ?? [], service: stringList(p.Service) ?? [] };
}

function conditionClauses(value: unknown): ConditionClause[] {
  if (value === null || typeof value !== 'object') return [];
  const clauses: ConditionClause[] = [];
  for (const [operator, keys] of Object.entries(value as Record<string, unknown>)) {
    if (keys === null || typeof keys !== 'object') continue;
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
      clauses.push({ operator, key, values: stringList(values) ?? [] });
    }
  }
  return clauses;
}

// ----- matching ----------------------------------------------------------------------------------------------

/**
 * IAM's wildcards: `*` any run of characters, `?` one character. The two-pointer matcher with one backtrack
 * point (the last `*`): at worst pattern × text steps, never exponential as a regex can be.
 */
export function globMatches(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** AWS: action names are case-insensitive (`sqs:sendmessage` matches `sqs:SendMessage`). */
function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => globMatches(p, action, true));
}

function resourceMatches(patterns: readonly string[], resource: string): boolean {
  return patterns.some((p) => p === '*' || globMatches(p, resource));
}

/** An `arn:aws:iam::ACCOUNT:root` or a bare account id: the whole account. */
function isAccountPrincipal(entry: string, accountId: string): boolean {
  return entry === accountId || entry === `arn:aws:iam::${accountId}:root`;
}

/**
 * Whether a statement's principal names the caller. `accountGrants` says whether naming the caller's account
 * counts (it does for a Deny; for an Allow it only delegates to identity policies, as AWS reads it).
 */
function principalNamed(set: PrincipalSet, principal: Principal, accountGrants: boolean): boolean {
  if (set === '*') return true;
  if (principal.kind === 'service') {
    return set.service.includes(principal.service) || set.aws.includes('*');
  }
  return set.aws.some(
    (entry) =>
      entry === '*' ||
      entry === principal.roleArn ||
      entry === principal.sessionArn ||
      (accountGrants && isAccountPrincipal(entry, principal.accountId)),
  );
}

/** Whether the statement applies to the request (its condition included). */
function statementApplies(
  statement: PolicyStatement,
  request: AuthorizationRequest,
  resourcePolicy: boolean,
): boolean {
  if (statement.actions && !actionMatches(statement.actions, request.action)) return false;
  if (statement.notActions && actionMatches(statement.notActions, request.action)) return false;
  if (!statement.actions && !statement.notActions) return false;
  if (statement.resources && !resourceMatches(statement.resources, request.resource)) return false;
  if (statement.notResources && resourceMatches(statement.notResources, request.resource)) return false;
  // a resource policy's statement applies to its resource when it names none
  if (!resourcePolicy && !statement.resources && !statement.notResources) return false;
  if (resourcePolicy) {
    const deny = statement.effect === 'Deny';
    if (statement.principals && !principalNamed(statement.principals, request.principal, deny)) return false;
    if (statement.notPrincipals && principalNamed(statement.notPrincipals, request.principal, true))
      return false;
    if (!statement.principals && !statement.notPrincipals) return false;
  }
  return statement.conditions.every((c) => conditionHolds(c, request.context));
}

function describe(policy: NamedPolicy, statement: PolicyStatement, index: number): string {
  return `${policy.source} statement ${statement.sid ? `'${statement.sid}'` : `#${index + 1}`}`;
}

/** The first statement of `policies` with `effect` that applies, described; undefined if none does. */
export function findStatement(
  policies: readonly NamedPolicy[],
  effect: 'Allow' | 'Deny',
  request: AuthorizationRequest,
  resourcePolicy: boolean,
): string | undefined {
  for (const policy of policies) {
    for (const [index, statement] of policy.statements.entries()) {
      if (statement.effect === effect && statementApplies(statement, request, resourcePolicy)) {
        return describe(policy, statement, index);
      }
    }
  }
  return undefined;
}

/**
 * AWS's evaluation within one account: an explicit deny in any policy wins; else an allow from an identity
 * policy or from the resource policy (one naming the caller) allows; else the call is implicitly denied.
 */
export function evaluate(
  request: AuthorizationRequest,
  identity: readonly NamedPolicy[],
  resource: readonly NamedPolicy[],
): Decision {
  const denied =
    findStatement(identity, 'Deny', request, false) ?? findStatement(resource, 'Deny', request, true);
  if (denied !== undefined) return { allowed: false, reason: `explicitly denied by ${denied}` };
  const allowed =
    findStatement(identity, 'Allow', request, false) ?? findStatement(resource, 'Allow', request, true);
  if (allowed !== undefined) return { allowed: true, reason: `allowed by ${allowed}` };
  return { allowed: false, reason: noStatementAllowed(request, identity, resource) };
}

/**
 * KMS reads a key policy first: it alone can allow; identity policies count only where the key policy gives the
 * account (`arn:aws:iam::ACCOUNT:root`) the action, as CDK's default key policy does.
 */
export function evaluateKeyAccess(
  request: AuthorizationRequest,
  identity: readonly NamedPolicy[],
  keyPolicy: NamedPolicy,
): Decision {
  const denied =
    findStatement([keyPolicy], 'Deny', request, true) ?? findStatement(identity, 'Deny', request, false);
  if (denied !== undefined) return { allowed: false, reason: `explicitly denied by ${denied}` };
  const direct = findStatement([keyPolicy], 'Allow', request, true);
  if (direct !== undefined) return { allowed: true, reason: `allowed by ${direct}` };
  if (request.principal.kind === 'role') {
    const account: AuthorizationRequest = {
      ...request,
      principal: { ...request.principal, roleArn: `arn:aws:iam::${request.principal.accountId}:root` },
    };
    const delegated = findStatement([keyPolicy], 'Allow', account, true);
    const byIdentity = delegated && findStatement(identity, 'Allow', request, false);
    if (byIdentity)
      return {
        allowed: true,
        reason: `allowed by ${byIdentity} (the key policy lets IAM policies grant it)`,
      };
  }
  return { allowed: false, reason: noStatementAllowed(request, identity, [keyPolicy]) };
}

function noStatementAllowed(
  request: AuthorizationRequest,
  identity: readonly NamedPolicy[],
  resource: readonly NamedPolicy[],
): string {
  const looked = [...identity, ...resource].map((p) => p.source);
  return looked.length === 0
    ? `no statement allowed ${request.action}: the caller has no policy, and the resource has none`
    : `no statement allowed ${request.action} (looked at: ${looked.join('; ')})`;
}

// ----- conditions ------------------------------------------------------------------------------------------

/** Whether one condition clause holds for the request's context keys (AWS's operator semantics). */
export function conditionHolds(
  clause: ConditionClause,
  context: ReadonlyMap<string, readonly string[]>,
): boolean {
  let operator = clause.operator;
  let set: 'any' | 'all' | undefined;
  if (operator.startsWith('ForAnyValue:')) {
    set = 'any';
    operator = operator.slice('ForAnyValue:'.length);
  } else if (operator.startsWith('ForAllValues:')) {
    set = 'all';
    operator = operator.slice('ForAllValues:'.length);
  }
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);
  const present = context.get(clause.key.toLowerCase());
  if (operator === 'Null') {
    // AWS: Null true means the key is absent
    const wantsAbsent = clause.values.some((v) => v.toLowerCase() === 'true');
    return wantsAbsent === (present === undefined || present.length === 0);
  }
  if (present === undefined || present.length === 0) {
    if (ifExists) return true;
    // AWS: a negated operator on an absent key holds; ForAllValues on an empty set holds
    return set === 'all' || NEGATED.has(operator);
  }
  const test = OPERATORS.get(operator);
  if (test === undefined) return false;
  const one = (value: string) => test(value, clause.values);
  if (set === 'all') return present.every(one);
  if (set === 'any') return present.some(one);
  // a single-valued key: its (first) value
  return one(present[0]);
}

type ValueTest = (value: string, expected: readonly string[]) => boolean;

const not =
  (test: ValueTest): ValueTest =>
  (value, expected) =>
    !test(value, expected);
const stringEquals: ValueTest = (v, e) => e.includes(v);
const stringEqualsIgnoreCase: ValueTest = (v, e) => e.some((x) => x.toLowerCase() === v.toLowerCase());
const stringLike: ValueTest = (v, e) => e.some((x) => globMatches(x, v));
const numeric =
  (compare: (a: number, b: number) => boolean): ValueTest =>
  (v, e) =>
    e.some((x) => Number.isFinite(Number(v)) && Number.isFinite(Number(x)) && compare(Number(v), Number(x)));
const bool: ValueTest = (v, e) => e.some((x) => x.toLowerCase() === v.toLowerCase());

const OPERATORS: ReadonlyMap<string, ValueTest> = new Map([
  ['StringEquals', stringEquals],
  ['StringNotEquals', not(stringEquals)],
  ['StringEqualsIgnoreCase', stringEqualsIgnoreCase],
  ['StringNotEqualsIgnoreCase', not(stringEqualsIgnoreCase)],
  ['StringLike', stringLike],
  ['StringNotLike', not(stringLike)],
  // ARN operators match each colon-separated part; a glob over the whole ARN is the same for `*` within parts
  ['ArnEquals', stringLike],
  ['ArnLike', stringLike],
  ['ArnNotEquals', not(stringLike)],
  ['ArnNotLike', not(stringLike)],
  ['Bool', bool],
  ['NumericEquals', numeric((a, b) => a === b)],
  ['NumericNotEquals', not(numeric((a, b) => a === b))],
  ['NumericLessThan', numeric((a, b) => a < b)],
  ['NumericLessThanEquals', numeric((a, b) => a <= b)],
  ['NumericGreaterThan', numeric((a, b) => a > b)],
  ['NumericGreaterThanEquals', numeric((a, b) => a >= b)],
]);

const NEGATED: ReadonlySet<string> = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'ArnNotEquals',
  'ArnNotLike',
  'NumericNotEquals',
]);
