import type { CfnResource, CfnTemplate } from '@blueprints/packaging';
import { LINT_RULES, type LintRule, type Violation } from './checkTemplate.js';
import { lintEntryPoints } from './lintEntryPoints.js';
import { lintFailurePaths } from './lintFailurePaths.js';
import { asList, referencedId } from './references.js';

/** Verbs that only read. Anything else (including `*` and unknown verbs) counts as a write. */
const READ_VERBS = ['Get', 'List', 'Describe', 'BatchGet', 'Head', 'Query', 'Scan', 'Search', 'Select', 'Lookup'];

/**
 * True when an IAM action (possibly with wildcards) can only read.
 *
 * @example
 * isReadOnlyAction('dynamodb:GetItem'); // true
 * isReadOnlyAction('s3:Put*');          // false
 */
export function isReadOnlyAction(action: string): boolean {
  const verb = action.split(':')[1];
  return verb !== undefined && READ_VERBS.some((read) => verb.startsWith(read));
}

type Statement = { Effect?: unknown; Action?: unknown; NotAction?: unknown; Resource?: unknown; NotResource?: unknown };

/** Every IAM policy document a resource carries, with its path. */
function policyDocuments(resource: CfnResource): Array<[string, unknown]> {
  const p = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      return asList(p.Policies).map((policy, i) => [
        `Properties.Policies[${i}].PolicyDocument`,
        (policy as { PolicyDocument?: unknown })?.PolicyDocument,
      ]);
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::IAM::RolePolicy':
      return [['Properties.PolicyDocument', p.PolicyDocument]];
    default:
      return [];
  }
}

function lintIam(id: string, resource: CfnResource, report: (v: Violation) => void): void {
  for (const [docPath, doc] of policyDocuments(resource)) {
    asList((doc as { Statement?: unknown })?.Statement).forEach((raw, i) => {
      const statement = raw as Statement;
      if (statement.Effect !== 'Allow') return;
      const path = `${docPath}.Statement[${i}]`;
      const actions = asList(statement.Action).filter((a): a is string => typeof a === 'string');
      if (actions.includes('*') || statement.NotAction !== undefined) {
        report({
          resource: id,
          path,
          rule: 'iam-action-star',
          message:
            statement.NotAction !== undefined
              ? 'Allow with NotAction grants every other action'
              : 'allows "Action": "*"',
        });
        return;
      }
      const onStar = asList(statement.Resource).includes('*') || statement.NotResource !== undefined;
      const writes = actions.filter((a) => !isReadOnlyAction(a));
      if (onStar && writes.length > 0) {
        report({
          resource: id,
          path,
          rule: 'iam-write-on-star',
          message: `allows write action${writes.length > 1 ? 's' : ''} ${writes.join(', ')} on "Resource": "*"`,
        });
      }
    });
  }
}

function truthy(value: unknown): boolean {
  return value === true || value === 'true';
}

function lintBucket(id: string, resource: CfnResource, report: (v: Violation) => void): void {
  const p = resource.Properties ?? {};
  const sse = (p.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)
    ?.ServerSideEncryptionConfiguration;
  if (!Array.isArray(sse) || sse.length === 0) {
    report({
      resource: id,
      path: 'Properties.BucketEncryption',
      rule: 's3-encryption',
      message: 'bucket has no BucketEncryption',
    });
  }
  const block = (p.PublicAccessBlockConfiguration ?? {}) as Record<string, unknown>;
  const open = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].filter(
    (flag) => !truthy(block[flag]),
  );
  if (open.length > 0) {
    report({
      resource: id,
      path: 'Properties.PublicAccessBlockConfiguration',
      rule: 's3-public-access',
      message: `public access not fully blocked: ${open.join(', ')} not true`,
    });
  }
}

function lintQueueTriggers(template: CfnTemplate, report: (v: Violation) => void): void {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
    const source = resource.Properties?.EventSourceArn;
    const queueId = referencedId(source);
    const queue = queueId ? template.Resources[queueId] : undefined;
    if (queue && queue.Type !== 'AWS::SQS::Queue') continue;
    if (!queue) {
      if (typeof source === 'string' && !source.startsWith('arn:aws:sqs:')) continue;
      if (typeof source !== 'string' && !JSON.stringify(source).includes('sqs')) continue;
      report({
        resource: id,
        path: 'Properties.EventSourceArn',
        rule: 'sqs-dlq',
        message: 'reads a queue outside the template: its dead-letter queue cannot be verified',
      });
      continue;
    }
    if (!queue.Properties?.RedrivePolicy) {
      report({
        resource: queueId!,
        path: 'Properties.RedrivePolicy',
        rule: 'sqs-dlq',
        message: `queue feeds a function (${id}) but has no dead-letter queue (RedrivePolicy)`,
      });
    }
  }
}

function lintLogRetention(template: CfnTemplate, report: (v: Violation) => void): void {
  const groups = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const p = resource.Properties ?? {};
    const explicit = referencedId((p.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
    const name = typeof p.FunctionName === 'string' ? `/aws/lambda/${p.FunctionName}` : undefined;
    const group = groups.find(
      ([gid, g]) => gid === explicit || (name !== undefined && g.Properties?.LogGroupName === name),
    );
    if (!group) {
      report({
        resource: id,
        path: 'Properties.FunctionName',
        rule: 'log-retention',
        message: 'function has no log group in the template, so its logs are kept forever',
      });
    } else if (group[1].Properties?.RetentionInDays === undefined) {
      report({
        resource: group[0],
        path: 'Properties.RetentionInDays',
        rule: 'log-retention',
        message: `log group of ${id} has no RetentionInDays`,
      });
    }
  }
}

/** The exceptions a resource declares under `Metadata.templateCheck.allow` (anything else there reads as none). */
function templateCheckExceptions(resource: CfnResource | undefined): Array<{ rule?: string; reason?: string }> {
  const allow = (resource?.Metadata?.templateCheck as { allow?: unknown } | undefined)?.allow;
  return Array.isArray(allow) ? (allow as Array<{ rule?: string; reason?: string }>) : [];
}

/**
 * Least-privilege lint: no `"Action": "*"`, no write action on `"Resource": "*"`, every bucket
 * encrypted with public access blocked, every queue that feeds a function has a DLQ, every function
 * has log retention; plus every asynchronous hop has a watched failure path (`lintFailurePaths`) and
 * every public entry point is capped and holds no secret (`lintEntryPoints`). A resource may declare
 * a justified exception to any of these rules (see `LINT_RULES`):
 * `Metadata: { templateCheck: { allow: [{ rule: 'iam-write-on-star', reason: '...' }] } }`.
 *
 * @example
 * const violations = lintLeastPrivilege(template);
 */
export function lintLeastPrivilege(template: CfnTemplate): Violation[] {
  const found: Violation[] = [];
  const report = (v: Violation): void => {
    found.push(v);
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    lintIam(id, resource, report);
    if (resource.Type === 'AWS::S3::Bucket') lintBucket(id, resource, report);
  }
  lintQueueTriggers(template, report);
  lintLogRetention(template, report);
  found.push(...lintFailurePaths(template), ...lintEntryPoints(template));

  const allowed = (v: Violation): boolean =>
    templateCheckExceptions(template.Resources[v.resource]).some(
      (a) => a.rule === (v.rule as LintRule) && typeof a.reason === 'string' && a.reason.trim() !== '',
    );
  const exceptionProblems: Violation[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    templateCheckExceptions(resource).forEach((a, i) => {
      if (!LINT_RULES.includes(a.rule as LintRule)) {
        exceptionProblems.push({
          resource: id,
          path: `Metadata.templateCheck.allow[${i}].rule`,
          rule: 'bad-exception',
          message: `exception names unknown rule ${a.rule ?? '(no rule)'}; rules: ${LINT_RULES.join(', ')}`,
        });
      } else if (typeof a.reason !== 'string' || a.reason.trim() === '') {
        exceptionProblems.push({
          resource: id,
          path: `Metadata.templateCheck.allow[${i}]`,
          rule: 'bad-exception',
          message: `exception for ${a.rule ?? '(no rule)'} has no reason`,
        });
      }
    });
  }
  return [...found.filter((v) => !allowed(v)), ...exceptionProblems];
}
