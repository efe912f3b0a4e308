/**
 * Dataverse errors as the Web API answers them: an HTTP status and `{"error":{"code","message"}}`.
 * Codes and message patterns come from the project's Dataverse reference (errors.json).
 */
export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const errors = {
  undeclaredNavigation: (entitySet: string, name: string) =>
    new DataverseError(
      400,
      '0x80048d19',
      `Error identified in Payload provided by the user for Entity :'${entitySet}' ----> InnerException : Microsoft.OData.ODataException: An undeclared property '${name}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
    ),
  unknownProperty: (entity: string, name: string) =>
    new DataverseError(
      400,
      '0x0',
      `An error occurred while validating input parameters: Microsoft.Crm.CrmException: Invalid property '${name}' was found in entity 'Microsoft.Dynamics.CRM.${entity}'.`,
    ),
  unknownSelect: (entity: string, name: string) =>
    new DataverseError(
      400,
      '0x0',
      `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${entity}'.`,
    ),
  unknownSegment: (segment: string) =>
    new DataverseError(404, '0x8006088a', `Resource not found for the segment '${segment}'.`),
  noResource: (url: string) =>
    new DataverseError(404, '', `No HTTP resource was found that matches the request URI '${url}'.`),
  optionOutOfRange: (value: unknown, column: string, entity: string, accepted: string[]) =>
    new DataverseError(
      400,
      '0x8004431a',
      `A validation error occurred. The value ${String(value)} of '${column}' on record of type '${entity}' is outside the valid range. Accepted Values: ${accepted.join(',')}`,
    ),
  tooLong: (column: string, entity: string, maxLength: number) =>
    new DataverseError(
      400,
      '0x80044331',
      `A validation error occurred.  The length of the '${column}' attribute of the '${entity}' entity exceeded the maximum allowed length of '${maxLength}'.`,
    ),
  badValue: (column: string, entity: string, expected: string) =>
    new DataverseError(
      400,
      '0x0',
      `An error occurred while validating input parameters: Microsoft.OData.ODataException: Cannot convert the literal for property '${column}' of '${entity}' to the expected type '${expected}'.`,
    ),
  missingCustomer: () =>
    new DataverseError(400, '0x80044410', 'You should specify a parent contact or account.'),
  bothCustomers: () =>
    new DataverseError(
      400,
      '0x8004440f',
      'You can either specify a parent contact or account, but not both.',
    ),
  queueItemMissingQueue: () =>
    new DataverseError(
      400,
      '0x80040528',
      'You must enter the target queue. Provide a valid value in the Queue field and try again.',
    ),
  queueItemMissingObject: () =>
    new DataverseError(
      400,
      '0x80040529',
      'You must enter the name of the record that you would like to put in the queue. Provide a valid value in the Queue Item field and try again.',
    ),
  /**
   * One active queue item per record: 0x80040526 ActiveQueueItemAlreadyExists, "Cannot create more than one
   * active queue item for this object" (MS Learn, Dataverse error codes (data-service-errors); errors.json
   * "queueitem-already-active"; the HTTP status 400 is assumed there).
   */
  queueItemAlreadyActive: () =>
    new DataverseError(
      400,
      '0x80040526',
      'An active queue item already exists for the given object. Cannot create more than one active queue item for this object.',
    ),
  ownerDisabled: () =>
    new DataverseError(
      400,
      '0x80040225',
      'The specified user is either disabled or is not a member of any business unit.',
    ),
  /**
   * A read of a record that does not exist: 0x80040217 ObjectDoesNotExist (Dataverse error codes; "Contact With
   * Ids = <guid> Do Not Exist", code -2147220969, Troubleshoot Dataverse client errors) with 404 (Compose HTTP
   * requests and handle errors: Identify status codes, "the resource doesn't exist").
   */
  notFound: (entity: string, id: string) =>
    new DataverseError(404, '0x80040217', `${entity} With Id = ${id} Does Not Exist`),
  /**
   * A `PATCH` with `If-Match` on a record that does not exist: 404 with `"code": ""` and "<entity> With Id =
   * <id> Does Not Exist", exactly as Perform conditional operations using the Web API: Prevent create in
   * upsert shows it.
   */
  notFoundForUpdate: (entity: string, id: string) =>
    new DataverseError(404, '', `${entity} With Id = ${id} Does Not Exist`),
  /** Reference errors.json "etag-mismatch": Dataverse answers 412 with an empty code. */
  versionMismatch: () =>
    new DataverseError(
      412,
      '',
      "The version of the existing record doesn't match the RowVersion property provided.",
    ),
  /**
   * A create whose primary key is taken: "Cannot insert duplicate key", error code -2147220937 = 0x80040237
   * (Troubleshoot Dataverse client errors), named DuplicateRecord (Dataverse error codes), which Compose HTTP
   * requests and handle errors: Identify status codes answers with 412 Precondition Failed.
   * `code: ''` is the variant an org may answer (SandboxOptions.duplicateKeyCode): the text and empty code of
   * Perform conditional operations using the Web API: Prevent update in upsert, a page about `PATCH` with
   * `If-None-Match: *`, which the relay never sends. Assumption: an org could answer a create so; the variant
   * exists to prove the relay still recognises the duplicate.
   */
  duplicateKey: (code = '0x80040237') =>
    code === ''
      ? new DataverseError(412, '', 'A record with matching key values already exists.')
      : new DataverseError(412, code, 'Cannot insert duplicate key.'),
  notOrgMember: () => new DataverseError(403, '0x80072560', 'The user is not a member of the organization.'),
  missingPrivilege: (userId: string, privilege: string, entity: string) =>
    new DataverseError(
      403,
      '0x80040220',
      `Principal user (Id=${userId}, type=8, roleCount=1, privilegeCount=12, accessMode='4', MetadataCachePrivilegesCount=0, BusinessUnitId=00000000-0000-0000-0000-000000000000), is missing ${privilege} privilege (Id=00000000-0000-0000-0000-000000000000) on OTC=0 for entity '${entity}'. context.Caller=${userId}`,
    ),
  // The three service protection limits (Service protection API limits: Service Protection API Limit Errors
  // returned): 429 with the documented hex code and message, and Retry-After in seconds (Retry operations).
  throttleRequests: (max: number, windowSeconds: number, retryAfterSeconds: number) =>
    new DataverseError(
      429,
      '0x80072322',
      `Number of requests exceeded the limit of ${max} over time window of ${windowSeconds} seconds.`,
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  throttleExecutionTime: (maxMs: number, windowSeconds: number, retryAfterSeconds: number) =>
    new DataverseError(
      429,
      '0x80072321',
      `Combined execution time of incoming requests exceeded limit of ${maxMs.toLocaleString('en-US')}  milliseconds over time window of ${windowSeconds} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  throttleConcurrency: (max: number, retryAfterSeconds: number) =>
    new DataverseError(429, '0x80072326', `Number of concurrent requests exceeded the limit of ${max}.`, {
      'Retry-After': String(retryAfterSeconds),
    }),
  leadingWildcard: () =>
    new DataverseError(
      400,
      '0x80048573',
      'The database operation timed out; this may be due to a leading wildcard value being used in a filter condition. Please consider removing leading wildcard filter conditions, as these operations are expensive.',
    ),
  badRequest: (message: string, code = '0x80060888') => new DataverseError(400, code, message),
  contentIdUnknown: (n: string) =>
    new DataverseError(
      400,
      '0x80060888',
      `Content-ID Reference: '$${n}' does not exist in the batch context.`,
    ),
  streamNotReadable: (entitySet: string) =>
    new DataverseError(
      400,
      '0x80048d19',
      `Error identified in Payload provided by the user for Entity :'${entitySet}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : System.ArgumentException: Stream was not readable.`,
    ),
  serverError: () => new DataverseError(500, '0x80040216', 'An unexpected error occurred.'),
  serviceUnavailable: () => new DataverseError(503, '', 'The service is temporarily unavailable.'),
};
