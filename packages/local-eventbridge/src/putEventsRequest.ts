import {
  eventEntrySize,
  PUT_EVENTS_MAX_ENTRIES,
  PUT_EVENTS_MAX_ENTRY_BYTES,
  PUT_EVENTS_MAX_REQUEST_BYTES,
} from '@blueprints/common';

/** A PutEvents request entry, as the SDK sends it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  EventBusName?: string;
  /** A Date, an ISO string or epoch seconds (what the JSON protocol carries). */
  Time?: Date | string | number;
  TraceHeader?: string;
}

/**
 * A request EventBridge refuses as a whole, with the error type AWS answers (`__type` in the JSON
 * protocol) and the HTTP status.
 */
export class EventBridgeRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** A request that breaks a constraint (entry count, size): `ValidationException`, 400. */
export class EventBridgeValidationError extends EventBridgeRequestError {
  constructor(message: string) {
    super('ValidationException', message);
    this.name = 'EventBridgeValidationError';
  }
}

/** A request whose JSON does not have the shape of the operation's input: `SerializationException`, 400. */
export class EventBridgeSerializationError extends EventBridgeRequestError {
  constructor(message: string) {
    super('SerializationException', message);
    this.name = 'EventBridgeSerializationError';
  }
}

const STRING_FIELDS = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);

/** Checks one entry's field types; per-entry business rules (required fields, JSON detail) come later. */
function checkEntryShape(value: unknown, index: number): PutEventsEntry {
  if (!isRecord(value)) {
    throw new EventBridgeSerializationError(`Entries[${index}] must be a structure, got ${JSON.stringify(value)}`);
  }
  for (const field of STRING_FIELDS) {
    const v = value[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new EventBridgeSerializationError(`Entries[${index}].${field} must be a string`);
    }
  }
  const resources = value.Resources;
  if (resources !== undefined && resources !== null) {
    if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')) {
      throw new EventBridgeSerializationError(`Entries[${index}].Resources must be a list of strings`);
    }
  }
  const time = value.Time;
  if (
    time !== undefined &&
    time !== null &&
    typeof time !== 'number' &&
    typeof time !== 'string' &&
    !(time instanceof Date)
  ) {
    throw new EventBridgeSerializationError(`Entries[${index}].Time must be a timestamp`);
  }
  return value as PutEventsEntry;
}

/**
 * Validates a PutEvents request's `Entries` the way EventBridge does before looking at any entry: a
 * list of 1 to `PUT_EVENTS_MAX_ENTRIES` structures with fields of the right types, no entry larger than
 * `PUT_EVENTS_MAX_ENTRY_BYTES` and all together at most `PUT_EVENTS_MAX_REQUEST_BYTES`, sized with
 * common's `eventEntrySize`. Throws {@link EventBridgeRequestError}s; returns the typed entries.
 *
 * @example
 * checkPutEventsEntries([{ Source: 'app', DetailType: 'x', Detail: '{}' }]); // the entries
 * checkPutEventsEntries('nope'); // throws EventBridgeSerializationError
 */
export function checkPutEventsEntries(entries: unknown): PutEventsEntry[] {
  if (entries === undefined || entries === null || (Array.isArray(entries) && entries.length === 0)) {
    throw new EventBridgeValidationError(
      "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (!Array.isArray(entries)) throw new EventBridgeSerializationError('Entries must be a list of structures');
  if (entries.length > PUT_EVENTS_MAX_ENTRIES) {
    throw new EventBridgeValidationError(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`,
    );
  }
  const checked = entries.map(checkEntryShape);
  let total = 0;
  for (const [index, entry] of checked.entries()) {
    const size = eventEntrySize(entry);
    if (size > PUT_EVENTS_MAX_ENTRY_BYTES) {
      throw new EventBridgeValidationError(
        `Entries[${index}] is ${size} bytes, over the limit of ${PUT_EVENTS_MAX_ENTRY_BYTES} bytes per entry.`,
      );
    }
    total += size;
  }
  if (total > PUT_EVENTS_MAX_REQUEST_BYTES) {
    throw new EventBridgeValidationError(
      `Total size of the entries in the request is over the limit (${total} bytes > ${PUT_EVENTS_MAX_REQUEST_BYTES}).`,
    );
  }
  return checked;
}
