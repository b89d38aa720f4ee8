/** PutEvents accepts at most this many entries per call. */
export const MAX_ENTRIES_PER_PUT_EVENTS = 10;
/** PutEvents accepts at most 256 KB per call, counted with {@link eventEntrySize}. */
export const MAX_PUT_EVENTS_BYTES = 256 * 1024;

/** The entry fields that count towards the PutEvents size limit. */
export interface SizedEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
}

/**
 * The size of one PutEvents entry as EventBridge counts it: 14 bytes for the Time field, plus the UTF-8
 * bytes of Source, DetailType, Detail and each Resource. The 14 bytes are always counted (whether or not
 * `Time` is set) so a batch sized here never exceeds the limit.
 *
 * @example
 * eventEntrySize({ Source: 'app', DetailType: 'x', Detail: '{}' }); // 14 + 3 + 1 + 2 = 20
 */
export function eventEntrySize(entry: SizedEntry): number {
  let size = 14;
  if (entry.Source) size += Buffer.byteLength(entry.Source, 'utf8');
  if (entry.DetailType) size += Buffer.byteLength(entry.DetailType, 'utf8');
  if (entry.Detail) size += Buffer.byteLength(entry.Detail, 'utf8');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}
