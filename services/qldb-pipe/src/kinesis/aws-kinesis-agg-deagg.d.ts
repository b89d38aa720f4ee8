// The de-aggregation half of aws-kinesis-agg, imported on its own so the bundle leaves out the
// aggregation half and its `async` dependency. The package's own declarations cover only its index.
declare module 'aws-kinesis-agg/lib/kpl-deagg.js' {
  export function deaggregateSync(
    kinesisRecord: { data: string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    afterRecordCallback: (
      err: Error | undefined,
      userRecords?: Array<{ partitionKey: string; subSequenceNumber: number; data: string }>,
    ) => void,
  ): void;
}
