/**
 * `context.webAPI` for the preview page: the same calls the model-driven host makes, sent over HTTP to
 * the Dataverse sandbox (proxied by the preview server, so same-origin). Failures are rejected the way
 * the platform rejects them: `{ errorCode, message }` with the Dataverse code as a number.
 */

const ENTITY_SETS: Readonly<Record<string, string>> = {
  incident: 'incidents',
  contact: 'contacts',
  account: 'accounts',
  annotation: 'annotations',
  queue: 'queues',
  systemuser: 'systemusers',
};

type Entity = Record<string, unknown>;

export interface WebApiFailure {
  errorCode?: number;
  message: string;
  httpStatus: number;
}

function setOf(entity: string): string {
  const set = ENTITY_SETS[entity];
  if (!set) throw new Error(`The preview host does not know the entity "${entity}"`);
  return set;
}

async function call(base: string, method: string, path: string, body?: Entity): Promise<Response> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      'OData-Version': '4.0',
      'OData-MaxVersion': '4.0',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.ok) return response;
  const text = await response.text();
  let failure: WebApiFailure = { message: text || response.statusText, httpStatus: response.status };
  try {
    const error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    const code = error?.code && /^0x[0-9a-f]{8}$/i.test(error.code) ? parseInt(error.code, 16) : undefined;
    failure = { errorCode: code, message: error?.message ?? failure.message, httpStatus: response.status };
  } catch {
    // Not JSON: keep the text.
  }
  // The platform's Web API rejects with this plain shape, not an Error; the control expects it.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw failure;
}

function idFrom(response: Response): string {
  const header = response.headers.get('OData-EntityId') ?? '';
  return /\(([0-9a-f-]{36})\)/i.exec(header)?.[1] ?? '';
}

/** `base` is the Web API root, e.g. `/api/data/v9.2/`. */
export function createHttpWebApi(base: string) {
  return {
    async createRecord(entity: string, data: Entity) {
      const response = await call(base, 'POST', setOf(entity), data);
      return { id: idFrom(response), name: '', entityType: entity };
    },
    async updateRecord(entity: string, id: string, data: Entity) {
      await call(base, 'PATCH', `${setOf(entity)}(${id})`, data);
      return { id, name: '', entityType: entity };
    },
    async deleteRecord(entity: string, id: string) {
      await call(base, 'DELETE', `${setOf(entity)}(${id})`);
      return { id, name: '', entityType: entity };
    },
    async retrieveRecord(entity: string, id: string, options = '') {
      const response = await call(base, 'GET', `${setOf(entity)}(${id})${options}`);
      return (await response.json()) as Entity;
    },
    async retrieveMultipleRecords(entity: string, options = '') {
      const response = await call(base, 'GET', `${setOf(entity)}${options}`);
      const page = (await response.json()) as { value: Entity[]; '@odata.nextLink'?: string };
      return { entities: page.value, nextLink: page['@odata.nextLink'] as string };
    },
  };
}
