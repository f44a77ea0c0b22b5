/**
 * The single catalogue of modeled errors. The name is the AWS `__type`
 * (what the SDKs turn into an exception class); status and fault follow the
 * AWS JSON protocol. Operations throw `ServiceError`; anything else becomes
 * InternalServerError in the pipeline.
 */
export const ERRORS = {
  // protocol and authentication
  MissingAuthenticationTokenException: { status: 403, fault: 'client' },
  IncompleteSignatureException: { status: 400, fault: 'client' },
  InvalidSignatureException: { status: 403, fault: 'client' },
  UnrecognizedClientException: { status: 403, fault: 'client' },
  AccessDeniedException: { status: 400, fault: 'client' },
  UnknownOperationException: { status: 400, fault: 'client' },
  SerializationException: { status: 400, fault: 'client' },
  ValidationException: { status: 400, fault: 'client' },
  ThrottlingException: { status: 400, fault: 'client' },
  InternalServerError: { status: 500, fault: 'server' },
  // Parameter Store
  ParameterNotFound: { status: 400, fault: 'client' },
  ParameterAlreadyExists: { status: 400, fault: 'client' },
  ParameterVersionNotFound: { status: 400, fault: 'client' },
  ParameterLimitExceeded: { status: 400, fault: 'client' },
  ParameterMaxVersionLimitExceeded: { status: 400, fault: 'client' },
  ParameterPatternMismatchException: { status: 400, fault: 'client' },
  ParameterVersionLabelLimitExceeded: { status: 400, fault: 'client' },
  HierarchyLevelLimitExceededException: { status: 400, fault: 'client' },
  HierarchyTypeMismatchException: { status: 400, fault: 'client' },
  InvalidAllowedPatternException: { status: 400, fault: 'client' },
  UnsupportedParameterType: { status: 400, fault: 'client' },
  InvalidKeyId: { status: 400, fault: 'client' },
  InvalidFilterKey: { status: 400, fault: 'client' },
  InvalidFilterOption: { status: 400, fault: 'client' },
  InvalidFilterValue: { status: 400, fault: 'client' },
  InvalidNextToken: { status: 400, fault: 'client' },
  InvalidPolicyTypeException: { status: 400, fault: 'client' },
  InvalidPolicyAttributeException: { status: 400, fault: 'client' },
  IncompatiblePolicyException: { status: 400, fault: 'client' },
  PoliciesLimitExceededException: { status: 400, fault: 'client' },
  UnsupportedParameterTypeException: { status: 400, fault: 'client' },
  // service settings
  ServiceSettingNotFound: { status: 400, fault: 'client' },
  // tagging
  InvalidResourceId: { status: 400, fault: 'client' },
  InvalidResourceType: { status: 400, fault: 'client' },
  TooManyTagsError: { status: 400, fault: 'client' },
  TooManyUpdates: { status: 400, fault: 'client' },
  // documents, and the parameters a command passes to one
  DocumentAlreadyExists: { status: 400, fault: 'client' },
  DocumentVersionLimitExceeded: { status: 400, fault: 'client' },
  DuplicateDocumentContent: { status: 400, fault: 'client' },
  DuplicateDocumentVersionName: { status: 400, fault: 'client' },
  InvalidDocument: { status: 400, fault: 'client' },
  InvalidDocumentContent: { status: 400, fault: 'client' },
  InvalidDocumentOperation: { status: 400, fault: 'client' },
  InvalidDocumentSchemaVersion: { status: 400, fault: 'client' },
  InvalidDocumentType: { status: 400, fault: 'client' },
  InvalidDocumentVersion: { status: 400, fault: 'client' },
  MaxDocumentSizeExceeded: { status: 400, fault: 'client' },
  InvalidParameters: { status: 400, fault: 'client' },
  // Run Command
  InvalidCommandId: { status: 400, fault: 'client' },
  InvocationDoesNotExist: { status: 400, fault: 'client' },
  InvalidPluginName: { status: 400, fault: 'client' },
  InvalidNotificationConfig: { status: 400, fault: 'client' },
  // managed nodes and activations
  InvalidActivation: { status: 400, fault: 'client' },
  InvalidActivationId: { status: 400, fault: 'client' },
  InvalidFilter: { status: 400, fault: 'client' },
  InvalidInstanceId: { status: 400, fault: 'client' },
  InvalidInstanceInformationFilterValue: { status: 400, fault: 'client' },
  // Registration refusals (POST /agent/v1/register, Tend's own endpoint): named so an agent can tell them apart.
  ActivationExpired: { status: 400, fault: 'client' },
  RegistrationLimitExceeded: { status: 400, fault: 'client' },
  // Patch Manager: baselines and patch groups
  DoesNotExistException: { status: 400, fault: 'client' },
  AlreadyExistsException: { status: 400, fault: 'client' },
  ResourceInUseException: { status: 400, fault: 'client' },
  ResourceLimitExceededException: { status: 400, fault: 'client' },
  IdempotentParameterMismatch: { status: 400, fault: 'client' },
  // maintenance windows
  TargetInUseException: { status: 400, fault: 'client' },
  // Patch Manager: compliance reporting, and the compliance API
  UnsupportedOperatingSystem: { status: 400, fault: 'client' },
  UnsupportedFeatureRequiredException: { status: 400, fault: 'client' },
  ComplianceTypeCountLimitExceededException: { status: 400, fault: 'client' },
  InvalidItemContentException: { status: 400, fault: 'client' },
  ItemSizeLimitExceededException: { status: 400, fault: 'client' },
  TotalSizeLimitExceededException: { status: 400, fault: 'client' },
  // OpsCenter
  OpsItemNotFoundException: { status: 400, fault: 'client' },
  OpsItemInvalidParameterException: { status: 400, fault: 'client' },
  OpsItemAlreadyExistsException: { status: 400, fault: 'client' },
  // Tend's IAM-shaped API
  EntityAlreadyExistsException: { status: 409, fault: 'client' },
  NoSuchEntityException: { status: 404, fault: 'client' },
  MalformedPolicyDocumentException: { status: 400, fault: 'client' },
  DeleteConflictException: { status: 409, fault: 'client' },
  LimitExceededException: { status: 409, fault: 'client' },
  // Tend's Resource Groups-shaped API (statuses as Resource Groups models them)
  BadRequestException: { status: 400, fault: 'client' },
  NotFoundException: { status: 404, fault: 'client' },
  // Tend's SNS-shaped API (notifications); NotFoundException above is shared
  InvalidParameterException: { status: 400, fault: 'client' },
  InvalidParameterValueException: { status: 400, fault: 'client' },
} as const satisfies Record<string, { status: number; fault: 'client' | 'server' }>;

export type ErrorName = keyof typeof ERRORS;

export class ServiceError extends Error {
  readonly status: number;
  readonly fault: 'client' | 'server';
  /** Extra members serialized next to `__type` and `message` (e.g. ParameterNotFound has none, some errors carry fields). */
  readonly extra?: Record<string, unknown>;

  constructor(readonly type: ErrorName, message: string, extra?: Record<string, unknown>) {
    super(message);
    this.status = ERRORS[type].status;
    this.fault = ERRORS[type].fault;
    this.extra = extra;
  }
}

/** Shorthand for the most common case. */
export function validationError(message: string): ServiceError {
  return new ServiceError('ValidationException', message);
}
