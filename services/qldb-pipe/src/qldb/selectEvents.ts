import type { QldbEvent } from './toQldbEvent.js';

/** Which QLDB events the function publishes (from environment variables, see `readEnrichConfig`). */
export interface EventSelection {
  /** Drop CONTROL records (stream CREATED/COMPLETED/CANCELLED markers). */
  dropControlRecords: boolean;
  /** Keep only REVISION_DETAILS (document changes); drops CONTROL and BLOCK_SUMMARY. */
  revisionsOnly: boolean;
  /** When not empty, REVISION_DETAILS of other tables are dropped. */
  includeTables: string[];
  /** REVISION_DETAILS of these tables are dropped. */
  excludeTables: string[];
}

export const SELECT_EVERYTHING: EventSelection = {
  dropControlRecords: false,
  revisionsOnly: false,
  includeTables: [],
  excludeTables: [],
};

/**
 * Whether an event passes the selection. Table filters apply to REVISION_DETAILS only: the other
 * record types belong to no table.
 *
 * @example
 * isSelected(event, { ...SELECT_EVERYTHING, includeTables: ['Orders'] });
 */
export function isSelected(event: QldbEvent, selection: EventSelection): boolean {
  if (event.recordType === 'CONTROL' && (selection.dropControlRecords || selection.revisionsOnly)) return false;
  if (event.recordType !== 'REVISION_DETAILS') return !selection.revisionsOnly;
  const table = event.tableName ?? '';
  if (selection.includeTables.length > 0 && !selection.includeTables.includes(table)) return false;
  return !selection.excludeTables.includes(table);
}
