export {
  type LocalPipeDefinition,
  LocalPipes,
  type LocalPipesOptions,
  PIPE_EVENT_BUS_TARGET_BATCH_LIMIT,
  type PipeDeadLetter,
  type PipeFailure,
  type PipeKinesisEvent,
  type PipeTargetDelivery,
  pipesFromTemplate,
  startPipesFromTemplate,
  UnsupportedPipeError,
} from './LocalPipes.js';
export {
  createStreamsFromTemplate,
  type LocalKinesis,
  localKinesisClient,
  startLocalKinesis,
  streamNameFromArn,
} from './localKinesis.js';
export {
  applyPipeInputTemplate,
  isDynamicPath,
  readPipePath,
  resolvePipeParameter,
  UnresolvedPipePathError,
} from './targetParameters.js';
