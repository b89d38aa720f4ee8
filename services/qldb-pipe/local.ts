// How this service runs under `pnpm dev` and startLocalStack (contract: packages/local-stack/README.md,
// "Local wiring"). The pipe, its stream and its bus come from the template; this adds the demo action.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipesFromTemplate } from '@blueprints/local-pipes';
import { defineLocalWiring } from '@blueprints/local-stack';

export default defineLocalWiring({
  actions: [
    {
      id: 'ledger-record',
      label: 'Put a demo ledger record',
      description:
        'Puts the aggregated QLDB journal record of events/enrich.json (a block summary, an insert, an update ' +
        'and a delete of one document, Ion binary, KPL-aggregated) on the pipe’s Kinesis stream.',
      run: async (context) => {
        const pipe = pipesFromTemplate(context.service.resolver)[0];
        if (!pipe) throw new Error(`${context.service.name} has no pipe in its template`);
        const sample = JSON.parse(readFileSync(join(context.service.dir, 'events', 'enrich.json'), 'utf8')) as Array<{
          data: string;
          partitionKey: string;
        }>;
        let sequenceNumber = '';
        for (const record of sample) {
          const data = Buffer.from(record.data, 'base64');
          sequenceNumber = await context.putKinesisRecord(pipe.streamName, data, record.partitionKey);
        }
        return { streamName: pipe.streamName, sequenceNumber, records: sample.length };
      },
    },
  ],
});
