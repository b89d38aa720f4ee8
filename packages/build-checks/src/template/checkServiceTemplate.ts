import { type CfnTemplate, loadPackagedTemplate } from '@blueprints/packaging';
import { checkTemplateSpec, type Violation } from './checkTemplate.js';
import { lintLeastPrivilege } from './lintLeastPrivilege.js';

/** All violations of a template: specification first, then least privilege. */
export function checkTemplate(template: CfnTemplate): Violation[] {
  return [...checkTemplateSpec(template), ...lintLeastPrivilege(template)];
}

/** Checks the template `osls package` wrote for a service (`.serverless/cloudformation-template-update-stack.json`). */
export function checkServiceTemplate(serviceDir: string): Violation[] {
  return checkTemplate(loadPackagedTemplate(serviceDir));
}

/** One line per violation: `Resource Properties.Path [rule] message`. */
export function formatViolations(violations: Violation[]): string {
  return violations.map((v) => `${v.resource} ${v.path} [${v.rule}] ${v.message}`).join('\n');
}
