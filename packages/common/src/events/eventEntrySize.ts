/** The entry fields that count towards the PutEvents size limits. */
export interface SizedEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  /** Any value other than undefined/null counts as set. */
  Time?: unknown;
}

const utf8Bytes = (value: unknown): number => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);

/**
 * The size of one PutEvents entry as EventBridge counts it (Amazon EventBridge User Guide, "Calculating
 * Amazon EventBridge PutEvents event entry size"): 14 bytes for `Time` when it is set, plus the UTF-8
 * bytes of Source, DetailType, Detail and each Resource. Compare it with `PUT_EVENTS_MAX_ENTRY_BYTES`;
 * the sum over a request's entries with `PUT_EVENTS_MAX_REQUEST_BYTES`. Fields of the wrong type count
 * as absent (the service refuses those entries for their type, not their size).
 *
 * @example
 * eventEntrySize({ Source: 'app', DetailType: 'x', Detail: '{}' }); // 3 + 1 + 2 = 6
 * eventEntrySize({ Source: 'app', DetailType: 'x', Detail: '{}', Time: new Date() }); // 20
 */
export function eventEntrySize(entry: SizedEntry): number {
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const resource of entry.Resources) size += utf8Bytes(resource);
  return size;
}
