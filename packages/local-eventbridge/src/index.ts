export {
  type CompiledEventPattern,
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from './eventPattern.js';
export {
  type InputTransformerSpec,
  JsonPathError,
  type PredefinedTemplateVariables,
  readJsonPath,
  renderInputTemplate,
  type TargetInputSpec,
  targetPayload,
} from './inputTransformer.js';
export {
  type AcceptedEventInfo,
  type EventBridgeEvent,
  type EventDelivery,
  LocalEventBridge,
  type LocalEventBridgeOptions,
  type LocalRule,
  type LocalTargets,
  PUT_EVENTS_MAX_BODY_BYTES,
  type PutEventsResult,
  type PutEventsResultEntry,
  type RuleTarget,
} from './LocalEventBridge.js';
export {
  DeliveryStreamNotFoundError,
  evaluateFirehosePrefix,
  type FirehoseObject,
  formatFirehoseTimestamp,
  type LocalDeliveryStream,
  LocalFirehose,
  type LocalFirehoseOptions,
  UnsupportedDeliveryStreamError,
} from './LocalFirehose.js';
export {
  checkPutEventsEntries,
  EventBridgeRequestError,
  EventBridgeSerializationError,
  EventBridgeValidationError,
  type PutEventsEntry,
} from './putEventsRequest.js';
